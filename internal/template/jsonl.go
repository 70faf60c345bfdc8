package template

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// jsonlRequest is one input line of RunJSONL.
type jsonlRequest struct {
	ID       any            `json:"id"`
	Mode     string         `json:"mode"`
	Template string         `json:"template"`
	Context  map[string]any `json:"context"`
}

// jsonlResponse is one output line of RunJSONL.
type jsonlResponse struct {
	ID     any     `json:"id"`
	Output *string `json:"output,omitempty"`
	Value  any     `json:"value,omitempty"`
	Error  string  `json:"error,omitempty"`
	// hasValue makes a nil value print as "value": null.
	hasValue bool
}

// MarshalJSON writes exactly one of output, value or error.
func (r jsonlResponse) MarshalJSON() ([]byte, error) {
	m := map[string]any{"id": r.ID}
	switch {
	case r.Error != "":
		m["error"] = r.Error
	case r.hasValue:
		m["value"] = r.Value
	default:
		m["output"] = r.Output
	}
	return json.Marshal(m)
}

// RunJSONL reads requests {"id","mode":"template"|"expression","template",
// "context"} one a line from r and writes one response a line to w:
// {"id","output"}, {"id","value"} or {"id","error"}. It backs `errand render`.
func RunJSONL(e *Engine, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := enc.Encode(handleJSONL(e, sc.Bytes())); err != nil {
			return fmt.Errorf("writing response to line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading requests: %w", err)
	}
	return nil
}

func handleJSONL(e *Engine, data []byte) jsonlResponse {
	var req jsonlRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return jsonlResponse{Error: fmt.Sprintf("decoding request: %v", err)}
	}
	resp := jsonlResponse{ID: req.ID}
	switch req.Mode {
	case "expression":
		src := req.Template
		if IsExpression(src) {
			src = src[3 : len(src)-2]
		}
		v, err := e.Eval(src, req.Context)
		if err != nil {
			resp.Error = err.Error()
			return resp
		}
		resp.Value, resp.hasValue = jsonSafe(v), true
	case "template", "":
		out, err := e.Render(req.Template, req.Context)
		if err != nil {
			resp.Error = err.Error()
			return resp
		}
		resp.Output = &out
	default:
		resp.Error = fmt.Sprintf("unknown mode %q (want template or expression)", req.Mode)
	}
	return resp
}

// jsonSafe replaces values encoding/json rejects (NaN, Infinity) by null.
func jsonSafe(v any) any {
	if _, err := json.Marshal(v); err != nil {
		var raw json.RawMessage = []byte(toJSON(v, 0))
		return raw
	}
	return v
}
