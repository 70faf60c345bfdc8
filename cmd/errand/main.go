// Command errand is the Errand workflow engine: it validates and runs Kibana-compatible
// workflows. All logic lives in internal/; main only wires signals to the CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/errand-dev/errand/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
