package clienttest

import (
	"github.com/errand-dev/errand/internal/workflow"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (f *Fake) listWorkflows(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	page, size := intParam(r, "page", 1), intParam(r, "size", 20)
	f.mu.Lock()
	defer f.mu.Unlock()
	var match []map[string]any
	for _, id := range f.order {
		if wf := f.workflows[id]; strings.Contains(strings.ToLower(wf.Name), q) {
			match = append(match, wf.dto(false))
		}
	}
	lo, hi := min((page-1)*size, len(match)), min(page*size, len(match))
	writeJSON(w, http.StatusOK, map[string]any{"page": page, "size": size, "total": len(match),
		"results": append([]map[string]any{}, match[lo:hi]...)})
}

func intParam(r *http.Request, name string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func (f *Fake) createWorkflow(w http.ResponseWriter, r *http.Request) {
	var body struct{ YAML, ID string }
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name, errs := "", []string(nil)
	if f.StoreInvalid {
		name, errs = lenientCheck(body.YAML)
	} else {
		wf, ok := check(w, body.YAML)
		if !ok {
			return
		}
		name = wf.Name
	}
	if body.ID == "" {
		body.ID = f.nextID("workflow")
	}
	if _, dup := f.workflows[body.ID]; dup {
		problem(w, http.StatusConflict, "Conflict", "workflow "+body.ID+" already exists", nil)
		return
	}
	now := time.Now().UTC()
	s := &storedWorkflow{ID: body.ID, Name: name, YAML: body.YAML, Enabled: true, Valid: len(errs) == 0,
		Errors: errs, CreatedAt: now, UpdatedAt: now}
	f.workflows[s.ID] = s
	f.order = append(f.order, s.ID)
	writeJSON(w, http.StatusOK, s.dto(true))
}

func (f *Fake) getWorkflow(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.workflows[r.PathValue("id")]
	if !ok {
		problem(w, http.StatusNotFound, "Not Found", "workflow "+r.PathValue("id")+" not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, s.dto(true))
}

func (f *Fake) updateWorkflow(w http.ResponseWriter, r *http.Request) {
	var body struct {
		YAML    *string
		Enabled *bool
	}
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.workflows[r.PathValue("id")]
	if !ok {
		problem(w, http.StatusNotFound, "Not Found", "workflow "+r.PathValue("id")+" not found", nil)
		return
	}
	if body.YAML != nil && f.StoreInvalid {
		name, errs := lenientCheck(*body.YAML)
		s.YAML, s.Name, s.Errors, s.Valid = *body.YAML, firstNonEmpty(name, s.Name), errs, len(errs) == 0
	} else if body.YAML != nil {
		wf, ok := check(w, *body.YAML)
		if !ok {
			return
		}
		s.YAML, s.Name, s.Enabled, s.Errors, s.Valid = *body.YAML, wf.Name, wf.Enabled, nil, true
	}
	if body.Enabled != nil {
		s.Enabled = *body.Enabled
	}
	s.UpdatedAt = time.Now().UTC()
	writeJSON(w, http.StatusOK, map[string]any{"id": s.ID, "lastUpdatedAt": s.UpdatedAt, "lastUpdatedBy": "fake",
		"enabled": s.Enabled, "valid": s.Valid, "validationErrors": append([]string{}, s.Errors...)})
}

func (f *Fake) runWorkflow(w http.ResponseWriter, r *http.Request) {
	var body struct{ Inputs map[string]any }
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	s, ok := f.workflows[r.PathValue("id")]
	f.mu.Unlock()
	if !ok {
		problem(w, http.StatusNotFound, "Not Found", "workflow "+r.PathValue("id")+" not found", nil)
		return
	}
	if !s.Enabled {
		problem(w, http.StatusBadRequest, "Bad Request", "Workflow is disabled. Enable it to run it.", nil)
		return
	}
	wf, ok := check(w, s.YAML)
	if !ok {
		return
	}
	ex := f.play(wf, s.ID, body.Inputs, false)
	writeJSON(w, http.StatusOK, map[string]any{"workflowExecutionId": ex.ID})
}

func (f *Fake) testWorkflow(w http.ResponseWriter, r *http.Request) {
	var body struct {
		WorkflowYAML string `json:"workflowYaml"`
		Inputs       map[string]any
	}
	if !decode(w, r, &body) {
		return
	}
	wf, ok := check(w, body.WorkflowYAML)
	if !ok {
		return
	}
	ex := f.play(wf, "", body.Inputs, true)
	writeJSON(w, http.StatusOK, map[string]any{"workflowExecutionId": ex.ID})
}

// lenientCheck validates YAML the way a Kibana create does: the name (when there is one)
// and the errors as "line:col message" strings.
func lenientCheck(src string) (string, []string) {
	wf, diags := workflow.Check([]byte(src), workflow.ValidateOptions{})
	var errs []string
	for _, d := range diags {
		if d.Severity == workflow.SeverityError {
			errs = append(errs, strconv.Itoa(d.Line)+":"+strconv.Itoa(d.Col)+" "+d.Message)
		}
	}
	if wf == nil {
		return "", errs
	}
	return wf.Name, errs
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
