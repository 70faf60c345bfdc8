package template

import "testing"

func BenchmarkRenderStepMessage(b *testing.B) {
	e := New(DefaultLimits())
	src := "High-priority alert: {{ event.name }} on {{ event.host.name | upcase }} ({{ steps.enrich.output.data.score | default: 0 }}) — {{ event.tags | join: ', ' }}"
	data := map[string]any{
		"event": map[string]any{
			"name": "Suspicious login", "severity": "high",
			"host": map[string]any{"name": "web-01", "ip": "10.0.0.12"},
			"tags": []any{"auth", "prod", "eu-west-1"},
		},
		"steps": map[string]any{
			"enrich": map[string]any{"output": map[string]any{"data": map[string]any{"score": 87.5, "source": "threat-intel"}}},
		},
		"execution": map[string]any{"id": "7f1c", "isTestRun": false},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(src, data); err != nil {
			b.Fatal(err)
		}
	}
}
