package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/client/clienttest"
)

const key = "aWQ6c2VjcmV0"

const helloYAML = `name: hello
enabled: true
triggers:
  - type: manual
steps:
  - name: greet
    type: console
    with:
      message: hi
`

func newClient(t *testing.T, f *clienttest.Fake, apiKey string) *client.Client {
	t.Helper()
	c, err := client.New(f.URL, apiKey)
	require.NoError(t, err)
	return c
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://localhost:8080", true},
		{"https://kibana.example/s/ops/", true},
		{"localhost:8080", false},
		{"ftp://host", false},
		{"http://", false},
		{"://bad", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := client.New(tc.url, "")
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestWorkflowLifecycle(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	c := newClient(t, f, key)

	created, err := c.CreateWorkflow(ctx, helloYAML, "")
	require.NoError(t, err)
	require.Equal(t, "hello", created.Name)
	require.True(t, created.Valid)

	found, err := c.WorkflowByName(ctx, "hello")
	require.NoError(t, err)
	require.Equal(t, created.ID, found.ID)

	_, err = c.WorkflowByName(ctx, "hell")
	require.ErrorIs(t, err, client.ErrNotFound)

	changed := strings.Replace(helloYAML, "message: hi", "message: hello there", 1)
	res, err := c.UpdateWorkflow(ctx, created.ID, client.WorkflowUpdate{YAML: &changed})
	require.NoError(t, err)
	require.True(t, res.Valid)
	require.Empty(t, res.ValidationErrors)

	got, err := c.GetWorkflow(ctx, created.ID)
	require.NoError(t, err)
	require.Equal(t, changed, got.YAML)

	list, err := c.ListWorkflows(ctx, client.ListWorkflowsParams{})
	require.NoError(t, err)
	require.Equal(t, 1, list.Total)
	require.Equal(t, "hello", list.Results[0].Name)

	for _, r := range f.Requests() {
		require.Equal(t, "ApiKey "+key, r.Header.Get("Authorization"), r.Path)
		require.Equal(t, client.APIVersion, r.Header.Get("elastic-api-version"), r.Path)
		if r.Method != http.MethodGet {
			require.Equal(t, "true", r.Header.Get("kbn-xsrf"), r.Path)
		}
	}
}

func TestWorkflowByNamePages(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	c := newClient(t, f, key)
	for i := 0; i < 105; i++ {
		_, err := c.CreateWorkflow(ctx, strings.Replace(helloYAML, "name: hello", "name: hello"+strings.Repeat("x", i), 1), "")
		require.NoError(t, err)
	}
	wf, err := c.WorkflowByName(ctx, "hello"+strings.Repeat("x", 104))
	require.NoError(t, err)
	require.Equal(t, "workflow-105", wf.ID)
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	good := newClient(t, f, key)
	_, err := good.CreateWorkflow(ctx, helloYAML, "hello-id")
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		call     func(c *client.Client) error
		apiKey   string
		sentinel error
		status   int
		contains []string
	}{
		{"wrong key", func(c *client.Client) error { _, err := c.ListWorkflows(ctx, client.ListWorkflowsParams{}); return err },
			"bad", client.ErrUnauthenticated, 401, []string{"401 Unauthorized", "missing or invalid API key"}},
		{"invalid yaml", func(c *client.Client) error {
			_, err := c.CreateWorkflow(ctx, "name: x\nsteps:\n  - name: a\n    type: console\n    with: {message: hi}\n  - name: a\n    type: console\n", "")
			return err
		}, key, client.ErrBadRequest, 400, []string{"workflow YAML is invalid", "6:"}},
		{"missing workflow", func(c *client.Client) error { _, err := c.GetWorkflow(ctx, "nope"); return err },
			key, client.ErrNotFound, 404, []string{"workflow nope not found"}},
		{"duplicate id", func(c *client.Client) error { _, err := c.CreateWorkflow(ctx, helloYAML, "hello-id"); return err },
			key, client.ErrConflict, 409, []string{"already exists"}},
		{"missing execution", func(c *client.Client) error { _, err := c.GetExecution(ctx, "nope", false); return err },
			key, client.ErrNotFound, 404, []string{"execution nope not found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(newClient(t, f, tc.apiKey))
			require.ErrorIs(t, err, tc.sentinel)
			var ae *client.APIError
			require.True(t, errors.As(err, &ae))
			require.Equal(t, tc.status, ae.Status)
			for _, s := range tc.contains {
				require.Contains(t, err.Error(), s)
			}
		})
	}
}

func TestInvalidYAMLDiagnosticsHavePositions(t *testing.T) {
	f := clienttest.New(t, key)
	c := newClient(t, f, key)
	_, err := c.CreateWorkflow(context.Background(), "name: x\nsteps:\n  - name: a\n    type: nosuchtype\n", "")
	var ae *client.APIError
	require.True(t, errors.As(err, &ae))
	diags := ae.AllDiagnostics()
	require.NotEmpty(t, diags)
	for _, d := range diags {
		require.Positive(t, d.Line, d.String())
		require.Contains(t, err.Error(), d.String())
	}
}

// TestKibanaErrorBody checks the {statusCode, error, message} body Kibana sends (for a
// missing kbn-xsrf, say) and a plain-text body.
func TestKibanaErrorBody(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"kibana", `{"statusCode":400,"error":"Bad Request","message":"Request must contain a kbn-xsrf header."}`,
			"GET /api/workflows: 400 Bad Request: Request must contain a kbn-xsrf header."},
		{"text", "upstream down\n", "GET /api/workflows: 400 Bad Request: upstream down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := client.New(srv.URL, "")
			require.NoError(t, err)
			_, err = c.ListWorkflows(context.Background(), client.ListWorkflowsParams{})
			require.EqualError(t, errors.Unwrap(err), tc.want)
		})
	}
}

func TestRunTestAndExecutions(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	c := newClient(t, f, key)
	wf, err := c.CreateWorkflow(ctx, helloYAML, "")
	require.NoError(t, err)

	runID, err := c.RunWorkflow(ctx, wf.ID, map[string]any{"who": "ops"})
	require.NoError(t, err)
	ex, err := c.GetExecution(ctx, runID, true)
	require.NoError(t, err)
	require.Equal(t, "completed", ex.Status)
	require.False(t, ex.IsTestRun)
	require.JSONEq(t, `{"who":"ops"}`, string(ex.Input))

	testID, err := c.TestWorkflow(ctx, strings.Replace(helloYAML, "name: greet", "name: fail-here", 1), nil)
	require.NoError(t, err)
	ex, err = c.GetExecution(ctx, testID, false)
	require.NoError(t, err)
	require.Equal(t, "failed", ex.Status)
	require.True(t, ex.IsTestRun)
	require.Equal(t, "step fail-here failed", ex.Error.Message)

	list, err := c.ListExecutions(ctx, wf.ID, client.ListExecutionsParams{Statuses: []string{"completed"}})
	require.NoError(t, err)
	require.Equal(t, 1, list.Total)
	require.Equal(t, runID, list.Results[0].ID)

	conns, err := c.ListConnectors(ctx)
	require.NoError(t, err)
	require.Equal(t, ".slack", conns[0].ConnectorTypeID)
}

func TestValidationErrorStrings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want client.Diagnostic
	}{
		{`"6:11 Unknown step type \"x\""`, client.Diagnostic{Line: 6, Col: 11, Message: `Unknown step type "x"`}},
		{`"name is required"`, client.Diagnostic{Message: "name is required"}},
		{`"a:b c"`, client.Diagnostic{Message: "a:b c"}},
		{`{"message":"m","line":2,"column":3,"ruleId":"r"}`, client.Diagnostic{Line: 2, Col: 3, Message: "m", Rule: "r"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var d client.Diagnostic
			require.NoError(t, json.Unmarshal([]byte(tc.in), &d))
			require.Equal(t, tc.want, d)
		})
	}
}
