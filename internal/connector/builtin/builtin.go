// Package builtin is the one list of connector types Errand ships. The server and the CLI
// build their Registry from it, so a new type is added here and nowhere else.
package builtin

import (
	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/email"
	"github.com/errand-dev/errand/internal/connector/httpconn"
	"github.com/errand-dev/errand/internal/connector/jira"
	"github.com/errand-dev/errand/internal/connector/opsgenie"
	"github.com/errand-dev/errand/internal/connector/pagerduty"
	"github.com/errand-dev/errand/internal/connector/servicenow"
	"github.com/errand-dev/errand/internal/connector/slack"
	"github.com/errand-dev/errand/internal/connector/slackapi"
	"github.com/errand-dev/errand/internal/connector/teams"
	"github.com/errand-dev/errand/internal/connector/webhook"
)

// Register adds every shipped connector type to reg. Types hold per-process state (the
// .http type's OAuth token cache), so call it once per process.
func Register(reg *connector.Registry) {
	for _, t := range []*connector.Type{
		httpconn.Type(), slack.Type(), slackapi.Type(), jira.Type(), webhook.Type(),
		teams.Type(), pagerduty.Type(), opsgenie.Type(), servicenow.Type(), email.Type(),
	} {
		reg.MustRegister(t)
	}
}

// NewRegistry returns a registry holding every shipped type.
func NewRegistry() *connector.Registry {
	reg := connector.NewRegistry()
	Register(reg)
	return reg
}
