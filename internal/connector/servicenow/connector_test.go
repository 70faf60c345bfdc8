package servicenow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/servicenow"
	"github.com/errand-dev/errand/internal/httpclient"
)

// basicAuth is Basic base64("errand:s3cret").
const basicAuth = "Basic ZXJyYW5kOnMzY3JldA=="

type received struct {
	Method, URL, Body string
	Header            http.Header
}

// fakeInstance answers like ServiceNow's Table API for the incident table.
type fakeInstance struct {
	mu        sync.Mutex
	reqs      []received
	incidents map[string]map[string]any
	order     []string
	throttle  bool
	html      bool
	srv       *httptest.Server
}

func newInstance(t *testing.T) *fakeInstance {
	t.Helper()
	f := &fakeInstance{incidents: map[string]map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeInstance) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.reqs...)
}

func snError(w http.ResponseWriter, status int, message, detail string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": message, "detail": detail}, "status": "failure"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeInstance) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, received{r.Method, r.URL.RequestURI(), string(body), r.Header.Clone()})
	const table = "/api/now/v2/table/incident"
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, table), "/")
	switch {
	case f.html:
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><title>Instance Hibernating page</title></html>")
	case f.throttle:
		w.Header().Set("Retry-After", "12")
		snError(w, 429, "Rate limit exceeded", "")
	case r.Header.Get("Authorization") != basicAuth:
		snError(w, 401, "User Not Authenticated", "Required to provide Auth information")
	case !strings.HasPrefix(r.URL.Path, table):
		snError(w, 400, "Invalid table", "")
	case r.Method == "POST" && id == "":
		f.create(w, body)
	case r.Method == "GET" && id == "":
		f.list(w, r)
	case f.incidents[id] == nil:
		snError(w, 404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
	case r.Method == "GET":
		writeJSON(w, 200, map[string]any{"result": f.incidents[id]})
	case r.Method == "PATCH":
		var fields map[string]any
		_ = json.Unmarshal(body, &fields)
		for k, v := range fields {
			f.incidents[id][k] = v
		}
		f.incidents[id]["sys_updated_on"] = "2026-03-01 12:05:00"
		writeJSON(w, 200, map[string]any{"result": f.incidents[id]})
	}
}

func (f *fakeInstance) create(w http.ResponseWriter, body []byte) {
	var fields map[string]any
	_ = json.Unmarshal(body, &fields)
	n := len(f.order) + 1
	id := fmt.Sprintf("9d385017c611228701d22104cc95c37%d", n)
	fields["sys_id"], fields["number"], fields["state"] = id, fmt.Sprintf("INC001000%d", n), "1"
	fields["sys_updated_on"] = "2026-03-01 12:00:00"
	f.incidents[id] = fields
	f.order = append(f.order, id)
	writeJSON(w, 201, map[string]any{"result": fields})
}

// list supports sysparm_query=ORDERBYDESCsys_created_on^correlation_id=<id>.
func (f *fakeInstance) list(w http.ResponseWriter, r *http.Request) {
	_, want, _ := strings.Cut(r.URL.Query().Get("sysparm_query"), "correlation_id=")
	out := []any{}
	for i := len(f.order) - 1; i >= 0; i-- {
		inc := f.incidents[f.order[i]]
		if want == "" || inc["correlation_id"] == want {
			out = append(out, inc)
		}
	}
	writeJSON(w, 200, map[string]any{"result": out})
}

func run(t *testing.T, f *fakeInstance, action string, params map[string]any) connector.Result {
	t.Helper()
	conn := &connector.Connector{ID: "sn", TypeID: servicenow.TypeID, Config: map[string]any{"apiUrl": f.srv.URL + "/", "isOAuth": false},
		Secrets: map[string]any{"username": "errand", "password": "s3cret"}}
	return servicenow.Type().Actions[action].Run(context.Background(),
		&connector.Call{Connector: conn, Params: params, HTTP: httpclient.New(httpclient.Options{})})
}

func requireOK(t *testing.T, res connector.Result) map[string]any {
	t.Helper()
	require.Equal(t, connector.StatusOK, res.Status, "message %q, service message %q", res.Message, res.ServiceMessage)
	out, _ := res.Data.(map[string]any)
	return out
}

func TestPushToServiceCreate(t *testing.T) {
	f := newInstance(t)
	res := run(t, f, "pushToService", map[string]any{
		"incident": map[string]any{"short_description": "Host isolated", "description": "by workflow", "impact": float64(2),
			"urgency": "1", "category": "network", "correlation_id": "rule-1:alert-9",
			"additional_fields": map[string]any{"assignment_group": "SOC", "short_description": "ignored"}},
		"comments": []any{map[string]any{"comment": "isolation started", "commentId": "c-1"}},
	})
	out := requireOK(t, res)
	id := "9d385017c611228701d22104cc95c371"
	require.Equal(t, map[string]any{"id": id, "title": "INC0010001", "pushedDate": "2026-03-01T12:00:00.000Z",
		"url":      f.srv.URL + "/nav_to.do?uri=incident.do?sys_id=" + id,
		"comments": []any{map[string]any{"commentId": "c-1", "pushedDate": "2026-03-01T12:05:00.000Z"}}}, out)
	reqs := f.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "POST", reqs[0].Method)
	require.Equal(t, "/api/now/v2/table/incident", reqs[0].URL)
	require.Equal(t, basicAuth, reqs[0].Header.Get("Authorization"))
	require.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	require.Equal(t, "application/json", reqs[0].Header.Get("Accept"))
	require.Equal(t, `{"assignment_group":"SOC","category":"network","correlation_id":"rule-1:alert-9","description":"by workflow",`+
		`"impact":"2","short_description":"Host isolated","urgency":"1"}`, reqs[0].Body)
	require.Equal(t, "PATCH", reqs[1].Method)
	require.Equal(t, "/api/now/v2/table/incident/"+id, reqs[1].URL)
	require.Equal(t, `{"work_notes":"isolation started"}`, reqs[1].Body)
}

func TestPushToServiceUpdate(t *testing.T) {
	for _, params := range []map[string]any{
		{"incident": map[string]any{"short_description": "updated", "externalId": "9d385017c611228701d22104cc95c371"}},
		{"incident": map[string]any{"short_description": "updated"}, "incidentId": "9d385017c611228701d22104cc95c371"},
	} {
		f := newInstance(t)
		requireOK(t, run(t, f, "pushToService", map[string]any{"incident": map[string]any{"short_description": "first"}}))
		out := requireOK(t, run(t, f, "pushToService", params))
		require.Equal(t, "INC0010001", out["title"])
		require.Equal(t, "2026-03-01T12:05:00.000Z", out["pushedDate"])
		last := f.requests()[1]
		require.Equal(t, "PATCH", last.Method)
		require.Equal(t, "/api/now/v2/table/incident/9d385017c611228701d22104cc95c371", last.URL)
		require.Equal(t, `{"short_description":"updated"}`, last.Body)
	}
}

func TestGetIncident(t *testing.T) {
	f := newInstance(t)
	requireOK(t, run(t, f, "pushToService", map[string]any{"incident": map[string]any{"short_description": "s"}}))
	out := requireOK(t, run(t, f, "getIncident", map[string]any{"externalId": "9d385017c611228701d22104cc95c371"}))
	require.Equal(t, "INC0010001", out["number"])
	require.Equal(t, "s", out["short_description"])
}

func TestCloseIncident(t *testing.T) {
	f := newInstance(t)
	for _, corr := range []string{"c-1", "c-2", "c-1"} {
		requireOK(t, run(t, f, "pushToService", map[string]any{"incident": map[string]any{"short_description": "s", "correlation_id": corr}}))
	}
	out := requireOK(t, run(t, f, "closeIncident", map[string]any{"incident": map[string]any{"correlation_id": "c-1"}}))
	require.Equal(t, "INC0010003", out["title"], "the newest incident with that correlation id")
	reqs := f.requests()
	require.Equal(t, "/api/now/v2/table/incident?sysparm_limit=1&sysparm_query=ORDERBYDESCsys_created_on%5Ecorrelation_id%3Dc-1", reqs[3].URL)
	require.Equal(t, "PATCH", reqs[4].Method)
	require.Equal(t, `{"close_code":"Closed/Resolved by Caller","close_notes":"Closed by Caller","state":"7"}`, reqs[4].Body)

	out = requireOK(t, run(t, f, "closeIncident", map[string]any{"incident": map[string]any{"externalId": "9d385017c611228701d22104cc95c373"}}))
	require.Equal(t, "INC0010003", out["title"])
	require.Len(t, f.requests(), 6, "an incident already closed is not patched again")

	res := run(t, f, "closeIncident", map[string]any{"incident": map[string]any{"externalId": "nope"}})
	require.Equal(t, connector.StatusOK, res.Status)
	require.Nil(t, res.Data)
	res = run(t, f, "closeIncident", map[string]any{"incident": map[string]any{"correlation_id": "c-9"}})
	require.Equal(t, connector.StatusOK, res.Status)
	require.Nil(t, res.Data)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(*fakeInstance)
		action     string
		params     map[string]any
		source     string
		retry      bool
		retryAfter time.Duration
		service    string
		message    string
	}{
		{"404 unknown incident", nil, "getIncident", map[string]any{"externalId": "x"}, connector.SourceUser, false, 0,
			"[404] No Record found: Record doesn't exist or ACL restricts the record retrieval", "error getting servicenow incident"},
		{"429 with Retry-After", func(f *fakeInstance) { f.throttle = true }, "getIncident", map[string]any{"externalId": "x"},
			connector.SourceFramework, true, 12 * time.Second, "[429] Rate limit exceeded", "error getting servicenow incident"},
		{"hibernating instance", func(f *fakeInstance) { f.html = true }, "getIncident", map[string]any{"externalId": "x"},
			connector.SourceFramework, true, 0, "", "error getting servicenow incident"},
		{"missing short_description", nil, "pushToService", map[string]any{"incident": map[string]any{}},
			connector.SourceUser, false, 0, "", "incident.short_description is required"},
		{"close without ids", nil, "closeIncident", map[string]any{"incident": map[string]any{}},
			connector.SourceUser, false, 0, "", "incident.externalId or incident.correlation_id is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInstance(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			res := run(t, f, tt.action, tt.params)
			require.Equal(t, connector.StatusError, res.Status)
			require.Equal(t, tt.source, res.ErrorSource)
			require.Equal(t, tt.retry, res.Retry)
			require.Equal(t, tt.retryAfter, res.RetryAfter)
			require.Contains(t, res.Message, tt.message)
			if tt.service != "" {
				require.Equal(t, tt.service, res.ServiceMessage)
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	f := newInstance(t)
	conn := &connector.Connector{Config: map[string]any{"apiUrl": f.srv.URL}, Secrets: map[string]any{"username": "errand", "password": "wrong"}}
	c := &connector.Call{Connector: conn, HTTP: httpclient.New(httpclient.Options{})}
	err := servicenow.Type().Test(context.Background(), c)
	require.ErrorContains(t, err, "401")
	res := servicenow.Type().Actions["getIncident"].Run(context.Background(), &connector.Call{Connector: conn,
		Params: map[string]any{"externalId": "x"}, HTTP: c.HTTP})
	require.Equal(t, "[401] User Not Authenticated: Required to provide Auth information", res.ServiceMessage)
	conn.Secrets["password"] = "s3cret"
	require.NoError(t, servicenow.Type().Test(context.Background(), c))
	require.Equal(t, "/api/now/v2/table/incident?sysparm_limit=1&sysparm_fields=sys_id", f.requests()[2].URL)
}

func TestValidateConfig(t *testing.T) {
	ok := map[string]any{"username": "u", "password": "p"}
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"basic", map[string]any{"apiUrl": "https://acme.service-now.com", "usesTableApi": false}, ok, ""},
		{"oauth", map[string]any{"apiUrl": "https://acme.service-now.com", "isOAuth": true}, ok, "OAuth (JWT bearer) is not supported yet"},
		{"bad url", map[string]any{"apiUrl": "acme"}, ok, "config.apiUrl"},
		{"no password", map[string]any{"apiUrl": "https://a"}, map[string]any{"username": "u"}, "secrets.username and secrets.password are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := servicenow.Type().ValidateConfig(tt.config, tt.secrets)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := servicenow.Type()
	for name, raw := range map[string]json.RawMessage{"config": typ.ConfigSchema, "secrets": typ.SecretsSchema,
		"push": typ.Actions["pushToService"].ParamsSchema, "get": typ.Actions["getIncident"].ParamsSchema,
		"close": typ.Actions["closeIncident"].ParamsSchema} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err, name)
		c := jsonschema.NewCompiler()
		require.NoError(t, c.AddResource(name, doc))
		_, err = c.Compile(name)
		require.NoError(t, err, name)
	}
	require.Equal(t, "servicenow.pushToService", typ.StepType("pushToService"))
}
