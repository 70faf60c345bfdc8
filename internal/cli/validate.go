package cli

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

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
			results := make([]fileDiagnostics, 0, len(args))
			failed := false
			for _, f := range args {
				r, err := validateFile(f)
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

// validateFile parses and validates one file against this build's step types.
func validateFile(path string) (fileDiagnostics, error) {
	src, err := readFile(path)
	if err != nil {
		return fileDiagnostics{}, err
	}
	return fileDiagnostics{File: path, Diagnostics: ValidateSource(src)}.withValidity(), nil
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
