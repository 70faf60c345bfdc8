// Package cli holds Errand's cobra commands. Commands parse flags, call into the other
// packages and format results; they hold no engine logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/server"
)

// ExitError carries a process exit code without printing anything more.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// globals are the flags every command shares.
type globals struct {
	dataDir  string
	database string
	output   string
	// server is --server: the URL of an Errand server to call instead of the local store.
	server string
}

func (g *globals) config() server.Config {
	return server.Config{DataDir: g.dataDir, DatabaseURL: g.database}
}

// NewRoot builds the errand command tree.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "errand",
		Short:         "Errand runs Kibana-compatible workflows that reach external systems",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.dataDir, "data-dir", "",
		"directory of the embedded database (env ERRAND_DATA_DIR; default ~/.local/share/errand)")
	root.PersistentFlags().StringVar(&g.database, "database", "",
		"postgres:// URL to use PostgreSQL instead of the embedded SQLite (env ERRAND_DATABASE_URL)")
	root.PersistentFlags().StringVar(&g.server, "server", "",
		"URL of an Errand server to call instead of the local store (env ERRAND_SERVER; API key from ERRAND_API_KEY or ~/.config/errand/config.yaml)")
	root.AddCommand(newApplyCmd(g))
	root.AddCommand(newValidateCmd(), newRunCmd(g), newExecutionsCmd(g), newRenderCmd(),
		newSchemaCmd(), newWorkerCmd(g), newConnectorsCmd(g), newServeCmd(g), newAPIKeysCmd(g))
	return root
}

// Main runs the CLI and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	fmt.Fprintln(stderr, "error:", err)
	return 1
}

func readFile(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}
