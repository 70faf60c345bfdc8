package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// report is the summary of a run.
type report struct {
	Sent           int            `json:"sent"`
	Completed      int            `json:"completed"`
	Errors         int            `json:"errors"`
	ErrorKinds     map[string]int `json:"errorKinds,omitempty"`
	TargetRate     float64        `json:"targetRate"`
	AchievedRate   float64        `json:"achievedRate"`   // calls issued per second
	CompletionRate float64        `json:"completionRate"` // executions completed per second, first call to last completion
	TargetHits     int64          `json:"targetHits"`
	Accept         percentiles    `json:"acceptLatency"`       // webhook answered
	Completion     percentiles    `json:"triggerToCompletion"` // execution finished
}

// percentiles are latency quantiles in milliseconds.
type percentiles struct {
	P50 float64 `json:"p50Ms"`
	P95 float64 `json:"p95Ms"`
	P99 float64 `json:"p99Ms"`
	Max float64 `json:"maxMs"`
}

func (r *results) report(o options, hits int64) report {
	rep := report{Sent: len(r.samples), TargetRate: o.rate, TargetHits: hits, ErrorKinds: map[string]int{}}
	var accept, total []time.Duration
	for _, s := range r.samples {
		accept = append(accept, s.accepted)
		if s.err != "" {
			rep.Errors++
			rep.ErrorKinds[errorKind(s.err)]++
			continue
		}
		rep.Completed++
		total = append(total, s.total)
	}
	if d := r.sent.Sub(r.start).Seconds(); d > 0 {
		rep.AchievedRate = float64(rep.Sent) / d
	}
	if d := r.end.Sub(r.start).Seconds(); d > 0 {
		rep.CompletionRate = float64(rep.Completed) / d
	}
	rep.Accept, rep.Completion = quantiles(accept), quantiles(total)
	return rep
}

// uuidPattern matches the ids that make alike errors differ.
var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// errorKind shortens an error to group alike ones: ids become <id>, and the end (the cause)
// is kept.
func errorKind(s string) string {
	s = strings.ReplaceAll(uuidPattern.ReplaceAllString(s, "<id>"), "\n", " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:40]) + " … " + string(r[len(r)-116:])
	}
	return s
}

func quantiles(ds []time.Duration) percentiles {
	if len(ds) == 0 {
		return percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := min(int(q*float64(len(ds))), len(ds)-1)
		return float64(ds[i].Microseconds()) / 1000
	}
	return percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: float64(ds[len(ds)-1].Microseconds()) / 1000}
}

func (rep report) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(w, "sent %d, completed %d, errors %d\n", rep.Sent, rep.Completed, rep.Errors)
	fmt.Fprintf(w, "rate: target %.1f/s, achieved %.1f/s; completions %.1f/s; fake API hits %d\n",
		rep.TargetRate, rep.AchievedRate, rep.CompletionRate, rep.TargetHits)
	fmt.Fprintf(w, "webhook answer         p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms  max %8.1f ms\n",
		rep.Accept.P50, rep.Accept.P95, rep.Accept.P99, rep.Accept.Max)
	fmt.Fprintf(w, "trigger-to-completion  p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms  max %8.1f ms\n",
		rep.Completion.P50, rep.Completion.P95, rep.Completion.P99, rep.Completion.Max)
	kinds := make([]string, 0, len(rep.ErrorKinds))
	for k := range rep.ErrorKinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return rep.ErrorKinds[kinds[i]] > rep.ErrorKinds[kinds[j]] })
	for _, k := range kinds[:min(len(kinds), 5)] {
		fmt.Fprintf(w, "  %6d × %s\n", rep.ErrorKinds[k], k)
	}
	return nil
}
