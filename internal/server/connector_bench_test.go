package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/workflow"
)

// benchToken is the bench connector's bearer token.
const benchToken = "bench-token-0123456789abcdef"

// BenchmarkHTTPConnectorStep runs the `http` step through an .http connector (bearer auth,
// base URL + path, JSON body) to a local fake, interleaved with a bare net/http request of
// the same shape to the same fake, and reports steps/s and the p50/p99 of the connector
// step's overhead over the bare request (per-iteration differences, both measured in this
// run). The step goes through the executor the engine uses, so connector resolution (store
// read, decryption), params validation, auth, the request, output decoding and redaction
// are all in it; the engine's own bookkeeping is not.
func BenchmarkHTTPConnectorStep(b *testing.B) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+benchToken || r.URL.Path != "/api/v1/actions" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"act-1","status":"queued","accepted":true}`))
	}))
	defer fake.Close()
	ctx := context.Background()
	rt, err := Open(ctx, Config{DataDir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	if _, err := rt.Connectors.Create(ctx, connector.CreateParams{Name: "bench-api", TypeID: ".http",
		Config:  map[string]any{"url": fake.URL + "/api", "authType": "bearer"},
		Secrets: map[string]any{"token": benchToken}}); err != nil {
		b.Fatal(err)
	}
	step := executors(rt.Connectors, rt.Registry, Egress{})["http"]
	in := engine.StepInput{
		Step: &workflow.Step{Name: "trigger", Type: "http", ConnectorID: "bench-api"},
		With: map[string]any{"path": "/v1/actions", "method": "POST",
			"body": map[string]any{"action": "isolate", "host": "web-1", "priority": 2}},
	}
	body := []byte(`{"action":"isolate","host":"web-1","priority":2}`)
	bare := &http.Client{}
	if err := bareRequest(bare, fake.URL+"/api/v1/actions", body); err != nil {
		b.Fatal(err)
	}
	if _, err := step.Run(ctx, in); err != nil {
		b.Fatal(err)
	}

	bareTimes := make([]time.Duration, 0, b.N)
	stepTimes := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := bareRequest(bare, fake.URL+"/api/v1/actions", body); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := step.Run(ctx, in); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		bareTimes = append(bareTimes, t1.Sub(t0))
		stepTimes = append(stepTimes, t2.Sub(t1))
	}
	b.StopTimer()
	reportOverhead(b, bareTimes, stepTimes)
}

// bareRequest is the baseline: the same POST with net/http alone, body read in full.
func bareRequest(c *http.Client, url string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

// reportOverhead reports steps/s and the percentiles of the connector step, the bare
// request and their per-iteration difference.
func reportOverhead(b *testing.B, bare, step []time.Duration) {
	diff := make([]time.Duration, len(step))
	var total time.Duration
	for i := range step {
		diff[i] = step[i] - bare[i]
		total += step[i]
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(percentile(diff, 50)), "p50-overhead-µs")
	b.ReportMetric(us(percentile(diff, 99)), "p99-overhead-µs")
	b.ReportMetric(us(percentile(bare, 50)), "p50-bare-µs")
	b.ReportMetric(us(percentile(step, 50)), "p50-step-µs")
	b.ReportMetric(us(percentile(step, 99)), "p99-step-µs")
	if total > 0 {
		b.ReportMetric(float64(len(step))/total.Seconds(), "steps/s")
	}
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}
