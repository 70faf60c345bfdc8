package client_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/server"
)

// serveErrand starts the real service on loopback and returns an admin client.
func serveErrand(t *testing.T) *client.Client {
	t.Helper()
	svc, err := server.NewService(context.Background(), server.ServeConfig{
		Config: server.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler), LeaseTTL: time.Second},
		Listen: "127.0.0.1:0", ShutdownTimeout: 300 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(svc.Stop)
	c, err := client.New("http://"+svc.Addr(), svc.BootstrapToken)
	require.NoError(t, err)
	return c
}

func TestConnectorLifecycle(t *testing.T) {
	c := serveErrand(t)
	ctx := context.Background()
	slack := client.ConnectorCreate{Name: "alerts", ConnectorTypeID: ".slack",
		Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/x"}}
	created, err := c.CreateConnector(ctx, slack)
	require.NoError(t, err)
	require.Equal(t, "alerts", created.Name)
	require.Equal(t, ".slack", created.ConnectorTypeID)
	require.False(t, created.IsMissingSecrets)

	withID := slack
	withID.ID, withID.Name = "my-id", "alerts-2"
	got, err := c.CreateConnector(ctx, withID)
	require.NoError(t, err)
	require.Equal(t, "my-id", got.ID)

	got, err = c.GetConnector(ctx, created.ID)
	require.NoError(t, err)
	require.Equal(t, created.ID, got.ID)
	list, err := c.ListConnectors(ctx)
	require.NoError(t, err)
	var names []string
	for _, x := range list {
		names = append(names, x.Name)
	}
	require.Subset(t, names, []string{"alerts", "alerts-2"})

	renamed, err := c.UpdateConnector(ctx, created.ID, client.ConnectorUpdate{Name: "renamed"})
	require.NoError(t, err, "omitted secrets are kept, so the required webhookUrl still validates")
	require.Equal(t, "renamed", renamed.Name)
	_, err = c.UpdateConnector(ctx, created.ID, client.ConnectorUpdate{Name: "renamed", Secrets: map[string]any{"webhookUrl": nil}})
	require.ErrorIs(t, err, client.ErrBadRequest, "a null secret clears it, and webhookUrl is required")

	require.NoError(t, c.DeleteConnector(ctx, "my-id"))
	_, err = c.GetConnector(ctx, "my-id")
	require.ErrorIs(t, err, client.ErrNotFound)
}

func TestConnectorErrors(t *testing.T) {
	c := serveErrand(t)
	ctx := context.Background()
	_, err := c.CreateConnector(ctx, client.ConnectorCreate{Name: "a", ConnectorTypeID: ".slack",
		Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/x"}})
	require.NoError(t, err)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown type", func() error {
			_, err := c.CreateConnector(ctx, client.ConnectorCreate{Name: "b", ConnectorTypeID: ".nosuch"})
			return err
		}, client.ErrBadRequest},
		{"duplicate name", func() error {
			_, err := c.CreateConnector(ctx, client.ConnectorCreate{Name: "a", ConnectorTypeID: ".slack",
				Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/y"}})
			return err
		}, client.ErrConflict},
		{"update missing", func() error {
			_, err := c.UpdateConnector(ctx, "nope", client.ConnectorUpdate{Name: "x"})
			return err
		}, client.ErrNotFound},
		{"delete missing", func() error { return c.DeleteConnector(ctx, "nope") }, client.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, tt.want)
			var ae *client.APIError
			require.ErrorAs(t, err, &ae)
			require.NotEmpty(t, ae.ErrorID)
		})
	}
}
