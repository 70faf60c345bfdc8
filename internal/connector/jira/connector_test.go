package jira_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/jira"
	"github.com/errand-dev/errand/internal/httpclient"
)

// cloudAuth is Basic base64("bot@example.com:atl-token").
const cloudAuth = "Basic Ym90QGV4YW1wbGUuY29tOmF0bC10b2tlbg=="

var cloudSecrets = map[string]any{"email": "bot@example.com", "apiToken": "atl-token"}

func call(f *fakeJira, secrets, params map[string]any) *connector.Call {
	conn := &connector.Connector{ID: "j-1", Name: "engineering-project", TypeID: jira.TypeID,
		Config: map[string]any{"apiUrl": f.srv.URL + "/", "projectKey": "ENG"}, Secrets: secrets}
	return &connector.Call{Connector: conn, Params: params, HTTP: httpclient.New(httpclient.Options{})}
}

func run(t *testing.T, f *fakeJira, action string, params map[string]any) connector.Result {
	t.Helper()
	a, ok := jira.Type().Actions[action]
	require.True(t, ok, action)
	return a.Run(context.Background(), call(f, cloudSecrets, params))
}

func requireOK(t *testing.T, res connector.Result) any {
	t.Helper()
	require.Equal(t, connector.StatusOK, res.Status, "message %q, service message %q", res.Message, res.ServiceMessage)
	return res.Data
}

// TestSeedCreateJiraTicket runs the seed's create_jira_ticket step as rendered and asserts
// the exact request Jira receives and the step's output.
func TestSeedCreateJiraTicket(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	res := run(t, f, "", map[string]any{
		"projectKey":  "ENG",
		"issueType":   "Task",
		"summary":     "Automated Task: Review 'Suspicious login'",
		"description": "Workflow 'triage' requires manual review for a potential issue.",
	})
	require.Equal(t, map[string]any{"id": "10002", "key": "ENG-2", "url": f.srv.URL + "/browse/ENG-2"}, requireOK(t, res))
	reqs := f.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "POST", reqs[0].Method)
	require.Equal(t, "/rest/api/2/issue", reqs[0].URL)
	require.Equal(t, cloudAuth, reqs[0].Header.Get("Authorization"))
	require.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	require.Equal(t, "application/json", reqs[0].Header.Get("Accept"))
	require.Equal(t, `{"fields":{"description":"Workflow 'triage' requires manual review for a potential issue.",`+
		`"issuetype":{"name":"Task"},"project":{"key":"ENG"},"summary":"Automated Task: Review 'Suspicious login'"}}`, reqs[0].Body)
}

func TestCreateFields(t *testing.T) {
	tests := []struct {
		name     string
		params   map[string]any
		wantBody string
	}{
		{"numeric issue type is an id", map[string]any{"issueType": "10002", "summary": "s"},
			`{"fields":{"issuetype":{"id":"10002"},"project":{"key":"ENG"},"summary":"s"}}`},
		{"number issue type", map[string]any{"issueType": float64(10002), "summary": "s"},
			`{"fields":{"issuetype":{"id":"10002"},"project":{"key":"ENG"},"summary":"s"}}`},
		{"all named fields and other fields", map[string]any{"issueType": "Bug", "summary": "s", "priority": "High",
			"labels": []any{"sec", "auto"}, "parent": "ENG-1", "otherFields": map[string]any{"customfield_10020": map[string]any{"value": "S1"}}},
			`{"fields":{"customfield_10020":{"value":"S1"},"issuetype":{"name":"Bug"},"labels":["sec","auto"],"parent":{"key":"ENG-1"},` +
				`"priority":{"name":"High"},"project":{"key":"ENG"},"summary":"s"}}`},
		{"project from the connector, line breaks joined", map[string]any{"issueType": "Task", "summary": "a\nb"},
			`{"fields":{"issuetype":{"name":"Task"},"project":{"key":"ENG"},"summary":"a, b"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeJira(t, cloudAuth)
			requireOK(t, run(t, f, "", tt.params))
			reqs := f.requests()
			require.Equal(t, tt.wantBody, reqs[len(reqs)-1].Body)
		})
	}
}

func TestCreateWithoutIssueTypeTakesTheFirst(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	requireOK(t, run(t, f, "", map[string]any{"summary": "s"}))
	reqs := f.requests()
	require.Equal(t, "/rest/api/2/issue/createmeta/ENG/issuetypes?maxResults=100", reqs[0].URL)
	require.JSONEq(t, `{"fields":{"issuetype":{"id":"10001"},"project":{"key":"ENG"},"summary":"s"}}`, reqs[1].Body)
}

func TestAuthShapes(t *testing.T) {
	tests := []struct {
		name    string
		secrets map[string]any
		want    string
	}{
		{"cloud", cloudSecrets, cloudAuth},
		{"data center PAT", map[string]any{"personalAccessToken": "pat-1"}, "Bearer pat-1"},
		{"api token alone", map[string]any{"apiToken": "pat-2"}, "Bearer pat-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeJira(t, tt.want)
			res := jira.Type().Actions[""].Run(context.Background(), call(f, tt.secrets, map[string]any{"issueType": "Task", "summary": "s"}))
			requireOK(t, res)
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(*fakeJira)
		action     string
		params     map[string]any
		source     string
		retry      bool
		retryAfter time.Duration
		service    string
		message    string
	}{
		{"400 with field errors", nil, "", map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "s"},
			connector.SourceUser, false, 0, "[400] project: valid project is required", "error creating jira issue"},
		{"401 bad credentials", func(f *fakeJira) { f.auth = "Basic other" }, "", map[string]any{"issueType": "Task", "summary": "s"},
			connector.SourceUser, false, 0, "[401] Client must be authenticated to access this resource.", "error creating jira issue"},
		{"404 unknown issue", nil, "getIncident", map[string]any{"externalId": "ENG-999"},
			connector.SourceUser, false, 0, "[404] Issue does not exist or you do not have permission to see it.", "error getting jira issue"},
		{"429 with Retry-After", func(f *fakeJira) { f.throttle = true }, "issue", map[string]any{"id": "1"},
			connector.SourceFramework, true, 30 * time.Second, "[429] Rate limit exceeded.", "error getting jira issue"},
		{"missing summary", nil, "", map[string]any{"issueType": "Task"},
			connector.SourceUser, false, 0, "", "error creating jira issue: invalid parameter: summary is required"},
		{"other fields repeat a named one", nil, "", map[string]any{"summary": "s", "issueType": "Task", "otherFields": map[string]any{"Labels": []any{}}},
			connector.SourceUser, false, 0, "", "otherFields.Labels: set labels with its own parameter"},
		{"label with a space", nil, "", map[string]any{"summary": "s", "issueType": "Task", "labels": []any{"two words"}},
			connector.SourceUser, false, 0, "", "contains whitespace"},
		{"push without incident", nil, "pushToService", map[string]any{},
			connector.SourceUser, false, 0, "", "incident.summary is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeJira(t, cloudAuth)
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

func TestNonJSONAnswerPointsAtApiURL(t *testing.T) {
	login := newFakeJira(t, cloudAuth)
	login.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><title>Log in</title></html>"))
	})
	res := run(t, login, "issue", map[string]any{"id": "1"})
	require.Equal(t, connector.StatusError, res.Status)
	require.Contains(t, res.ServiceMessage, "check that apiUrl is the Jira site URL")
}

func TestPushToServiceCreateWithComments(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	res := run(t, f, "pushToService", map[string]any{
		"incident": map[string]any{"summary": "Host isolated", "description": "d", "issueType": "10001", "priority": "High"},
		"comments": []any{map[string]any{"comment": "first", "commentId": "c-1"}, map[string]any{"comment": "", "commentId": "c-2"}},
	})
	data := requireOK(t, res).(map[string]any)
	require.Equal(t, "10002", data["id"])
	require.Equal(t, "ENG-2", data["title"])
	require.Equal(t, f.srv.URL+"/browse/ENG-2", data["url"])
	_, err := time.Parse(time.RFC3339, data["pushedDate"].(string))
	require.NoError(t, err)
	require.Equal(t, []any{map[string]any{"commentId": "c-1", "externalCommentId": "10003", "pushedDate": "2026-03-01T12:00:00.000Z"}}, data["comments"])
	reqs := f.requests()
	require.Len(t, reqs, 2, "the empty comment is skipped")
	require.Equal(t, "/rest/api/2/issue/10002/comment", reqs[1].URL)
	require.Equal(t, `{"body":"first"}`, reqs[1].Body)
}

func TestPushToServiceUpdate(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	requireOK(t, run(t, f, "", map[string]any{"issueType": "Task", "summary": "old"}))
	res := run(t, f, "pushToService", map[string]any{"incident": map[string]any{"externalId": "ENG-2", "summary": "new", "labels": []any{"x"}}})
	require.Equal(t, map[string]any{"id": "10002", "title": "ENG-2", "pushedDate": "2026-03-02T07:30:00.000Z",
		"url": f.srv.URL + "/browse/ENG-2"}, requireOK(t, res))
	reqs := f.requests()
	require.Equal(t, "PUT", reqs[1].Method)
	require.Equal(t, "/rest/api/2/issue/ENG-2", reqs[1].URL)
	require.Equal(t, `{"fields":{"labels":["x"],"summary":"new"}}`, reqs[1].Body)
	require.Equal(t, "/rest/api/2/issue/ENG-2?fields=updated", reqs[2].URL)
}

func TestReads(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	requireOK(t, run(t, f, "", map[string]any{"issueType": "Task", "summary": "Disk \"full\"", "description": "d"}))

	got := requireOK(t, run(t, f, "getIncident", map[string]any{"externalId": "ENG-2"})).(map[string]any)
	require.Equal(t, "10002", got["id"])
	require.Equal(t, "ENG-2", got["key"])
	require.Equal(t, "Disk \"full\"", got["summary"])
	require.Equal(t, "2026-03-01T12:00:00.000Z", got["created"])

	require.Equal(t, map[string]any{"id": "10002", "key": "ENG-2", "title": "Disk \"full\""},
		requireOK(t, run(t, f, "issue", map[string]any{"id": "10002"})))

	found := requireOK(t, run(t, f, "issues", map[string]any{"title": "Disk \"full\""}))
	require.Equal(t, []any{map[string]any{"id": "10002", "key": "ENG-2", "title": "Disk \"full\""}}, found)
	reqs := f.requests()
	search := reqs[len(reqs)-1]
	require.Equal(t, "/rest/api/2/search/jql", search.URL)
	require.JSONEq(t, `{"jql":"project=\"ENG\" and summary ~\"Disk \\\"full\\\"\"","fields":["summary"],"maxResults":50}`, search.Body)
}

func TestDataCenterFallbacks(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	f.dataCenter = true
	requireOK(t, run(t, f, "", map[string]any{"issueType": "Task", "summary": "needle"}))
	found := requireOK(t, run(t, f, "issues", map[string]any{"title": "needle"}))
	require.Len(t, found, 1)
	reqs := f.requests()
	require.Equal(t, "/rest/api/2/search/jql", reqs[1].URL)
	require.Equal(t, "/rest/api/2/search", reqs[2].URL)

	types := requireOK(t, run(t, f, "issueTypes", nil))
	require.Equal(t, []any{map[string]any{"id": "10001", "name": "Task"}, map[string]any{"id": "10002", "name": "Bug"}}, types)

	f.noMeta = true
	types = requireOK(t, run(t, f, "issueTypes", nil))
	require.Equal(t, []any{map[string]any{"id": "1", "name": "Bug"}, map[string]any{"id": "3", "name": "Task"}}, types)
}

func TestFields(t *testing.T) {
	for _, dc := range []bool{false, true} {
		f := newFakeJira(t, cloudAuth)
		f.dataCenter = dc
		bug := requireOK(t, run(t, f, "fieldsByIssueType", map[string]any{"id": "10002"})).(map[string]any)
		require.Len(t, bug, 3)
		require.Equal(t, map[string]any{"id": "priority", "name": "Priority", "required": false, "schema": nil,
			"allowedValues": []any{map[string]any{"id": "1", "name": "High"}}, "defaultValue": map[string]any{"id": "1", "name": "High"}}, bug["priority"])

		common := requireOK(t, run(t, f, "getFields", nil)).(map[string]any)
		require.Len(t, common, 2, "customfield_10020 is only on Bug")
		require.Contains(t, common, "summary")
		require.Contains(t, common, "priority")
	}
}

func TestConnectionTest(t *testing.T) {
	f := newFakeJira(t, cloudAuth)
	require.NoError(t, jira.Type().Test(context.Background(), call(f, cloudSecrets, nil)))
	require.Equal(t, "/rest/api/2/myself", f.requests()[0].URL)
	err := jira.Type().Test(context.Background(), call(f, map[string]any{"email": "bot@example.com", "apiToken": "wrong"}, nil))
	require.ErrorContains(t, err, "401")
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"cloud", map[string]any{"apiUrl": "https://acme.atlassian.net", "projectKey": "ENG"}, cloudSecrets, ""},
		{"data center", map[string]any{"apiUrl": "https://jira.acme.internal/", "projectKey": "ENG"}, map[string]any{"personalAccessToken": "p"}, ""},
		{"no url", map[string]any{"projectKey": "ENG"}, cloudSecrets, "config.apiUrl"},
		{"no project", map[string]any{"apiUrl": "https://acme.atlassian.net"}, cloudSecrets, "config.projectKey is required"},
		{"email without token", map[string]any{"apiUrl": "https://a", "projectKey": "E"}, map[string]any{"email": "e"}, "secrets need"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := jira.Type().ValidateConfig(tt.config, tt.secrets)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := jira.Type()
	compile := func(name string, raw json.RawMessage) *jsonschema.Schema {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err, name)
		c := jsonschema.NewCompiler()
		require.NoError(t, c.AddResource(name, doc))
		s, err := c.Compile(name)
		require.NoError(t, err, name)
		return s
	}
	compile("config", typ.ConfigSchema)
	compile("secrets", typ.SecretsSchema)
	steps := map[string]bool{}
	for name, a := range typ.Actions {
		compile(name+".json", a.ParamsSchema)
		steps[typ.StepType(name)] = true
	}
	require.Equal(t, map[string]bool{"jira": true, "jira.pushToService": true, "jira.getIncident": true, "jira.issue": true,
		"jira.issues": true, "jira.issueTypes": true, "jira.getFields": true, "jira.fieldsByIssueType": true}, steps)
	seed := compile("seed.json", typ.Actions[""].ParamsSchema)
	require.NoError(t, seed.Validate(map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "s", "description": "d"}))
	require.Error(t, seed.Validate(map[string]any{"projectKey": "ENG", "issueType": "Task"}))
	push := compile("push.json", typ.Actions["pushToService"].ParamsSchema)
	require.NoError(t, push.Validate(map[string]any{"incident": map[string]any{"summary": "s", "issueType": "10001"},
		"comments": []any{map[string]any{"comment": "c", "commentId": "1"}}}))
}
