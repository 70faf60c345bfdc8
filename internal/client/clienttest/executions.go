package clienttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/workflow"
)

// play records an execution of wf that has already run: each top-level step started and
// finished, console steps logging their message, a step named fail... failing it.
func (f *Fake) play(wf *workflow.Workflow, workflowID string, inputs map[string]any, test bool) *execution {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC()
	ex := &execution{ID: f.nextID("exec"), WorkflowID: workflowID, WorkflowName: wf.Name, IsTestRun: test,
		Inputs: inputs, StartedAt: now, TriggeredBy: "manual", Status: "completed", seq: f.seq}
	emit := func(name string, data map[string]any) {
		data["executionId"] = ex.ID
		data["timestamp"] = now
		ex.events = append(ex.events, sseEvent{name: name, data: data})
	}
	emit("status", map[string]any{"status": "running"})
	for _, st := range wf.Steps {
		emit("step_started", map[string]any{"stepPath": st.Name + "#1", "stepName": st.Name, "stepType": st.Type, "status": "running"})
		if st.Type == "console" {
			emit("log", map[string]any{"level": "info", "stepName": st.Name,
				"message": fmt.Sprintf("Log from step %s: %v", st.Name, st.With["message"])})
		}
		fin := map[string]any{"stepPath": st.Name + "#1", "stepName": st.Name, "stepType": st.Type,
			"status": "completed", "durationMs": 1.5}
		if strings.HasPrefix(st.Name, "fail") {
			ex.Status = "failed"
			ex.Error = map[string]any{"type": "Error", "message": "step " + st.Name + " failed"}
			fin["status"], fin["error"] = "failed", ex.Error
		}
		emit("step_finished", fin)
		if ex.Status == "failed" {
			break
		}
	}
	ex.FinishedAt = now.Add(3 * time.Millisecond)
	emit("status", map[string]any{"status": ex.Status, "error": ex.Error})
	f.executions[ex.ID] = ex
	return ex
}

// steps are the step executions the finished events describe.
func (ex *execution) steps() []map[string]any {
	steps := []map[string]any{}
	for i, ev := range ex.events {
		if ev.name == "step_finished" {
			steps = append(steps, map[string]any{"id": ex.ID + "-" + strconv.Itoa(i), "stepId": ev.data["stepName"],
				"stepType": ev.data["stepType"], "status": ev.data["status"], "executionTimeMs": ev.data["durationMs"],
				"error": ev.data["error"]})
		}
	}
	return steps
}

func (ex *execution) dto(withIO bool) map[string]any {
	m := map[string]any{"id": ex.ID, "spaceId": "default", "status": ex.Status, "isTestRun": ex.IsTestRun,
		"startedAt": ex.StartedAt, "finishedAt": ex.FinishedAt, "duration": 3, "workflowId": ex.WorkflowID,
		"workflowName": ex.WorkflowName, "triggeredBy": ex.TriggeredBy, "executedBy": "fake",
		"stepExecutions": ex.steps()}
	if ex.Error != nil {
		m["error"] = ex.Error
	}
	if withIO {
		m["input"] = ex.Inputs
		m["output"] = map[string]any{"inputs": ex.Inputs}
	}
	return m
}

func (f *Fake) execution(w http.ResponseWriter, id string) (*execution, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ex, ok := f.executions[id]
	if !ok {
		problem(w, http.StatusNotFound, "Not Found", "execution "+id+" not found", nil)
	}
	return ex, ok
}

func (f *Fake) getExecution(w http.ResponseWriter, r *http.Request) {
	if ex, ok := f.execution(w, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, ex.dto(r.URL.Query().Get("includeOutput") == "true"))
	}
}

// events streams an execution's events as server-sent events, from after Last-Event-ID
// when ids are on; the first stream of each execution is dropped after DropAfter events
// when set.
func (f *Fake) events(w http.ResponseWriter, r *http.Request) {
	ex, ok := f.execution(w, r.PathValue("id"))
	if !ok {
		return
	}
	f.mu.Lock()
	ex.streams++
	first := ex.streams == 1
	f.mu.Unlock()
	start := 0
	if f.SendIDs {
		if n, err := strconv.Atoi(r.Header.Get("Last-Event-ID")); err == nil {
			start = n
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl, _ := w.(http.Flusher)
	_, _ = fmt.Fprint(w, ": stream of "+ex.ID+"\nretry: 10\n\n")
	for i, sent := start, 0; i < len(ex.events); i, sent = i+1, sent+1 {
		if first && f.DropAfter > 0 && sent == f.DropAfter {
			return
		}
		ev := ex.events[i]
		data, _ := json.Marshal(ev.data)
		if f.SendIDs {
			_, _ = fmt.Fprintf(w, "id: %d\n", i+1)
		}
		_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, data)
		if fl != nil {
			fl.Flush()
		}
	}
}

func (f *Fake) logs(w http.ResponseWriter, r *http.Request) {
	ex, ok := f.execution(w, r.PathValue("id"))
	if !ok {
		return
	}
	logs := []map[string]any{}
	for i, ev := range ex.events {
		if ev.name == "log" {
			logs = append(logs, map[string]any{"id": strconv.Itoa(i), "timestamp": ev.data["timestamp"],
				"level": ev.data["level"], "message": ev.data["message"], "stepName": ev.data["stepName"]})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": logs, "total": len(logs), "size": 100, "page": 1})
}

func (f *Fake) listExecutions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.workflows[id]; !ok {
		problem(w, http.StatusNotFound, "Not Found", "workflow "+id+" not found", nil)
		return
	}
	statuses := r.URL.Query()["statuses"]
	var rows []*execution
	for _, ex := range f.executions {
		if ex.WorkflowID == id && (len(statuses) == 0 || contains(statuses, ex.Status)) {
			rows = append(rows, ex)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].seq > rows[j].seq })
	page, size := intParam(r, "page", 1), intParam(r, "size", 20)
	lo, hi := min((page-1)*size, len(rows)), min(page*size, len(rows))
	results := []map[string]any{}
	for _, ex := range rows[lo:hi] {
		results = append(results, ex.dto(false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "page": page, "size": size, "total": len(rows)})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (f *Fake) listConnectors(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{{"id": "slack-ops", "name": "ops", "connector_type_id": ".slack",
		"is_preconfigured": false, "is_deprecated": false, "is_missing_secrets": false, "referenced_by_count": 0}})
}
