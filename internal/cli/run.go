package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
)

type runFlags struct {
	inputs     []string
	inputsFile string
	eventFile  string
	quiet      bool
}

func newRunCmd(g *globals) *cobra.Command {
	f := &runFlags{}
	var workflowName string
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow on the embedded store (or on --server), showing each step live",
		Args:  runArgs(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.remote() {
				return runRemote(cmd, g, f, workflowName, args)
			}
			return runWorkflow(cmd, g, f, args[0])
		},
	}
	addRemoteRunFlags(cmd, &workflowName)
	cmd.Flags().StringArrayVar(&f.inputs, "input", nil, "an input as key=value (value parsed as JSON when it is valid JSON); repeatable")
	cmd.Flags().StringVar(&f.inputsFile, "inputs-file", "", "a JSON file with the inputs object")
	cmd.Flags().StringVar(&f.eventFile, "event", "", "a JSON file with the trigger event (the `event` variable)")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print only the workflow output")
	return cmd
}

func (f *runFlags) collect() (inputs, event map[string]any, err error) {
	inputs = map[string]any{}
	if f.inputsFile != "" {
		if err := readJSONFile(f.inputsFile, &inputs); err != nil {
			return nil, nil, err
		}
	}
	for _, kv := range f.inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, fmt.Errorf("--input %q: use key=value", kv)
		}
		var parsed any
		if json.Unmarshal([]byte(v), &parsed) == nil {
			inputs[k] = parsed
		} else {
			inputs[k] = v
		}
	}
	if f.eventFile != "" {
		event = map[string]any{}
		if err := readJSONFile(f.eventFile, &event); err != nil {
			return nil, nil, err
		}
	}
	return inputs, event, nil
}

func readJSONFile(path string, v any) error {
	b, err := readFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parsing %s as a JSON object: %w", path, err)
	}
	return nil
}

func runWorkflow(cmd *cobra.Command, g *globals, f *runFlags, path string) error {
	src, err := readFile(path)
	if err != nil {
		return err
	}
	diags := ValidateSource(src)
	r := fileDiagnostics{File: path, Diagnostics: diags}.withValidity()
	if !r.Valid {
		_ = printDiagnostics(cmd, "text", []fileDiagnostics{r})
		return &ExitError{Code: 1}
	}
	inputs, event, err := f.collect()
	if err != nil {
		return err
	}
	pr := newProgress(cmd.ErrOrStderr(), f.quiet)
	cfg := g.config()
	cfg.Observer = pr
	ctx := cmd.Context()
	rt, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer rt.Close()
	if err := checkRunConnectors(cmd, path, src, rt.Connectors); err != nil {
		return err
	}
	exec, err := rt.Engine.Start(ctx, engine.StartParams{YAML: string(src), Inputs: inputs, Event: event,
		TriggeredBy: "manual", ExecutedBy: currentUser()})
	if err != nil {
		return err
	}
	pr.follow(exec.ID)
	if err := rt.Queue.Start(ctx); err != nil {
		return fmt.Errorf("starting queue: %w", err)
	}
	final, err := waitTerminal(ctx, rt.Store, exec.ID, pr)
	pr.stop()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "\ninterrupted: execution %s is kept; `errand worker` continues it\n", exec.ID)
			return &ExitError{Code: 130}
		}
		return err
	}
	return reportFinal(cmd, final)
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

// waitTerminal waits until the execution reaches a terminal status.
func waitTerminal(ctx context.Context, st store.Store, id string, pr *progress) (*store.Execution, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ex, err := st.ExecutionGet(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("reading execution %s: %w", id, err)
		}
		if store.IsTerminal(ex.Status) {
			return ex, nil
		}
		pr.status(ex)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-pr.done:
		case <-tick.C:
		}
	}
}

func reportFinal(cmd *cobra.Command, ex *store.Execution) error {
	out := cmd.OutOrStdout()
	if len(ex.Output) > 0 && string(ex.Output) != "null" {
		var v any
		if json.Unmarshal(ex.Output, &v) == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(out, string(b))
		}
	}
	dur := ""
	if ex.StartedAt != nil && ex.FinishedAt != nil {
		dur = " in " + ex.FinishedAt.Sub(*ex.StartedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "execution %s %s%s\n", ex.ID, ex.Status, dur)
	if ex.Status == store.StatusCompleted {
		return nil
	}
	if len(ex.Error) > 0 {
		var se engine.StepError
		if json.Unmarshal(ex.Error, &se) == nil && se.Message != "" {
			fmt.Fprintf(cmd.ErrOrStderr(), "error: %s: %s\n", se.Type, se.Message)
		}
	}
	return &ExitError{Code: 1}
}
