package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/server"
)

func newWorkerCmd(g *globals) *cobra.Command {
	var workers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run queued, waiting and interrupted executions until stopped (Ctrl-C)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := g.config()
			cfg.Workers = workers
			rt, err := server.Open(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer rt.Close()
			if err := rt.Queue.Start(cmd.Context()); err != nil {
				return fmt.Errorf("starting queue: %w", err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "worker running; Ctrl-C stops it (running executions continue on the next start)")
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().IntVar(&workers, "workers", 0, "executions run at once (default 100)")
	return cmd
}
