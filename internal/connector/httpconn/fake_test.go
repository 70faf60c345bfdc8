package httpconn

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// clock is a settable clock for token expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// runner runs steps through one type instance (one token cache).
type runner struct {
	typ *connector.Type
}

func newRunner(c *clock) *runner {
	if c == nil {
		c = &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	}
	return &runner{typ: newType(c.Now)}
}

func (r *runner) run(t *testing.T, config, secrets, with map[string]any) connector.Result {
	t.Helper()
	conn := &connector.Connector{ID: "c-1", Name: "security-response-api", TypeID: TypeID, Config: config, Secrets: secrets}
	call := &connector.Call{Connector: conn, Params: with, HTTP: httpclient.New(httpclient.Options{})}
	return r.typ.Actions[""].Run(context.Background(), call)
}

func requireOK(t *testing.T, res connector.Result) map[string]any {
	t.Helper()
	require.Equal(t, connector.StatusOK, res.Status, "message %q, service message %q", res.Message, res.ServiceMessage)
	out, ok := res.Data.(map[string]any)
	require.True(t, ok, "data is %T", res.Data)
	return out
}
