package slackapi

import (
	"encoding/json"
	"strings"
	"time"
)

// retryableCodes are the Web API error codes that may go away when the call is repeated.
var retryableCodes = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
	"invalid_response":    true,
}

// apiError is a Web API answer {"ok": false, "error": code}; channel_not_found, not_in_channel,
// invalid_auth and the like are the user's to fix, ratelimited and internal errors are
// retryable.
type apiError struct {
	Code string
	// Messages are Slack's details (response_metadata.messages), e.g. for invalid_blocks.
	Messages   []string
	Status     int
	RetryAfter time.Duration
	retryable  bool
}

// newAPIError reads an ok:false answer.
func newAPIError(doc map[string]any, status int) *apiError {
	e := &apiError{Status: status}
	switch v := doc["error"].(type) {
	case string:
		e.Code = v
	case nil:
		e.Code = "unknown_error"
	default:
		raw, _ := json.Marshal(v)
		e.Code = string(raw)
	}
	if meta, ok := doc["response_metadata"].(map[string]any); ok {
		if list, ok := meta["messages"].([]any); ok {
			for _, m := range list {
				if s, ok := m.(string); ok {
					e.Messages = append(e.Messages, s)
				}
			}
		}
	}
	e.retryable = retryableCodes[e.Code]
	return e
}

// Error returns the code and Slack's details: "invalid_blocks: [ERROR] missing required field".
func (e *apiError) Error() string {
	if len(e.Messages) == 0 {
		return e.Code
	}
	return e.Code + ": " + strings.Join(e.Messages, "; ")
}
