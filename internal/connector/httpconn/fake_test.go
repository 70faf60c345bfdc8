package httpconn

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// received is one request a fake server got.
type received struct {
	Method string
	URL    string // path and query as sent
	Header http.Header
	Body   string
}

// fake is an httptest server recording every request and answering with a handler.
type fake struct {
	mu   sync.Mutex
	reqs []received
	srv  *httptest.Server
}

func newFake(t *testing.T, handler http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, received{r.Method, r.URL.RequestURI(), r.Header.Clone(), string(body)})
		f.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.reqs...)
}

// reply returns a handler writing a status, a JSON body and extra header pairs.
func reply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

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
