package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
)

// leakWorkflow reaches every connector, echoes what comes back, fails in the ways that
// quote credentials, and copies everything it saw into variables, logs, a second request and
// the workflow output.
const leakWorkflow = `version: "1"
name: leak-everything
triggers:
  - type: manual
steps:
  - name: bearer_echo
    type: http
    connector-id: leak-http-bearer
    with:
      path: /echo/bearer
      method: POST
      query:
        q: look
      body:
        hello: world
  - name: basic_echo
    type: http
    connector-id: leak-http-basic
    with:
      path: /echo/basic
  - name: bearer_401
    type: http
    connector-id: leak-http-bearer
    with:
      path: /fail401/bearer
    on-failure:
      continue: true
  - name: basic_401
    type: http
    connector-id: leak-http-basic
    with:
      path: /fail401/basic
    on-failure:
      continue: true
  - name: bearer_500
    type: http
    connector-id: leak-http-bearer
    with:
      path: /fail500/bearer
    on-failure:
      continue: true
  - name: slack_echo
    type: slack
    connector-id: leak-slack
    with:
      message: hello
  - name: slack_404
    type: slack
    connector-id: leak-slack
    with:
      message: please fail
    on-failure:
      continue: true
  - name: slack_unreachable
    type: slack
    connector-id: leak-slack-dead
    with:
      message: nobody listens
    on-failure:
      continue: true
  - name: jira_echo
    type: jira.getIncident
    connector-id: leak-jira
    with:
      externalId: ENG-1
  - name: jira_401
    type: jira.getIncident
    connector-id: leak-jira
    with:
      externalId: fail401
    on-failure:
      continue: true
  - name: copy
    type: data.set
    with:
      everything: "${{ steps }}"
      bearer: "{{ steps.bearer_echo.output }}"
      bearer_error: "{{ steps.bearer_401.error }}"
      slack_error: "{{ steps.slack_unreachable.error.message }}"
  - name: print_steps
    type: console
    with:
      message: "{{ steps }}"
  - name: print_variables
    type: console
    with:
      message: "{{ variables }} / {{ steps.bearer_500.error.message }} / {{ steps.jira_401.error }}"
  - name: send_back
    type: http
    connector-id: leak-http-bearer
    with:
      path: /echo/again
      method: POST
      body: "${{ variables }}"
  - name: done
    type: workflow.output
    with:
      steps: "${{ steps }}"
      variables: "${{ variables }}"
`

// leakSecrets are one run's distinctive secret values.
type leakSecrets struct {
	token, headerValue, user, password, webhook, deadWebhook, email, apiToken string
}

// newLeakSecrets returns values random per run, with characters that every encoding changes.
func newLeakSecrets(echo, dead string) leakSecrets {
	r := func() string {
		var b [6]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}
	return leakSecrets{
		token:       "s3cr3t-TOKEN-" + r() + "+/&x=",
		headerValue: "s3cr3t-HEADER-" + r() + " <&>",
		user:        "s3cr3t-USER-" + r(),
		password:    "s3cr3t-PASS-" + r() + "?#%",
		webhook:     echo + "/services/T000/B000/s3cr3tHOOK" + r(),
		deadWebhook: dead + "/services/T000/B000/s3cr3tDEAD" + r(),
		email:       "s3cr3t-" + r() + "@example.com",
		apiToken:    "s3cr3t-JIRA-" + r() + "+/",
	}
}

// forms returns what to search for: every secret value and Basic auth pair in every
// encoding it could travel in, keyed by a description of value and encoding.
func (s leakSecrets) forms() map[string]string {
	values := map[string]string{"bearer token": s.token, "secret header": s.headerValue,
		"basic user": s.user, "basic password": s.password, "slack webhook": s.webhook,
		"dead slack webhook": s.deadWebhook, "jira email": s.email, "jira apiToken": s.apiToken,
		"basic user:password": s.user + ":" + s.password, "jira email:apiToken": s.email + ":" + s.apiToken}
	out := map[string]string{}
	for name, v := range values {
		j, _ := json.Marshal(v)
		var noHTML bytes.Buffer
		enc := json.NewEncoder(&noHTML)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		for enc, form := range map[string]string{
			"raw":                 v,
			"base64 std":          base64.StdEncoding.EncodeToString([]byte(v)),
			"base64 std raw":      base64.RawStdEncoding.EncodeToString([]byte(v)),
			"base64 url":          base64.URLEncoding.EncodeToString([]byte(v)),
			"base64 url raw":      base64.RawURLEncoding.EncodeToString([]byte(v)),
			"query-escaped":       url.QueryEscape(v),
			"query-escaped %20":   strings.ReplaceAll(url.QueryEscape(v), "+", "%20"),
			"path-escaped":        url.PathEscape(v),
			"json-escaped":        strings.Trim(string(j), `"`),
			"json-escaped noHTML": strings.Trim(strings.TrimSpace(noHTML.String()), `"`),
		} {
			out[name+" ("+enc+")"] = form
		}
	}
	return out
}

// echoServer is a remote that answers with everything it received: method, URL, headers and
// body, in JSON (as a Jira issue's fields too). /fail401 answers 401 with a message quoting
// the Authorization header and the URL; /fail500 answers 500 with the secret header copied
// into a response header and quoted in the message; a Slack post saying "please fail"
// answers 404 with the URL. It counts the requests that carried the bearer token, so the
// test knows the secrets did reach a remote that echoed them.
type echoServer struct {
	token    string
	received atomic.Int64
}

func (e *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	full := "http://" + r.Host + r.URL.RequestURI()
	if strings.Contains(r.Header.Get("Authorization"), e.token) {
		e.received.Add(1)
	}
	echo := map[string]any{"method": r.Method, "url": full, "path": r.URL.Path,
		"headers": r.Header, "body": string(body)}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
	switch {
	case strings.Contains(r.URL.Path, "fail401"):
		w.WriteHeader(http.StatusUnauthorized)
		msg := "bad token " + r.Header.Get("Authorization") + " for " + full
		_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "errorMessages": []string{msg},
			"error": msg, "detail": msg})
	case strings.Contains(r.URL.Path, "fail500"):
		w.Header().Set("X-Debug-Secret", r.Header.Get("X-Leak-Secret"))
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]any{"message": "internal error: X-Leak-Secret=" +
			r.Header.Get("X-Leak-Secret") + " Authorization=" + r.Header.Get("Authorization") + " url=" + full})
	case strings.HasPrefix(r.URL.Path, "/services/") && strings.Contains(string(body), "please fail"):
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "no_service: "+full+" "+string(body))
	case strings.HasPrefix(r.URL.Path, "/services/"):
		w.Header().Set("Content-Type", "text/plain")
		b, _ := json.Marshal(echo)
		_, _ = w.Write(b)
	default:
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "10001", "key": "ENG-1", "fields": echo, "echo": echo})
	}
}

// eventLog is an engine Observer that keeps every event and signals terminal statuses.
type eventLog struct {
	mu     sync.Mutex
	events []engine.Event
	done   chan string
}

func (l *eventLog) OnEvent(ev engine.Event) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
	if ev.Kind == "execution_status" && store.IsTerminal(ev.Status) {
		l.done <- ev.ExecutionID
	}
}

func (l *eventLog) dump() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _ := json.Marshal(l.events)
	return string(b) + fmt.Sprintf("%+v", l.events)
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// leakBackend is a store to run the leak test on and a way to read all it holds.
type leakBackend struct {
	name string
	// config returns the runtime config and a dump of everything the database holds,
	// called after the runtime is closed.
	config func(t *testing.T, dataDir string) (string, func() []byte)
}

func leakBackends() []leakBackend {
	return []leakBackend{
		{name: "sqlite", config: func(t *testing.T, dataDir string) (string, func() []byte) {
			return "", func() []byte { return sqliteFiles(t, dataDir) }
		}},
		{name: "postgres", config: func(t *testing.T, _ string) (string, func() []byte) {
			base, dsn, schema := leakPGSchema(t)
			return dsn, func() []byte { return pgDump(t, base, schema) }
		}},
	}
}

// TestConnectorSecretsNeverLeak runs a workflow that echoes everything it can reach through
// .http, .slack and .jira connectors, then searches step records, execution output and
// error, logs, observer events, process logs, connector listings, connection test results
// and the database's bytes for every secret value in every encoding.
func TestConnectorSecretsNeverLeak(t *testing.T) {
	for _, be := range leakBackends() {
		t.Run(be.name, func(t *testing.T) {
			dataDir := t.TempDir()
			dsn, dump := be.config(t, dataDir)
			runLeakWorkflow(t, dataDir, dsn, dump)
		})
	}
}

func runLeakWorkflow(t *testing.T, dataDir, dsn string, dump func() []byte) {
	ctx := t.Context()
	dead := closedAddress(t)
	echo := &echoServer{}
	srv := httptest.NewServer(echo)
	t.Cleanup(srv.Close)
	sec := newLeakSecrets(srv.URL, dead)
	echo.token = sec.token

	var processLog syncBuffer
	obs := &eventLog{done: make(chan string, 4)}
	rt, err := Open(ctx, Config{DataDir: dataDir, DatabaseURL: dsn, Observer: obs, Workers: 4,
		Logger: slog.New(slog.NewJSONHandler(&processLog, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = rt.Close()
		}
	})
	ids := createLeakConnectors(t, rt.Connectors, srv.URL, sec)

	ex, err := rt.Engine.Start(ctx, engine.StartParams{YAML: leakWorkflow, TriggeredBy: "manual"})
	require.NoError(t, err)
	require.NoError(t, rt.Queue.Start(ctx))
	select {
	case id := <-obs.done:
		require.Equal(t, ex.ID, id)
	case <-time.After(2 * time.Minute):
		t.Fatal("the execution did not finish")
	}

	places := map[string]string{}
	final, err := rt.Store.ExecutionGet(ctx, ex.ID)
	require.NoError(t, err)
	require.Equal(t, store.StatusCompleted, final.Status, "execution error: %s", final.Error)
	places["execution output"] = string(final.Output)
	places["execution error"] = string(final.Error)
	places["execution record"] = fmt.Sprintf("%+v", *final)

	steps, err := rt.Store.StepExecutionList(ctx, ex.ID)
	require.NoError(t, err)
	statuses := map[string]string{}
	redacted := 0
	for _, s := range steps {
		statuses[s.StepName] = s.Status
		where := "step " + s.Path
		places[where+" input"], places[where+" output"] = string(s.Input), string(s.Output)
		places[where+" error"], places[where+" state"] = string(s.Error), string(s.State)
		redacted += strings.Count(string(s.Output)+string(s.Error), "[REDACTED]")
	}
	for _, name := range []string{"bearer_echo", "basic_echo", "slack_echo", "jira_echo", "send_back"} {
		require.Equal(t, store.StatusCompleted, statuses[name], "step %s", name)
	}
	for _, name := range []string{"bearer_401", "basic_401", "bearer_500", "slack_404", "slack_unreachable", "jira_401"} {
		require.Equal(t, store.StatusFailed, statuses[name], "step %s", name)
	}
	require.Positive(t, echo.received.Load(), "the echo server never saw the bearer token")
	require.Positive(t, redacted, "no step record was redacted: the echo did not reach the records")

	logs, _, err := rt.Store.LogList(ctx, ex.ID, 10000, 0)
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	for _, l := range logs {
		places[fmt.Sprintf("log %d (%s)", l.ID, l.StepPath)] = l.Message + " " + string(l.Data)
	}
	places["observer events"] = obs.dump()
	places["process log"] = processLog.String()

	list, err := rt.Connectors.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, len(ids))
	places["Connectors.List"] = apiText(list)
	for name, id := range ids {
		c, err := rt.Connectors.Get(ctx, id)
		require.NoError(t, err)
		places["Connectors.Get "+name] = apiText(c)
		places["Connectors.Test "+name] = apiText(rt.Connectors.Test(ctx, id))
	}

	require.NoError(t, rt.Close())
	closed = true
	places["database"] = string(dump())
	require.Contains(t, places["database"], "leak-http-bearer", "the database dump is searchable")

	assertNoSecret(t, sec, places)
}

// createLeakConnectors stores the connectors the workflow uses and returns their ids by name.
func createLeakConnectors(t *testing.T, svc *connector.Service, echoURL string, sec leakSecrets) map[string]string {
	params := []connector.CreateParams{
		{Name: "leak-http-bearer", TypeID: ".http",
			Config:  map[string]any{"url": echoURL, "authType": "bearer", "headers": map[string]any{"X-Plain": "visible"}},
			Secrets: map[string]any{"token": sec.token, "secretHeaders": map[string]any{"X-Leak-Secret": sec.headerValue}}},
		{Name: "leak-http-basic", TypeID: ".http",
			Config:  map[string]any{"url": echoURL, "authType": "basic"},
			Secrets: map[string]any{"user": sec.user, "password": sec.password}},
		// Used only for its connection test, which the remote refuses quoting the credentials.
		{Name: "leak-http-refused", TypeID: ".http",
			Config:  map[string]any{"url": echoURL + "/fail401/test", "authType": "basic"},
			Secrets: map[string]any{"user": sec.user, "password": sec.password}},
		{Name: "leak-slack", TypeID: ".slack", Secrets: map[string]any{"webhookUrl": sec.webhook}},
		{Name: "leak-slack-dead", TypeID: ".slack", Secrets: map[string]any{"webhookUrl": sec.deadWebhook}},
		{Name: "leak-jira", TypeID: ".jira", Config: map[string]any{"apiUrl": echoURL, "projectKey": "ENG"},
			Secrets: map[string]any{"email": sec.email, "apiToken": sec.apiToken}},
	}
	ids := map[string]string{}
	for _, p := range params {
		c, err := svc.Create(t.Context(), p)
		require.NoError(t, err, "creating %s", p.Name)
		ids[p.Name] = c.ID
	}
	return ids
}

// apiText renders an API answer both as JSON and as Go sees it (unexported fields too).
func apiText(v any) string {
	b, _ := json.Marshal(v)
	return string(b) + fmt.Sprintf(" %+v", v)
}

// assertNoSecret fails with every place a secret form was found.
func assertNoSecret(t *testing.T, sec leakSecrets, places map[string]string) {
	t.Helper()
	var found []string
	for form, needle := range sec.forms() {
		for where, text := range places {
			if strings.Contains(text, needle) {
				found = append(found, fmt.Sprintf("%s in %s: …%s…", form, where, around(text, needle)))
			}
		}
	}
	sort.Strings(found)
	n := len(found)
	if n > 40 {
		found = append(found[:40], fmt.Sprintf("… and %d more", n-40))
	}
	require.Empty(t, found, "%d secret forms leaked:\n%s", n, strings.Join(found, "\n"))
}

// around returns the text near needle's first occurrence, to show where it leaked.
func around(text, needle string) string {
	i := strings.Index(text, needle)
	from, to := max(i-60, 0), min(i+len(needle)+60, len(text))
	return strings.ToValidUTF8(text[from:to], "?")
}

// closedAddress returns a http:// base URL on which nothing listens.
func closedAddress(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// sqliteFiles returns the bytes of the SQLite database and its -wal and -shm files, after
// the store was closed (which checkpoints the WAL).
func sqliteFiles(t *testing.T, dataDir string) []byte {
	matches, err := filepath.Glob(filepath.Join(dataDir, "errand.db*"))
	require.NoError(t, err)
	require.NotEmpty(t, matches)
	var all bytes.Buffer
	for _, m := range matches {
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		all.Write(b)
	}
	return all.Bytes()
}

// leakPGSchema returns ERRAND_TEST_POSTGRES_URL, a DSN pointed at a fresh schema dropped
// after the test, and the schema's name; it skips when the variable is unset.
func leakPGSchema(t *testing.T) (base, dsn, schema string) {
	base = pgtest.URL(t)
	dsn, schema = pgtest.Schema(t, "leak")
	return base, dsn, schema
}

// pgDump returns `pg_dump --data-only` of the schema, or, without pg_dump, every row of
// every table of the schema as text.
func pgDump(t *testing.T, base, schema string) []byte {
	if bin, err := exec.LookPath("pg_dump"); err == nil {
		out, err := exec.CommandContext(context.Background(), bin, "--data-only", "--schema="+schema,
			"--dbname="+base).Output()
		require.NoError(t, err, "pg_dump")
		return out
	}
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, schema)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	var all bytes.Buffer
	for _, table := range tables {
		rs, err := db.Query(fmt.Sprintf(`SELECT t::text FROM %q.%q t`, schema, table))
		require.NoError(t, err)
		for rs.Next() {
			var row string
			require.NoError(t, rs.Scan(&row))
			all.WriteString(row + "\n")
		}
		require.NoError(t, rs.Err())
	}
	return all.Bytes()
}
