package workflow

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// update rewrites golden files instead of comparing against them.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// conformanceDir holds the real Kibana example workflows.
const conformanceDir = "testdata/kibana-examples"

// shippedStepTypes are the connector step types Errand's connector packages serve
// (DESIGN.md §2: slack, slackapi, jira, httpconn, webhook, pagerduty, teams, opsgenie,
// email, servicenow); the golden files show what remains unavailable beyond them.
var shippedStepTypes = []string{
	"slack", "slack_api.postMessage", "slack_api.getChannels", "slack_api.getUsers",
	"jira", "jira.pushToService", "jira.getIncident", "jira.issue", "jira.issues",
	"webhook", "pagerduty", "teams", "opsgenie.createAlert", "opsgenie.closeAlert", "email",
	"servicenow.pushToService",
}

// shippedOptions is ValidateOptions with the shipped connector step types.
func shippedOptions() ValidateOptions {
	return ValidateOptions{
		StepTypes:     func(t string) bool { return contains(shippedStepTypes, t) },
		StepTypeNames: shippedStepTypes,
	}
}

func TestConformanceGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 10, "the ten Kibana example workflows must be in %s", conformanceDir)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			wf, diags := Check(src, shippedOptions())
			require.NotNil(t, wf)
			if diags == nil {
				diags = []Diagnostic{}
			}
			got, err := json.MarshalIndent(diags, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}
