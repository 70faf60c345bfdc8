package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/workflow"
)

type fileDiagnostics struct {
	File        string                `json:"file"`
	Valid       bool                  `json:"valid"`
	Diagnostics []workflow.Diagnostic `json:"diagnostics"`
}

func newValidateCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check workflow files and print every problem with its position",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, closeStore, err := storeConnectors(cmd)
			if err != nil {
				return err
			}
			defer closeStore()
			results := make([]fileDiagnostics, 0, len(args))
			failed := false
			for _, f := range args {
				r, err := validateFile(cmd.Context(), f, svc)
				if err != nil {
					return err
				}
				failed = failed || !r.Valid
				results = append(results, r)
			}
			if err := printDiagnostics(cmd, format, results); err != nil {
				return err
			}
			if failed {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// validateFile parses and validates one file against this build's step types and, when svc
// is not nil, against its connectors.
func validateFile(ctx context.Context, path string, svc *connector.Service) (fileDiagnostics, error) {
	src, err := readFile(path)
	if err != nil {
		return fileDiagnostics{}, err
	}
	diags := ValidateSource(src)
	diags = append(diags, connectorDiagnostics(ctx, src, svc)...)
	workflow.SortDiagnostics(diags)
	return fileDiagnostics{File: path, Diagnostics: diags}.withValidity(), nil
}

// connectorDiagnostics checks the connector-id of every step of src against svc's
// connectors (none when svc is nil or src does not parse).
func connectorDiagnostics(ctx context.Context, src []byte, svc *connector.Service) []workflow.Diagnostic {
	if svc == nil {
		return nil
	}
	wf, _ := workflow.Parse(src)
	return server.CheckConnectors(ctx, svc, wf)
}

// checkRunConnectors prints the connector diagnostics of the workflow in path and returns
// an ExitError when one is an error, so that `errand run` fails before starting.
func checkRunConnectors(cmd *cobra.Command, path string, src []byte, svc *connector.Service) error {
	r := fileDiagnostics{File: path, Diagnostics: connectorDiagnostics(cmd.Context(), src, svc)}.withValidity()
	if len(r.Diagnostics) == 0 {
		return nil
	}
	if err := printDiagnostics(cmd, "text", []fileDiagnostics{r}); err != nil {
		return err
	}
	if !r.Valid {
		return &ExitError{Code: 1}
	}
	return nil
}

// storeConnectors opens the connectors of the store the global flags name, when one is at
// hand: --database or ERRAND_DATABASE_URL is given, or the data directory holds a database.
// Validation never creates a database; without one it returns a nil Service.
func storeConnectors(cmd *cobra.Command) (*connector.Service, func(), error) {
	cfg := server.Config{}
	if f := cmd.Flag("data-dir"); f != nil {
		cfg.DataDir = f.Value.String()
	}
	if f := cmd.Flag("database"); f != nil {
		cfg.DatabaseURL = f.Value.String()
	}
	dataDir := cfg.DataDir
	if dataDir == "" {
		dataDir = server.DefaultDataDir()
	}
	_, statErr := os.Stat(filepath.Join(dataDir, "errand.db"))
	if cfg.DatabaseURL == "" && os.Getenv("ERRAND_DATABASE_URL") == "" && statErr != nil {
		return nil, func() {}, nil
	}
	cr, err := server.OpenConnectors(cmd.Context(), cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the store to check connectors: %w", err)
	}
	return cr.Connectors, func() { _ = cr.Store.Close() }, nil
}

func (r fileDiagnostics) withValidity() fileDiagnostics {
	r.Valid = true
	for _, d := range r.Diagnostics {
		if d.Severity == "error" {
			r.Valid = false
		}
	}
	if r.Diagnostics == nil {
		r.Diagnostics = []workflow.Diagnostic{}
	}
	return r
}

// ValidateSource parses src and validates it with the step types this build serves.
func ValidateSource(src []byte) []workflow.Diagnostic {
	wf, diags := workflow.Parse(src)
	if wf == nil {
		return diags
	}
	diags = append(diags, workflow.Validate(wf, stepTypeOptions())...)
	sort.SliceStable(diags, func(i, j int) bool {
		if diags[i].Line != diags[j].Line {
			return diags[i].Line < diags[j].Line
		}
		return diags[i].Col < diags[j].Col
	})
	return diags
}

func stepTypeOptions() workflow.ValidateOptions { return server.ValidateOptions() }

func printDiagnostics(cmd *cobra.Command, format string, results []fileDiagnostics) error {
	out := cmd.OutOrStdout()
	switch format {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	case "text":
		for _, r := range results {
			for _, d := range r.Diagnostics {
				fmt.Fprintf(out, "%s:%d:%d: %s %s: %s\n", r.File, d.Line, d.Col, d.Severity, d.Rule, d.Message)
			}
			if r.Valid {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: valid\n", r.File)
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown --format %q: use text or json", format)
	}
}
