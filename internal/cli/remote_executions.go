package cli

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/client"
)

// remoteListParams are the flags of `errand executions list` against a server.
type remoteListParams struct {
	workflow string
	statuses []string
	limit    int
	output   string
}

// listExecutionsRemote lists the executions of one workflow (--workflow) or, newest first,
// of every workflow the server holds.
func listExecutionsRemote(cmd *cobra.Command, g *globals, p remoteListParams) error {
	c, err := g.client(false)
	if err != nil {
		return err
	}
	rows, err := remoteExecutions(cmd, c, p)
	if err != nil {
		return err
	}
	if p.output == "json" {
		return writeJSON(cmd.OutOrStdout(), map[string]any{"results": rows, "total": len(rows)})
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tSTARTED\tDURATION")
	for _, e := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.WorkflowName, e.Status, fmtTime(e.StartedAt), remoteDuration(&e))
	}
	return tw.Flush()
}

// remoteExecutions gathers up to p.limit executions, newest first.
func remoteExecutions(cmd *cobra.Command, c *client.Client, p remoteListParams) ([]client.Execution, error) {
	ctx := cmd.Context()
	var workflows []client.Workflow
	if p.workflow != "" {
		wf, err := c.WorkflowByName(ctx, p.workflow)
		if err != nil {
			return nil, err
		}
		workflows = []client.Workflow{*wf}
	} else {
		all, err := allWorkflows(cmd, c)
		if err != nil {
			return nil, err
		}
		workflows = all
	}
	var rows []client.Execution
	for _, wf := range workflows {
		page, err := c.ListExecutions(ctx, wf.ID, client.ListExecutionsParams{Statuses: p.statuses, Size: p.limit})
		if err != nil {
			return nil, err
		}
		for _, e := range page.Results {
			e.WorkflowName = firstNonEmpty(e.WorkflowName, wf.Name)
			rows = append(rows, e)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return startedAt(rows[i]).After(startedAt(rows[j])) })
	return rows[:min(len(rows), p.limit)], nil
}

func allWorkflows(cmd *cobra.Command, c *client.Client) ([]client.Workflow, error) {
	const size = 100
	var out []client.Workflow
	for page := 1; ; page++ {
		list, err := c.ListWorkflows(cmd.Context(), client.ListWorkflowsParams{Page: page, Size: size})
		if err != nil {
			return nil, err
		}
		out = append(out, list.Results...)
		if len(list.Results) < size || len(out) >= list.Total {
			return out, nil
		}
	}
}

func startedAt(e client.Execution) time.Time {
	if e.StartedAt == nil {
		return time.Time{}
	}
	return *e.StartedAt
}

func remoteDuration(e *client.Execution) string {
	switch {
	case e.StartedAt != nil && e.FinishedAt != nil:
		return e.FinishedAt.Sub(*e.StartedAt).Round(time.Millisecond).String()
	case e.Duration != nil:
		return (time.Duration(*e.Duration) * time.Millisecond).String()
	case e.StartedAt != nil:
		return time.Since(*e.StartedAt).Round(time.Millisecond).String()
	}
	return "-"
}

// showExecutionRemote prints one execution of the server, with its steps and log on demand.
func showExecutionRemote(cmd *cobra.Command, g *globals, id string, steps, logs bool, output string) error {
	c, err := g.client(false)
	if err != nil {
		return err
	}
	ex, err := c.GetExecution(cmd.Context(), id, true)
	if err != nil {
		return err
	}
	view := map[string]any{"execution": ex}
	var logRows []client.LogEntry
	if logs {
		page, err := c.ExecutionLogs(cmd.Context(), id, 1, 10000)
		if err != nil {
			return err
		}
		logRows = page.Logs
		view["logs"] = logRows
	}
	if output == "json" {
		if !steps {
			ex.StepExecutions = nil
		}
		return writeJSON(cmd.OutOrStdout(), view)
	}
	printRemoteExecution(cmd.OutOrStdout(), ex, steps, logRows, logs)
	return nil
}

func printRemoteExecution(w io.Writer, ex *client.Execution, steps bool, logs []client.LogEntry, withLogs bool) {
	wf := ex.WorkflowName
	if ex.WorkflowID != "" {
		wf += " (" + ex.WorkflowID + ")"
	}
	fmt.Fprintf(w, "Execution:  %s\nWorkflow:   %s\nStatus:     %s\nTriggered:  %s by %s\nStarted:    %s\nDuration:   %s\n",
		ex.ID, wf, ex.Status, ex.TriggeredBy, ex.ExecutedBy, fmtTime(ex.StartedAt), remoteDuration(ex))
	if ex.Error != nil {
		fmt.Fprintf(w, "Error:      %s: %s\n", ex.Error.Type, ex.Error.Message)
	}
	if len(ex.Output) > 0 && string(ex.Output) != "null" {
		fmt.Fprintf(w, "Output:     %s\n", ex.Output)
	}
	if steps {
		fmt.Fprintln(w, "\nSteps:")
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tSTEP\tTYPE\tSTATUS\tDURATION\tERROR")
		for i, s := range ex.StepExecutions {
			msg, ms := "", 0.0
			if s.Error != nil {
				msg = s.Error.Message
			}
			if s.ExecutionTimeMs != nil {
				ms = *s.ExecutionTimeMs
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%gms\t%s\n", i+1, s.StepID, s.StepType, s.Status, ms, msg)
		}
		_ = tw.Flush()
	}
	if withLogs {
		fmt.Fprintln(w, "\nLog:")
		for _, l := range logs {
			ts := "-"
			if l.Timestamp != nil {
				ts = l.Timestamp.Local().Format("15:04:05.000")
			}
			fmt.Fprintf(w, "  %s %-5s %s %s\n", ts, l.Level, l.StepName, l.Message)
		}
	}
}
