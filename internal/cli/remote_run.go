package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/engine"
)

// runArgs is `errand run`'s argument rule: a FILE locally; a FILE or none (with
// --workflow) against a server.
func runArgs(g *globals) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if g.remote() {
			return cobra.MaximumNArgs(1)(cmd, args)
		}
		return cobra.ExactArgs(1)(cmd, args)
	}
}

// addRemoteRunFlags adds the flags `errand run` takes only with --server.
func addRemoteRunFlags(cmd *cobra.Command, workflowName *string) {
	cmd.Flags().StringVar(workflowName, "workflow", "", "with --server: run the stored workflow of this name instead of a FILE")
}

// runRemote starts a run on the server — FILE as a test run (POST /api/workflows/test, not
// stored), or the stored workflow named by --workflow — and follows its events with the
// same display as a local run.
func runRemote(cmd *cobra.Command, g *globals, f *runFlags, workflowName string, args []string) error {
	if (workflowName == "") == (len(args) == 0) {
		return errors.New("give a workflow FILE or --workflow NAME (not both)")
	}
	c, err := g.client(false)
	if err != nil {
		return err
	}
	inputs, event, err := f.collect()
	if err != nil {
		return err
	}
	if event != nil {
		return errors.New("--event is not supported with --server; pass the event as an input")
	}
	id, err := startRemote(cmd, c, workflowName, args, inputs)
	if err != nil {
		return err
	}
	return followRemote(cmd, c, id, f.quiet)
}

// startRemote starts the execution and returns its id; invalid YAML is printed with the
// server's diagnostics and becomes exit status 1.
func startRemote(cmd *cobra.Command, c *client.Client, workflowName string, args []string, inputs map[string]any) (string, error) {
	ctx := cmd.Context()
	if workflowName != "" {
		wf, err := c.WorkflowByName(ctx, workflowName)
		if err != nil {
			return "", err
		}
		return c.RunWorkflow(ctx, wf.ID, inputs)
	}
	src, err := readFile(args[0])
	if err != nil {
		return "", err
	}
	id, err := c.TestWorkflow(ctx, string(src), inputs)
	if errors.Is(err, client.ErrBadRequest) {
		printRemoteError(cmd, args[0], err)
		return "", &ExitError{Code: 1}
	}
	return id, err
}

// followRemote shows the execution's events until it finishes, then its output and status.
func followRemote(cmd *cobra.Command, c *client.Client, id string, quiet bool) error {
	ctx := cmd.Context()
	pr := newProgress(cmd.ErrOrStderr(), quiet)
	pr.follow(id)
	err := c.Follow(ctx, id, func(ev client.Event) error {
		pr.OnEvent(engineEvent(id, ev))
		return nil
	})
	pr.stop()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "\ninterrupted: execution %s continues on the server\n", id)
			return &ExitError{Code: 130}
		}
		return err
	}
	ex, err := c.GetExecution(ctx, id, true)
	if err != nil {
		return err
	}
	return reportRemote(cmd, ex)
}

// engineEvent converts a streamed event into the engine's, for the progress display.
func engineEvent(execID string, ev client.Event) engine.Event {
	out := engine.Event{Kind: ev.Kind, ExecutionID: firstNonEmpty(ev.ExecutionID, execID), StepPath: ev.StepPath,
		StepName: ev.StepName, StepType: ev.StepType, Status: ev.Status, Level: ev.Level, Message: ev.Message,
		Duration: ev.Duration, Time: ev.Time}
	if out.Kind == "status" {
		out.Kind = engine.EventExecutionStatus
	}
	if out.StepPath == "" {
		out.StepPath = ev.StepName
	}
	if ev.Error != nil {
		out.Error = &engine.StepError{Type: ev.Error.Type, Message: ev.Error.Message}
	}
	return out
}

// reportRemote prints the output (stdout) and the final status (stderr) as a local run
// does, and returns exit status 1 unless the execution completed.
func reportRemote(cmd *cobra.Command, ex *client.Execution) error {
	if len(ex.Output) > 0 && string(ex.Output) != "null" {
		var v any
		if json.Unmarshal(ex.Output, &v) == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
		}
	}
	dur := ""
	if ex.StartedAt != nil && ex.FinishedAt != nil {
		dur = " in " + ex.FinishedAt.Sub(*ex.StartedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "execution %s %s%s\n", ex.ID, ex.Status, dur)
	if ex.Status == "completed" {
		return nil
	}
	if ex.Error != nil && ex.Error.Message != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "error: %s: %s\n", ex.Error.Type, ex.Error.Message)
	}
	return &ExitError{Code: 1}
}
