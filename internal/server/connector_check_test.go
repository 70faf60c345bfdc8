package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/workflow"
)

const checkWorkflow = `version: "1"
name: check-connectors
triggers:
  - type: manual
    inputs:
      - name: c
        type: string
steps:
  - name: ok_slack
    type: slack
    connector-id: slack-ok
    with:
      message: hi
  - name: missing
    type: slack
    connector-id: nope
    with:
      message: hi
  - name: branch
    type: if
    condition: "true"
    steps:
      - name: ambiguous
        type: slack
        connector-id: alerts
        with:
          message: hi
    else:
      - name: wrong_type
        type: http
        connector-id: jira-eng
        with:
          path: /x
  - name: templated
    type: slack
    connector-id: "{{ inputs.c }}"
    with:
      message: hi
  - name: par
    type: parallel
    branches:
      - name: b1
        steps:
          - name: in_branch
            type: jira.issueTypes
            connector-id: missing-jira
    on-failure:
      fallback:
        - name: in_fallback
          type: slack
          connector-id: gone
          with:
            message: x
  - name: ok_by_id
    type: jira.issueTypes
    connector-id: jira-eng-id
`

// TestCheckConnectors checks the diagnostics of unknown, ambiguous and wrong-type
// connectors wherever the step sits, with the step's position and the connector-id's path.
func TestCheckConnectors(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenConnectors(t.Context(), Config{DataDir: dir})
	require.NoError(t, err)
	for _, p := range []connector.CreateParams{
		{Name: "slack-ok", TypeID: ".slack", Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/OK"}},
		{ID: "stored-alerts", Name: "alerts", TypeID: ".slack", Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/ST"}},
		{ID: "jira-eng-id", Name: "jira-eng", TypeID: ".jira", Config: map[string]any{"apiUrl": "https://acme.atlassian.net", "projectKey": "ENG"},
			Secrets: map[string]any{"email": "a@example.com", "apiToken": "tok-123456"}},
	} {
		_, err := first.Connectors.Create(t.Context(), p)
		require.NoError(t, err)
	}
	require.NoError(t, first.Store.Close())
	// A preconfigured connector added later shares a stored connector's name.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "connectors.yaml"), []byte(
		"pre-alerts: {name: alerts, actionTypeId: .slack, secrets: {webhookUrl: 'https://hooks.slack.com/services/T/B/PRE'}}\n"), 0o600))
	cr, err := OpenConnectors(t.Context(), Config{DataDir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cr.Store.Close() })
	wf, diags := workflow.Parse([]byte(checkWorkflow))
	require.NotNil(t, wf, "%v", diags)
	require.Empty(t, workflow.Validate(wf, ValidateOptions()))

	got := CheckConnectors(t.Context(), cr.Connectors, wf)
	want := []workflow.Diagnostic{
		{Rule: RuleConnectorNotFound, Severity: "error", Path: "steps.1.connector-id", Line: 14, Col: 5,
			Message: "step \"missing\": connector \"nope\" not found; create it with `errand connectors create` or check the name"},
		{Rule: RuleAmbiguousConnector, Severity: "error", Path: "steps.2.steps.0.connector-id", Line: 23, Col: 9,
			Message: `step "ambiguous": connector name "alerts" is ambiguous: connectors pre-alerts, stored-alerts share it; use an id instead`},
		{Rule: RuleConnectorTypeMismatch, Severity: "error", Path: "steps.2.else.0.connector-id", Line: 29, Col: 9,
			Message: `step "wrong_type": connector "jira-eng" is a .jira connector; step type http needs a .http connector`},
		{Rule: RuleConnectorNotFound, Severity: "error", Path: "steps.4.branches.0.steps.0.connector-id", Line: 44, Col: 13,
			Message: "step \"in_branch\": connector \"missing-jira\" not found; create it with `errand connectors create` or check the name"},
		{Rule: RuleConnectorNotFound, Severity: "error", Path: "steps.4.on-failure.fallback.0.connector-id", Line: 49, Col: 11,
			Message: "step \"in_fallback\": connector \"gone\" not found; create it with `errand connectors create` or check the name"},
	}
	require.Equal(t, want, got)
}
