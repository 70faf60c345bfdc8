package pagerduty

import (
	"fmt"
	"time"
)

// Event actions and severities of the Events API v2.
var (
	eventActions = []string{"trigger", "acknowledge", "resolve"}
	severities   = []string{"critical", "error", "warning", "info"}
)

// Field limits of the Events API v2.
const (
	maxDedupKey = 255
	maxSummary  = 1024
)

// defaultSource is the payload source when the step names none.
const defaultSource = "Errand"

// event is the Events API v2 request body.
type event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key,omitempty"`
	Payload     *payload `json:"payload,omitempty"`
	Links       []link   `json:"links,omitempty"`
	Images      []image  `json:"images,omitempty"`
}

// payload describes the alert; it is sent with trigger events only.
type payload struct {
	Summary       string `json:"summary"`
	Source        string `json:"source"`
	Severity      string `json:"severity"`
	Timestamp     string `json:"timestamp,omitempty"`
	Component     string `json:"component,omitempty"`
	Group         string `json:"group,omitempty"`
	Class         string `json:"class,omitempty"`
	CustomDetails any    `json:"custom_details,omitempty"`
}

// link is a link shown on the incident.
type link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// image is an image shown on the incident.
type image struct {
	Src  string `json:"src"`
	Href string `json:"href,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

// buildEvent turns the step params into an event, or returns a user-facing error.
func buildEvent(routingKey string, params map[string]any) (*event, error) {
	ev := &event{RoutingKey: routingKey, EventAction: str(params, "eventAction"), DedupKey: str(params, "dedupKey")}
	if ev.EventAction == "" {
		ev.EventAction = "trigger"
	}
	if !oneOf(ev.EventAction, eventActions) {
		return nil, fmt.Errorf("eventAction %q is not one of trigger, acknowledge, resolve", ev.EventAction)
	}
	if len(ev.DedupKey) > maxDedupKey {
		return nil, fmt.Errorf("dedupKey is %d characters long; PagerDuty allows %d", len(ev.DedupKey), maxDedupKey)
	}
	if ev.EventAction != "trigger" && ev.DedupKey == "" {
		return nil, fmt.Errorf("dedupKey is required to %s an alert: use the dedup_key of the trigger event", ev.EventAction)
	}
	var err error
	if ev.Links, err = links(params["links"]); err != nil {
		return nil, err
	}
	if ev.Images, err = images(params["images"]); err != nil {
		return nil, err
	}
	if ev.EventAction == "trigger" {
		if ev.Payload, err = buildPayload(params); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// buildPayload builds a trigger event's payload.
func buildPayload(params map[string]any) (*payload, error) {
	p := &payload{
		Summary: str(params, "summary"), Source: str(params, "source"), Severity: str(params, "severity"),
		Timestamp: str(params, "timestamp"), Component: str(params, "component"),
		Group: str(params, "group"), Class: str(params, "class"), CustomDetails: customDetails(params["customDetails"]),
	}
	if p.Summary == "" {
		return nil, fmt.Errorf("summary is required to trigger an alert")
	}
	if n := len([]rune(p.Summary)); n > maxSummary {
		return nil, fmt.Errorf("summary is %d characters long; PagerDuty allows %d", n, maxSummary)
	}
	if p.Source == "" {
		p.Source = defaultSource
	}
	if p.Severity == "" {
		p.Severity = "info"
	}
	if !oneOf(p.Severity, severities) {
		return nil, fmt.Errorf("severity %q is not one of critical, error, warning, info", p.Severity)
	}
	if p.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339Nano, p.Timestamp); err != nil {
			return nil, fmt.Errorf("timestamp %q is not an ISO 8601 date-time such as 2026-01-15T09:00:00Z", p.Timestamp)
		}
	}
	return p, nil
}
