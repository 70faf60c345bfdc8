package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/workflow"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the workflow language's JSON Schema (for editors)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), string(workflow.JSONSchema(stepTypeOptions().StepTypeNames)))
			return nil
		},
	}
}
