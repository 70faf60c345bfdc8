package httpstep_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/httpstep"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/workflow"
)

// BenchmarkHTTPStep measures one http step (POST a JSON object, parse the JSON answer)
// against a local server, next to the same exchange done with a bare net/http client, so
// the step's own overhead (validation, encoding, redirects loop, body cap, decoding) shows.
func BenchmarkHTTPStep(b *testing.B) {
	answer := []byte(`{"ok":true,"id":"ENG-42","fields":{"summary":"disk full","labels":["a","b"]},"count":3}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	body := map[string]any{"summary": "disk full", "labels": []any{"a", "b"}, "priority": float64(2)}

	b.Run("errand", func(b *testing.B) {
		exec := httpstep.New(httpclient.New(httpclient.Options{}))
		in := engine.StepInput{
			Step:           &workflow.Step{Name: "create", Type: "http"},
			With:           map[string]any{"url": srv.URL + "/rest/api/2/issue", "method": "POST", "body": body},
			MaxOutputBytes: 1 << 20,
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := exec.Run(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		b.ReportAllocs()
		for b.Loop() {
			encoded, err := json.Marshal(body)
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/rest/api/2/issue", bytes.NewReader(encoded))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var data any
			err = json.NewDecoder(resp.Body).Decode(&data)
			_ = resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
