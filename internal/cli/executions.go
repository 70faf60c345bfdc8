package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
)

func newExecutionsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "executions", Aliases: []string{"execution", "exec"}, Short: "List and inspect executions"}
	cmd.AddCommand(newExecutionsListCmd(g), newExecutionsShowCmd(g))
	return cmd
}

func newExecutionsListCmd(g *globals) *cobra.Command {
	var limit int
	var status []string
	var output, workflowName string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List executions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.remote() {
				return listExecutionsRemote(cmd, g, remoteListParams{workflow: workflowName, statuses: status, limit: limit, output: output})
			}
			st, err := server.OpenStore(cmd.Context(), g.config())
			if err != nil {
				return err
			}
			defer st.Close()
			rows, total, err := st.ExecutionList(cmd.Context(), store.ExecutionListParams{Statuses: status, Limit: limit})
			if err != nil {
				return fmt.Errorf("listing executions: %w", err)
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"results": executionViews(rows), "total": total})
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tSTARTED\tDURATION")
			for _, e := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.WorkflowName, e.Status, fmtTime(e.StartedAt), fmtDuration(e))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many executions to list")
	cmd.Flags().StringSliceVar(&status, "status", nil, "only these statuses (comma separated)")
	cmd.Flags().StringVar(&workflowName, "workflow", "", "with --server: only the executions of the workflow of this name")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func newExecutionsShowCmd(g *globals) *cobra.Command {
	var steps, logs bool
	var output string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one execution, its steps and its log",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return showExecutionRemote(cmd, g, args[0], steps, logs, output)
			}
			ctx := cmd.Context()
			st, err := server.OpenStore(ctx, g.config())
			if err != nil {
				return err
			}
			defer st.Close()
			ex, err := st.ExecutionGet(ctx, args[0])
			if err != nil {
				return fmt.Errorf("reading execution %s: %w", args[0], err)
			}
			view := map[string]any{"execution": executionView(ex)}
			var stepRows []*store.StepExecution
			var logRows []*store.LogEntry
			if steps {
				if stepRows, err = st.StepExecutionList(ctx, ex.ID); err != nil {
					return fmt.Errorf("listing steps of %s: %w", ex.ID, err)
				}
				view["steps"] = stepViews(stepRows)
			}
			if logs {
				if logRows, _, err = st.LogList(ctx, ex.ID, 10000, 0); err != nil {
					return fmt.Errorf("listing log of %s: %w", ex.ID, err)
				}
				view["logs"] = logRows
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), view)
			}
			printExecution(cmd.OutOrStdout(), ex, stepRows, logRows)
			return nil
		},
	}
	cmd.Flags().BoolVar(&steps, "steps", false, "include step executions")
	cmd.Flags().BoolVar(&logs, "logs", false, "include the execution log")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printExecution(w io.Writer, ex *store.Execution, steps []*store.StepExecution, logs []*store.LogEntry) {
	wf := ex.WorkflowName
	if ex.WorkflowID != "" {
		wf += " (" + ex.WorkflowID + ")"
	}
	fmt.Fprintf(w, "Execution:  %s\nWorkflow:   %s\nStatus:     %s\nTriggered:  %s by %s\nStarted:    %s\nDuration:   %s\n",
		ex.ID, wf, ex.Status, ex.TriggeredBy, ex.ExecutedBy, fmtTime(ex.StartedAt), fmtDuration(ex))
	if len(ex.Error) > 0 {
		fmt.Fprintf(w, "Error:      %s\n", ex.Error)
	}
	if len(ex.Output) > 0 && string(ex.Output) != "null" {
		fmt.Fprintf(w, "Output:     %s\n", ex.Output)
	}
	if steps != nil {
		fmt.Fprintln(w, "\nSteps:")
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tPATH\tTYPE\tSTATUS\tDURATION\tERROR")
		for _, s := range steps {
			msg := ""
			var se struct{ Message string }
			if len(s.Error) > 0 && json.Unmarshal(s.Error, &se) == nil {
				msg = se.Message
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%dms\t%s\n", s.Seq, s.Path, s.StepType, s.Status, s.DurationMs, msg)
		}
		tw.Flush()
	}
	if logs != nil {
		fmt.Fprintln(w, "\nLog:")
		for _, l := range logs {
			fmt.Fprintf(w, "  %s %-5s %s %s\n", l.Timestamp.Local().Format("15:04:05.000"), l.Level, l.StepName, l.Message)
		}
	}
}

func executionViews(rows []*store.Execution) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, e := range rows {
		out = append(out, executionView(e))
	}
	return out
}

func executionView(e *store.Execution) map[string]any {
	return map[string]any{
		"id": e.ID, "workflowId": e.WorkflowID, "workflowName": e.WorkflowName, "status": e.Status,
		"triggeredBy": e.TriggeredBy, "executedBy": e.ExecutedBy, "isTestRun": e.IsTestRun,
		"startedAt": e.StartedAt, "finishedAt": e.FinishedAt, "inputs": raw(e.Inputs),
		"output": raw(e.Output), "error": raw(e.Error),
	}
}

func stepViews(rows []*store.StepExecution) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, s := range rows {
		out = append(out, map[string]any{
			"id": s.ID, "path": s.Path, "stepId": s.StepName, "stepType": s.StepType, "attempt": s.Attempt,
			"status": s.Status, "startedAt": s.StartedAt, "finishedAt": s.FinishedAt,
			"executionTimeMs": s.DurationMs, "input": raw(s.Input), "output": raw(s.Output), "error": raw(s.Error),
		})
	}
	return out
}

func raw(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func fmtDuration(e *store.Execution) string {
	if e.StartedAt == nil {
		return "-"
	}
	end := time.Now()
	if e.FinishedAt != nil {
		end = *e.FinishedAt
	}
	return end.Sub(*e.StartedAt).Round(time.Millisecond).String()
}
