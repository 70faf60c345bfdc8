package slackapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// message is the chat.postMessage body.
type message struct {
	Channel     string `json:"channel"`
	Text        string `json:"text,omitempty"`
	Blocks      []any  `json:"blocks,omitempty"`
	Attachments []any  `json:"attachments,omitempty"`
	ThreadTS    string `json:"thread_ts,omitempty"`
	UnfurlLinks *bool  `json:"unfurl_links,omitempty"`
	UnfurlMedia *bool  `json:"unfurl_media,omitempty"`
}

// buildMessage reads the postMessage params (the channel is resolved separately).
func buildMessage(p map[string]any) (*message, error) {
	m := &message{}
	m.Text, _ = p["text"].(string)
	var err error
	if m.Blocks, err = jsonList("blocks", p["blocks"]); err != nil {
		return nil, err
	}
	if m.Attachments, err = jsonList("attachments", p["attachments"]); err != nil {
		return nil, err
	}
	if m.ThreadTS, err = threadTS(p["thread_ts"]); err != nil {
		return nil, err
	}
	if m.UnfurlLinks, err = boolParam("unfurl_links", p["unfurl_links"]); err != nil {
		return nil, err
	}
	if m.UnfurlMedia, err = boolParam("unfurl_media", p["unfurl_media"]); err != nil {
		return nil, err
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Blocks) == 0 && len(m.Attachments) == 0 {
		return nil, fmt.Errorf("text is required: the message to post (or blocks)")
	}
	return m, nil
}

// jsonList reads blocks or attachments: a list, or a JSON string holding a list or an
// object with that key (Block Kit Builder's {"blocks": [...]}).
func jsonList(name string, v any) ([]any, error) {
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%s must be a list or JSON text holding one: %w", name, err)
		}
		if obj, ok := v.(map[string]any); ok {
			v = obj[name]
		}
	}
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list", name)
	}
	return list, nil
}

// threadTS reads thread_ts, a message timestamp such as "1712345678.123456".
func threadTS(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', 6, 64), nil
	}
	return "", fmt.Errorf("thread_ts must be a message timestamp such as \"1712345678.123456\"")
}

// boolParam reads a boolean, also written as "true" or "false".
func boolParam(name string, v any) (*bool, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return &v, nil
	case string:
		if v == "" {
			return nil, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s must be true or false", name)
		}
		return &b, nil
	}
	return nil, fmt.Errorf("%s must be true or false", name)
}

// stringList reads a list of strings, or a single string.
func stringList(name string, v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		return []string{strings.TrimSpace(v)}, nil
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d] must be a string", name, i)
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a list of strings", name)
}
