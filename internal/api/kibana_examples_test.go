package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/api"
	"github.com/errand-dev/errand/internal/store"
)

// The Kibana API reference's examples, with Kibana's bodies and headers: create, run,
// get execution, step test.
const kibanaYAML = `name: Example workflow
description: An example workflow
enabled: true
tags: [example]
triggers:
  - type: manual
inputs:
  - name: message
    type: string
    default: hello
steps:
  - name: first_step
    type: console
    with:
      message: "{{ inputs.message }}"
  - name: second_step
    type: console
    with:
      message: "first said {{ steps.first_step.output }} to {{ event.user }}"
`

func TestKibanaExamples(t *testing.T) {
	e := newEnv(t)
	kbn := []string{"kbn-xsrf", "true", "elastic-api-version", "2023-10-31"}
	create := e.do(http.MethodPost, "/api/workflows/workflow", editorKey, map[string]any{"yaml": kibanaYAML}, kbn...)
	require.Equal(t, http.StatusOK, create.status, string(create.body))
	wf := create.json(t)
	id := wf["id"].(string)
	require.True(t, strings.HasPrefix(id, "workflow-"))
	require.Equal(t, "Example workflow", wf["name"])
	require.Equal(t, true, wf["valid"])

	run := e.do(http.MethodPost, "/api/workflows/workflow/"+id+"/run", editorKey,
		map[string]any{"inputs": map[string]any{"message": "hi"}, "metadata": map[string]any{"source": "script"}}, kbn...)
	require.Equal(t, http.StatusOK, run.status, string(run.body))
	exID := run.json(t)["workflowExecutionId"].(string)

	ex := e.waitDone(exID)
	for _, f := range []string{"id", "spaceId", "status", "isTestRun", "startedAt", "finishedAt", "duration", "error",
		"workflowId", "workflowName", "workflowDefinition", "yaml", "executedBy", "triggeredBy", "stepExecutions"} {
		require.Contains(t, ex, f)
	}
	require.Equal(t, "completed", ex["status"], "%v", ex["error"])
	require.Equal(t, id, ex["workflowId"])
	first := ex["stepExecutions"].([]any)[0].(map[string]any)
	for _, f := range []string{"id", "stepId", "stepType", "workflowRunId", "workflowId", "status", "startedAt",
		"finishedAt", "executionTimeMs", "input", "output", "error"} {
		require.Contains(t, first, f)
	}
	require.Equal(t, "hi", first["output"])

	step := e.do(http.MethodPost, "/api/workflows/step/test", editorKey, map[string]any{
		"workflowYaml": kibanaYAML, "stepId": "second_step",
		"contextOverride": map[string]any{
			"steps": map[string]any{"first_step": map[string]any{"output": "{{ not rendered }}"}},
			"event": map[string]any{"user": "ana"},
		}}, kbn...)
	require.Equal(t, http.StatusOK, step.status, string(step.body))
	stepEx := e.waitDone(step.json(t)["workflowExecutionId"].(string))
	require.Equal(t, "completed", stepEx["status"], "%v", stepEx["error"])
	require.Equal(t, true, stepEx["isTestRun"])
	recs := stepEx["stepExecutions"].([]any)
	last := recs[len(recs)-1].(map[string]any)
	require.Equal(t, "second_step", last["stepId"])
	require.Equal(t, "first said {{ not rendered }} to ana", last["output"])
}

func TestStepTestWithInputsConstsAndForeach(t *testing.T) {
	e := newEnv(t)
	src := `name: Loop
consts:
  greeting: hi
triggers:
  - type: manual
    inputs:
      properties:
        who: {type: string}
steps:
  - name: fetch
    type: console
    with: {message: x}
  - name: loop
    type: foreach
    foreach: "${{ steps.fetch.output }}"
    steps:
      - name: each
        type: console
        with:
          message: "{{ consts.greeting }} {{ inputs.who }} {{ foreach.item.n }}"
`
	res := e.do(http.MethodPost, "/api/workflows/step/test", editorKey, map[string]any{"workflowYaml": src, "stepId": "each",
		"contextOverride": map[string]any{"inputs": map[string]any{"who": "bo"}, "consts": map[string]any{"greeting": "yo"},
			"foreach": map[string]any{"item": map[string]any{"n": 7}}}})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	ex := e.waitDone(res.json(t)["workflowExecutionId"].(string))
	require.Equal(t, "completed", ex["status"], "%v", ex["error"])
	var out []string
	for _, r := range ex["stepExecutions"].([]any) {
		if r.(map[string]any)["stepId"] == "each" {
			out = append(out, r.(map[string]any)["output"].(string))
		}
	}
	require.Equal(t, []string{"yo bo 7"}, out)
}

func TestSSEStreamsAnExecution(t *testing.T) {
	tests := []struct {
		name   string
		broker bool
	}{
		{"live events from the broker", true},
		{"store polling only (another node runs it)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(d *api.Deps) {
				if !tt.broker {
					d.Broker = nil
				}
			})
			e.createWorkflow(`name: Review
triggers:
  - type: manual
steps:
  - name: greet
    type: console
    with: {message: hello}
  - name: review
    type: waitForInput
    with: {message: "ok?"}
  - name: after
    type: console
    with: {message: done}
`, "review")
			id := e.run("review", map[string]any{})
			e.waitStatus(id, store.StatusWaitingForInput)
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.srv.URL+"/api/workflows/executions/"+id+"/events", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", viewerKey)
			resp, err := e.srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			events := make(chan [2]string, 100)
			go readSSE(resp, events)

			require.Equal(t, [2]string{"step_started", "greet"}, nextStep(t, events))
			require.Equal(t, [2]string{"step_finished", "greet"}, nextStep(t, events))
			res := e.do(http.MethodPost, "/api/workflows/executions/"+id+"/resume", editorKey, map[string]any{"input": map[string]any{}})
			require.Equal(t, http.StatusOK, res.status)
			var kinds []string
			var lastStatus string
			for ev := range events {
				kinds = append(kinds, ev[0]+":"+ev[1])
				if ev[0] == "status" {
					lastStatus = ev[1]
				}
			}
			require.Equal(t, store.StatusCompleted, lastStatus, "%v", kinds)
			require.Equal(t, "status:completed", kinds[len(kinds)-1], "the terminal status ends the stream")
			require.Contains(t, kinds, "step_finished:after")
			require.Contains(t, kinds, "log:Log from step after: done")
			seen := map[string]int{}
			for _, k := range kinds {
				seen[k]++
				require.Equal(t, 1, seen[k], "sent once: %s in %v", k, kinds)
			}
		})
	}
}

// readSSE sends each event as {name, step name or status or message} until the stream ends.
func readSSE(resp *http.Response, out chan<- [2]string) {
	defer close(out)
	sc := bufio.NewScanner(resp.Body)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var d api.EventData
			if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d) != nil {
				return
			}
			switch name {
			case "status":
				out <- [2]string{name, d.Status}
			case "log":
				out <- [2]string{name, d.Message}
			default:
				out <- [2]string{name, d.StepName}
			}
		}
	}
}

// nextStep returns the next step event, skipping status and log events.
func nextStep(t *testing.T, events <-chan [2]string) [2]string {
	t.Helper()
	for ev := range events {
		if strings.HasPrefix(ev[0], "step_") {
			return ev
		}
	}
	t.Fatal("the stream ended")
	return [2]string{}
}

func TestSSEOfAFinishedExecutionAndErrors(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	id := e.run("hello", map[string]any{})
	e.waitDone(id)
	res := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/events", viewerKey, nil)
	require.Equal(t, http.StatusOK, res.status)
	body := string(res.body)
	require.Equal(t, 2, strings.Count(body, "event: step_finished"), body)
	require.True(t, strings.HasSuffix(body, "\n\n") && strings.Contains(body[strings.LastIndex(body, "event: "):], "status"), body)
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions/ghost/events", viewerKey, nil), http.StatusNotFound)
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions/"+id+"/events", "", nil), http.StatusUnauthorized)
}
