// Command load measures webhook-triggered executions end to end: it fires POSTs at a
// workflow's webhook (POST /api/workflows/workflow/{id}/execute) at a fixed rate, open loop
// (a slow server does not slow the sender down, so queueing shows in the figures), and
// measures each execution from its scheduled trigger time to its completion. The workflow
// has three steps — http (to a fake API this program serves on loopback), data.set and
// console. Unless -server is given it starts `errand serve` on a fresh SQLite data directory.
//
// It lives under scripts/ rather than cmd/ because it is a development tool, not something
// Errand ships: cmd/ holds the one binary. scripts/load-webhook.sh builds and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/errand-dev/errand/internal/client"
)

// options are the command-line flags.
type options struct {
	server   string
	apiKey   string
	errand   string
	dataDir  string
	rate     float64
	duration time.Duration
	timeout  time.Duration
	observe  string
	workers  int
	jsonOut  bool
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.server, "server", "", "URL of a running errand serve (default: start one with -errand)")
	flag.StringVar(&o.apiKey, "api-key", os.Getenv("ERRAND_API_KEY"), "API key of -server (env ERRAND_API_KEY)")
	flag.StringVar(&o.errand, "errand", "errand", "errand binary to start when -server is not given")
	flag.StringVar(&o.dataDir, "data-dir", "", "data directory of the started server (default: a new temporary one)")
	flag.Float64Var(&o.rate, "rate", 200, "webhook calls per second")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long to send")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for one execution to finish")
	flag.StringVar(&o.observe, "observe", "sse", "how completions are observed: sse (event stream) or poll (GET every 20 ms)")
	flag.IntVar(&o.workers, "workers", 0, "--workers of the started server (0: its default)")
	flag.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// run sets up the target, the server and the workflow, fires, and prints the report. It
// fails when any execution failed.
func run(ctx context.Context, o options) error {
	target, err := startTarget()
	if err != nil {
		return err
	}
	defer target.close()
	if o.server == "" {
		srv, err := startErrand(ctx, o)
		if err != nil {
			return err
		}
		defer srv.stop()
		o.server, o.apiKey = srv.url, srv.apiKey
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}}
	c, err := client.New(o.server, o.apiKey, client.WithHTTPClient(hc), client.WithReconnectWait(50*time.Millisecond))
	if err != nil {
		return err
	}
	wfID, err := applyWorkflow(ctx, c, target.url)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load: %s, workflow %s, %.0f/s for %s, observing by %s\n", o.server, wfID, o.rate, o.duration, o.observe)
	res := fire(ctx, c, wfID, o)
	rep := res.report(o, target.hits.Load())
	if err := rep.print(os.Stdout, o.jsonOut); err != nil {
		return err
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d of %d executions failed", rep.Errors, rep.Sent)
	}
	return nil
}
