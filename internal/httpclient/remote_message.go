package httpclient

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxRemoteMessage is the length, in characters, a remote's message is truncated to.
const MaxRemoteMessage = 500

// RemoteMessage extracts the remote system's own explanation from an error body: RFC 7807
// `detail`/`title`, Jira `errorMessages`/`errors`, OAuth `error_description`, Slack `error`,
// the generic `message`/`error`/`error.message`, or else the text body itself. The result
// has its whitespace collapsed and is truncated to MaxRemoteMessage characters.
func RemoteMessage(contentType string, body []byte) string {
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		if obj, ok := doc.(map[string]any); ok {
			if msg := jsonMessage(obj); msg != "" {
				return truncate(collapse(msg))
			}
		}
	}
	if !utf8.Valid(body) || strings.Contains(strings.ToLower(contentType), "html") {
		// An HTML error page or binary data says nothing useful inline; its title might.
		return truncate(collapse(htmlTitle(string(body))))
	}
	return truncate(collapse(string(body)))
}

// jsonMessage looks for the conventional message fields of the common API error shapes.
func jsonMessage(obj map[string]any) string {
	detail, title := str(obj["detail"]), str(obj["title"])
	switch {
	case detail != "" && title != "" && !strings.Contains(detail, title):
		return title + ": " + detail
	case detail != "":
		return detail
	case title != "":
		return title
	}
	if msg := jiraMessage(obj); msg != "" {
		return msg
	}
	if desc := str(obj["error_description"]); desc != "" {
		if code := str(obj["error"]); code != "" {
			return code + ": " + desc
		}
		return desc
	}
	if msg := str(obj["message"]); msg != "" {
		return msg
	}
	if msg := str(obj["error"]); msg != "" {
		return msg
	}
	if nested, ok := obj["error"].(map[string]any); ok {
		return jsonMessage(nested)
	}
	return ""
}

// jiraMessage joins Jira's `errorMessages` (a list) and `errors` (field → message); an
// `errors` list of objects (GraphQL and JSON:API style) contributes their `message`/`detail`.
func jiraMessage(obj map[string]any) string {
	var parts []string
	if list, ok := obj["errorMessages"].([]any); ok {
		for _, item := range list {
			if s := str(item); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if fields, ok := obj["errors"].(map[string]any); ok {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s := str(fields[k]); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
	}
	if list, ok := obj["errors"].([]any); ok {
		for _, item := range list {
			if m, ok := item.(map[string]any); ok {
				if s := jsonMessage(m); s != "" {
					parts = append(parts, s)
				}
			} else if s := str(item); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// str returns v when it is a string, trimmed; otherwise "".
func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// htmlTitle returns the text of the page's <title>, if any.
func htmlTitle(page string) string {
	lower := strings.ToLower(page)
	start := strings.Index(lower, "<title")
	if start < 0 {
		return ""
	}
	open := strings.Index(lower[start:], ">")
	end := strings.Index(lower[start:], "</title>")
	if open < 0 || end < open {
		return ""
	}
	return page[start+open+1 : start+end]
}

// collapse turns runs of whitespace into single spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to MaxRemoteMessage characters, marking the cut with an ellipsis.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= MaxRemoteMessage {
		return s
	}
	runes := []rune(s)
	return string(runes[:MaxRemoteMessage]) + "…"
}
