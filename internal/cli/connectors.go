package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"
	"golang.org/x/term"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/server"
)

func newConnectorsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "connectors", Aliases: []string{"connector"},
		Short: "Manage connectors: stored credentials for Slack, Jira, HTTP APIs and more"}
	cmd.PersistentFlags().StringVarP(&g.output, "output", "o", "table", "table or json")
	cmd.AddCommand(newConnectorTypesCmd(g), newConnectorListCmd(g), newConnectorGetCmd(g),
		newConnectorCreateCmd(g), newConnectorUpdateCmd(g), newConnectorDeleteCmd(g),
		newConnectorTestCmd(g), newConnectorRotateCmd(g))
	return cmd
}

// withConnectors opens the connector runtime for one command.
func withConnectors(cmd *cobra.Command, g *globals, fn func(rt *server.ConnectorRuntime) error) error {
	rt, err := server.OpenConnectors(cmd.Context(), g.config())
	if err != nil {
		return err
	}
	defer rt.Store.Close()
	return fn(rt)
}

func newConnectorTypesCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "types", Short: "List the connector types and the step types they serve", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				type row struct {
					ID        string   `json:"id"`
					Name      string   `json:"name"`
					StepTypes []string `json:"step_types"`
					Secrets   []string `json:"secret_fields"`
				}
				var rows []row
				for _, t := range rt.Registry.Types() {
					r := row{ID: t.ID, Name: t.Name, Secrets: schemaProperties(t.SecretsSchema)}
					for name := range t.Actions {
						r.StepTypes = append(r.StepTypes, t.StepType(name))
					}
					sort.Strings(r.StepTypes)
					rows = append(rows, r)
				}
				if g.output == "json" {
					return writeJSON(cmd.OutOrStdout(), rows)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "TYPE\tNAME\tSTEP TYPES\tSECRET FIELDS")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, strings.Join(r.StepTypes, ", "), strings.Join(r.Secrets, ", "))
				}
				return tw.Flush()
			})
		}}
}

func newConnectorListCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "list", Short: "List stored and preconfigured connectors (never their secrets)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.remote() {
				return remoteConnectorList(cmd, g)
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				list, err := rt.Connectors.List(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(cmd.OutOrStdout(), list)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tTYPE\tPRECONFIGURED\tMISSING SECRETS")
				for _, c := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", c.ID, c.Name, c.TypeID, c.IsPreconfigured, c.IsMissingSecrets)
				}
				return tw.Flush()
			})
		}}
}

func newConnectorGetCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "get ID|NAME", Short: "Show one connector (never its secrets)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return remoteConnectorGet(cmd, g, args[0])
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				c, err := getConnector(cmd, rt, args[0])
				if err != nil {
					return err
				}
				return printConnector(cmd.OutOrStdout(), g.output, c)
			})
		}}
}

// getConnector finds a connector by id, then by name, without its secrets.
func getConnector(cmd *cobra.Command, rt *server.ConnectorRuntime, ref string) (*connector.Connector, error) {
	c, err := rt.Connectors.Get(cmd.Context(), ref)
	if err == nil {
		return c, nil
	}
	list, lerr := rt.Connectors.List(cmd.Context())
	if lerr != nil {
		return nil, lerr
	}
	for _, x := range list {
		if x.Name == ref {
			return x, nil
		}
	}
	return nil, err
}

func printConnector(w io.Writer, output string, c *connector.Connector) error {
	if output == "json" {
		return writeJSON(w, c)
	}
	cfg, _ := yaml.Marshal(c.Config)
	fmt.Fprintf(w, "ID:             %s\nName:           %s\nType:           %s\nPreconfigured:  %v\nMissing secrets: %v\nConfig:\n%s",
		c.ID, c.Name, c.TypeID, c.IsPreconfigured, c.IsMissingSecrets, indent(string(cfg)))
	return nil
}

func indent(s string) string {
	if strings.TrimSpace(s) == "{}" || s == "" {
		return "  {}\n"
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

func newConnectorDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "delete ID", Short: "Delete a stored connector", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return remoteConnectorDelete(cmd, g, args[0])
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				c, err := getConnector(cmd, rt, args[0])
				if err != nil {
					return err
				}
				if err := rt.Connectors.Delete(cmd.Context(), c.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "deleted connector %s (%s)\n", c.ID, c.Name)
				return nil
			})
		}}
}

func newConnectorTestCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "test ID|NAME", Short: "Check that a connector reaches its service", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return remoteConnectorTest(cmd, g, args[0])
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				res := rt.Connectors.Test(cmd.Context(), args[0])
				return printTestResult(cmd, g, res, res.Status, res.Message, res.ServiceMessage)
			})
		}}
}

// printTestResult prints a connection test's outcome and fails the command when it failed.
func printTestResult(cmd *cobra.Command, g *globals, res any, status, message, serviceMessage string) error {
	if g.output == "json" {
		if err := writeJSON(cmd.OutOrStdout(), res); err != nil {
			return err
		}
	} else if status == connector.StatusOK {
		fmt.Fprintln(cmd.OutOrStdout(), "ok")
	} else {
		fmt.Fprintf(cmd.OutOrStdout(), "failed: %s\n", strings.TrimSuffix(message+": "+serviceMessage, ": "))
	}
	if status != connector.StatusOK {
		return &ExitError{Code: 1}
	}
	return nil
}

func newConnectorRotateCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "rotate-key",
		Short: "Re-encrypt every stored connector with the primary key (old keys in ERRAND_DECRYPTION_ONLY_KEYS)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := localOnly(g, "connectors rotate-key", "it needs the server's encryption keys"); err != nil {
				return err
			}
			return withConnectors(cmd, g, func(rt *server.ConnectorRuntime) error {
				n, err := rt.Connectors.RotateKey(cmd.Context())
				fmt.Fprintf(cmd.ErrOrStderr(), "re-encrypted %d connectors\n", n)
				return err
			})
		}}
}

// schemaProperties lists the property names of a JSON Schema object.
func schemaProperties(schema json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// promptSecrets asks for each secret field of the type on the terminal, without echo.
func promptSecrets(cmd *cobra.Command, t *connector.Type) (map[string]any, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, fmt.Errorf("--prompt-secrets needs a terminal; use --secrets-file or --secrets-stdin")
	}
	out := map[string]any{}
	for _, name := range schemaProperties(t.SecretsSchema) {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s (empty to skip): ", name)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return nil, fmt.Errorf("reading secret %s: %w", name, err)
		}
		if len(b) > 0 {
			out[name] = string(b)
		}
	}
	return out, nil
}
