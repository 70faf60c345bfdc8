package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/workflow"
)

// errNoAPIKey is returned when a server is named but no API key is configured.
var errNoAPIKey = errors.New("no API key: set ERRAND_API_KEY or api_key in the client config file")

// serverURL is the server the commands talk to: --server, else ERRAND_SERVER; empty means
// the local store. The config file's server is used only by commands that always need a
// server (apply), so that a config file never silently turns local runs into remote ones.
func (g *globals) serverURL() string {
	if g.server != "" {
		return g.server
	}
	return os.Getenv("ERRAND_SERVER")
}

// remote reports whether the command should call a server instead of the local store.
func (g *globals) remote() bool { return g.serverURL() != "" }

// client builds the API client. useConfigServer lets the config file name the server when
// neither --server nor ERRAND_SERVER does. The API key comes from ERRAND_API_KEY, else the
// config file.
func (g *globals) client(useConfigServer bool) (*client.Client, error) {
	path := client.DefaultConfigPath()
	cfg, err := client.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	server := g.serverURL()
	if server == "" && useConfigServer {
		server = cfg.Server
	}
	if server == "" {
		return nil, fmt.Errorf("no server: give --server URL, set ERRAND_SERVER, or set server in %s", path)
	}
	key := os.Getenv("ERRAND_API_KEY")
	if key == "" {
		key = cfg.APIKey
	}
	if key == "" {
		return nil, fmt.Errorf("calling %s: %w (%s)", server, errNoAPIKey, path)
	}
	return client.New(server, key, client.WithUserAgent("errand-cli"))
}

// printRemoteError prints an API error about file with each of the server's diagnostics
// on its own line, as `errand validate` prints local ones; other errors are printed plainly.
func printRemoteError(cmd *cobra.Command, file string, err error) {
	w := cmd.ErrOrStderr()
	var ae *client.APIError
	if !errors.As(err, &ae) || len(ae.AllDiagnostics()) == 0 {
		fmt.Fprintf(w, "%s: %v\n", file, err)
		return
	}
	fmt.Fprintf(w, "%s: %s\n", file, firstNonEmpty(ae.Detail, ae.Message, ae.Title))
	printServerDiagnostics(cmd, file, ae.AllDiagnostics())
}

// printServerDiagnostics prints diagnostics as FILE:line:col: severity rule: message.
func printServerDiagnostics(cmd *cobra.Command, file string, diags []client.Diagnostic) {
	for _, d := range diags {
		what := firstNonEmpty(d.Severity, workflow.SeverityError)
		if d.Rule != "" {
			what += " " + d.Rule
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d:%d: %s: %s\n", file, d.Line, d.Col, what, d.Message)
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
