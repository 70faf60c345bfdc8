package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/store"
)

// apiVersion is the elastic-api-version Kibana's public routes answer.
const apiVersion = "2023-10-31"

// requestInfo is what the middleware learns about a request; handlers read the principal
// and space and name the resource they touched for the audit log.
type requestInfo struct {
	id        string
	path      string // as sent, with its /s/{space} prefix
	space     string
	principal *auth.Principal
	resource  string
	log       *slog.Logger
}

type requestKey struct{}

// requestFrom returns the request's info (an empty one outside a request).
func requestFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{space: "default", log: slog.New(slog.DiscardHandler)}
}

// loggerFrom returns the request's logger (with its request id).
func loggerFrom(ctx context.Context) *slog.Logger { return requestFrom(ctx).log }

// setResource names the resource a mutating call touched, for the audit log.
func setResource(ctx context.Context, id string) {
	if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		ri.resource = id
	}
}

// actorOf is the principal's name for records (createdBy, executedBy, audit).
func actorOf(ctx context.Context) string {
	p := requestFrom(ctx).principal
	if p == nil {
		return "anonymous"
	}
	if p.Name != "" {
		return p.Name
	}
	return p.KeyID
}

// middleware wraps the mux: request info and space prefix, authentication and roles,
// CSRF, the audit log.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &requestInfo{id: r.Header.Get("X-Request-Id"), path: r.URL.Path, space: "default"}
		if ri.id == "" {
			ri.id = newErrorID()
		}
		ri.log = s.log.With("requestId", ri.id)
		w.Header().Set("X-Request-Id", ri.id)
		if v := r.Header.Get("elastic-api-version"); v != "" {
			w.Header().Set("elastic-api-version", v)
		} else {
			w.Header().Set("elastic-api-version", apiVersion)
		}
		r = r.WithContext(context.WithValue(r.Context(), requestKey{}, ri))
		stripSpace(r, ri)
		if !isMutating(r.Method) || isWebhook(r.Method, r.URL.Path) {
			s.guard(w, r, next)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		s.guard(sw, r, next)
		s.audit(r, ri, sw.status)
	})
}

// guard authenticates the caller, checks the role the route needs and the CSRF header.
func (s *server) guard(w http.ResponseWriter, r *http.Request, next http.Handler) {
	ri := requestFrom(r.Context())
	role := requiredRole(r.Method, r.URL.Path)
	if role == "" {
		next.ServeHTTP(w, r)
		return
	}
	if err := s.authenticate(r, ri, role); err != nil {
		writeProblem(w, r, err)
		return
	}
	if isMutating(r.Method) && r.Header.Get("Cookie") != "" && r.Header.Get("Authorization") == "" &&
		r.Header.Get("kbn-xsrf") == "" {
		//lint:ignore ST1005 Kibana's exact message, which clients may match
		writeProblem(w, r, fmt.Errorf("%w: Request must contain a kbn-xsrf header.", errBadRequest))
		return
	}
	next.ServeHTTP(w, r)
}

// authenticate sets ri.principal and checks that its role is at least role.
func (s *server) authenticate(r *http.Request, ri *requestInfo, role string) error {
	if s.Auth == nil {
		ri.principal = &auth.Principal{Name: "anonymous", Role: store.RoleAdmin}
		return nil
	}
	p, err := s.Auth.Authenticate(r)
	if err != nil {
		return fmt.Errorf("authenticating %s %s: %w", r.Method, ri.path, err)
	}
	if p == nil {
		return fmt.Errorf("authenticating %s %s: %w", r.Method, ri.path, auth.ErrUnauthenticated)
	}
	ri.principal = p
	ri.log = ri.log.With("apiKey", p.KeyID)
	if roleRank[p.Role] < roleRank[role] {
		return fmt.Errorf("%w: %s %s needs the %s role; API key %q has %s", auth.ErrForbidden,
			r.Method, ri.path, role, p.KeyID, p.Role)
	}
	return nil
}

// roleRank orders the roles: each includes the ones below it.
var roleRank = map[string]int{store.RoleViewer: 1, store.RoleEditor: 2, store.RoleAdmin: 3}

// requiredRole is the least role a route needs; "" for public routes (health, the API
// description, and webhooks, which check their trigger's own auth).
func requiredRole(method, path string) string {
	switch {
	case path == "/healthz" || path == "/readyz" || path == "/api/docs" || strings.HasPrefix(path, "/api/openapi"):
		return ""
	case isWebhook(method, path), isResumeLink(method, path):
		return ""
	case strings.HasPrefix(path, "/api/actions/"):
		if method == http.MethodGet && path == "/api/actions/connector_types" {
			return store.RoleViewer
		}
		return store.RoleAdmin // connector configs are sensitive: every method needs admin
	case method == http.MethodGet || method == http.MethodHead:
		return store.RoleViewer
	}
	return store.RoleEditor
}

// isWebhook reports whether the request invokes a workflow's webhook trigger.
func isWebhook(method, path string) bool {
	if method != http.MethodGet && method != http.MethodPost {
		return false
	}
	rest, ok := strings.CutPrefix(path, "/api/workflows/workflow/")
	if !ok {
		return false
	}
	id, tail, ok := strings.Cut(rest, "/")
	return ok && id != "" && tail == "execute"
}

// isResumeLink reports whether the request opens or answers an external resume link
// (its token is the credential).
func isResumeLink(method, path string) bool {
	if method != http.MethodGet && method != http.MethodPost {
		return false
	}
	rest, ok := strings.CutPrefix(path, "/api/workflows/executions/")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 5 && parts[0] != "" && parts[1] == "steps" && parts[2] != "" &&
		parts[3] == "resume" && parts[4] == "external"
}

// isMutating reports whether method changes state.
func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

// stripSpace removes a /s/{space} prefix from the path and records the space.
func stripSpace(r *http.Request, ri *requestInfo) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/s/")
	if !ok {
		return
	}
	space, tail, ok := strings.Cut(rest, "/")
	if !ok || space == "" {
		return
	}
	ri.space = space
	r.URL.Path = "/" + tail
	r.URL.RawPath = ""
}

// audit writes the audit entry of a mutating call.
func (s *server) audit(r *http.Request, ri *requestInfo, status int) {
	if s.Audit == nil {
		return
	}
	s.Audit.Record(context.WithoutCancel(r.Context()), &store.AuditEntry{
		Time: time.Now().UTC(), Actor: actorOf(r.Context()), Method: r.Method, Path: ri.path,
		Resource: ri.resource, Status: status, RemoteAddr: r.RemoteAddr, RequestID: ri.id,
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// WriteHeader records the first status.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
