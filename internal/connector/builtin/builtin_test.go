package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegistryServesTheSeedStepTypes(t *testing.T) {
	reg := NewRegistry()
	for _, st := range []string{"http", "slack", "jira", "jira.pushToService", "slack_api.postMessage",
		"webhook", "teams", "pagerduty", "opsgenie.createAlert", "opsgenie.closeAlert",
		"servicenow.pushToService", "servicenow.getIncident", "servicenow.closeIncident", "email"} {
		typ, act, ok := reg.ForStep(st)
		require.True(t, ok, "step type %s", st)
		require.NotNil(t, act, st)
		require.Equal(t, st, typ.StepType(act.Name))
	}
	_, _, ok := reg.ForStep("elasticsearch.search")
	require.False(t, ok)
}
