package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/template"
)

func newRenderCmd() *cobra.Command {
	var ctxFile string
	var expression, jsonl bool
	cmd := &cobra.Command{
		Use:   "render [TEMPLATE]",
		Short: "Render a Liquid template (or evaluate an expression) against a JSON context",
		Long: "Render a template as a workflow step would see it, for debugging.\n" +
			"With --jsonl, read lines {\"id\",\"mode\":\"template\"|\"expression\",\"template\",\"context\"} from stdin\n" +
			"and write one line each: {\"id\",\"output\"}, {\"id\",\"value\"} or {\"id\",\"error\"}.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng := template.New(template.DefaultLimits())
			if jsonl {
				return template.RunJSONL(eng, os.Stdin, cmd.OutOrStdout())
			}
			if len(args) != 1 {
				return fmt.Errorf("give the template as an argument, or use --jsonl")
			}
			data := map[string]any{}
			if ctxFile != "" {
				if err := readJSONFile(ctxFile, &data); err != nil {
					return err
				}
			}
			if expression {
				v, err := eng.Eval(args[0], data)
				if err != nil {
					return err
				}
				return writeJSON(cmd.OutOrStdout(), v)
			}
			out, err := eng.Render(args[0], data)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&ctxFile, "context", "", "JSON file with the template context")
	cmd.Flags().BoolVar(&expression, "expression", false, "evaluate a bare expression and print its value as JSON")
	cmd.Flags().BoolVar(&jsonl, "jsonl", false, "batch mode: JSON lines on stdin, one result line each on stdout")
	return cmd
}
