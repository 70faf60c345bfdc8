package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/server"
)

// connectorFile is the file form of create and update: YAML or JSON.
type connectorFile struct {
	ID      string         `yaml:"id"`
	Name    string         `yaml:"name"`
	TypeID  string         `yaml:"connector_type_id"`
	Type    string         `yaml:"type"`
	Config  map[string]any `yaml:"config"`
	Secrets map[string]any `yaml:"secrets"`
}

// connectorFlags are the flags of create and update. Secrets never come from a flag value:
// command lines show in `ps` and shell history.
type connectorFlags struct {
	file, id, name, typeID, configFile, secretsFile string
	set                                             []string
	secretsStdin, prompt                            bool
}

func (f *connectorFlags) bind(cmd *cobra.Command, create bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "YAML or JSON file with name, connector_type_id, config and secrets")
	fl.StringVar(&f.name, "name", "", "unique connector name (what workflows put in connector-id)")
	fl.StringVar(&f.configFile, "config-file", "", "YAML or JSON file with the config object")
	fl.StringArrayVar(&f.set, "set", nil, "a config value as key=value (not for secrets); repeatable")
	fl.StringVar(&f.secretsFile, "secrets-file", "", "YAML or JSON file with the secrets object")
	fl.BoolVar(&f.secretsStdin, "secrets-stdin", false, "read the secrets object (YAML or JSON) from stdin")
	fl.BoolVar(&f.prompt, "prompt-secrets", false, "ask for each secret field on the terminal, without echo")
	if create {
		fl.StringVar(&f.id, "id", "", "connector id (default: a new UUID)")
		fl.StringVar(&f.typeID, "type", "", "connector type, e.g. .slack (see `errand connectors types`)")
	}
}

// collect merges file, flags and secret sources into one connectorFile.
func (f *connectorFlags) collect(cmd *cobra.Command, reg *connector.Registry) (*connectorFile, error) {
	cf := &connectorFile{}
	if f.file != "" {
		if err := readYAMLFile(f.file, cf); err != nil {
			return nil, err
		}
	}
	if cf.TypeID == "" {
		cf.TypeID = cf.Type
	}
	cf.ID, cf.Name, cf.TypeID = firstOf(f.id, cf.ID), firstOf(f.name, cf.Name), firstOf(f.typeID, cf.TypeID)
	if err := f.collectConfig(cf); err != nil {
		return nil, err
	}
	return cf, f.collectSecrets(cmd, reg, cf)
}

func (f *connectorFlags) collectConfig(cf *connectorFile) error {
	if f.configFile != "" {
		cf.Config = map[string]any{}
		if err := readYAMLFile(f.configFile, &cf.Config); err != nil {
			return err
		}
	}
	for _, kv := range f.set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--set %q: use key=value", kv)
		}
		if cf.Config == nil {
			cf.Config = map[string]any{}
		}
		var parsed any
		if yaml.Unmarshal([]byte(v), &parsed) == nil && parsed != nil {
			cf.Config[k] = parsed
		} else {
			cf.Config[k] = v
		}
	}
	return nil
}

func (f *connectorFlags) collectSecrets(cmd *cobra.Command, reg *connector.Registry, cf *connectorFile) error {
	switch {
	case f.secretsFile != "":
		cf.Secrets = map[string]any{}
		return readYAMLFile(f.secretsFile, &cf.Secrets)
	case f.secretsStdin:
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return fmt.Errorf("reading secrets from stdin: %w", err)
		}
		cf.Secrets = map[string]any{}
		if err := yaml.Unmarshal(b, &cf.Secrets); err != nil {
			return fmt.Errorf("parsing secrets from stdin as YAML or JSON: %w", err)
		}
	case f.prompt:
		t, ok := reg.Type(cf.TypeID)
		if !ok {
			return fmt.Errorf("unknown connector type %q: see `errand connectors types`", cf.TypeID)
		}
		s, err := promptSecrets(cmd, t)
		cf.Secrets = s
		return err
	}
	return nil
}

func readYAMLFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parsing %s as YAML or JSON: %w", path, err)
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func newConnectorCreateCmd(g *globals) *cobra.Command {
	f := &connectorFlags{}
	cmd := &cobra.Command{Use: "create", Short: "Create a connector (secrets from a file, stdin or a prompt)", Args: cobra.NoArgs,
		Example: "  errand connectors create --name security-alerts-channel --type .slack --secrets-file slack.yaml\n" +
			"  errand connectors create -f jira-connector.yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.remote() {
				return remoteConnectorCreate(cmd, g, f)
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				cf, err := f.collect(cmd, rt.Registry)
				if err != nil {
					return err
				}
				c, err := rt.Connectors.Create(cmd.Context(), connector.CreateParams{ID: cf.ID, Name: cf.Name,
					TypeID: cf.TypeID, Config: cf.Config, Secrets: cf.Secrets})
				if err != nil {
					return err
				}
				return printConnector(cmd.OutOrStdout(), g.output, c)
			})
		}}
	f.bind(cmd, true)
	return cmd
}

func newConnectorUpdateCmd(g *globals) *cobra.Command {
	f := &connectorFlags{}
	cmd := &cobra.Command{Use: "update ID|NAME",
		Short: "Update a connector: secrets left out are kept, a secret set to null is cleared",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return remoteConnectorUpdate(cmd, g, f, args[0])
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				cur, err := getConnector(cmd, rt, args[0])
				if err != nil {
					return err
				}
				f.typeID = cur.TypeID
				cf, err := f.collect(cmd, rt.Registry)
				if err != nil {
					return err
				}
				p := connector.UpdateParams{Config: cf.Config, Secrets: cf.Secrets}
				if cf.Name != "" {
					p.Name = &cf.Name
				}
				c, err := rt.Connectors.Update(cmd.Context(), cur.ID, p)
				if err != nil {
					return err
				}
				return printConnector(cmd.OutOrStdout(), g.output, c)
			})
		}}
	f.bind(cmd, false)
	return cmd
}
