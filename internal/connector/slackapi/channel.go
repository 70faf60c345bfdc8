package slackapi

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// channelIDPattern matches Slack conversation ids (C..., G... for private, D... for DMs).
var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// maxListPages bounds the conversations.list pages read to resolve a name (200 a page).
const maxListPages = 50

// allowedChannel is one entry of config.allowedChannels.
type allowedChannel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// target is the channel a step names: an id, or a name without its leading '#'.
type target struct {
	ID   string
	Name string
}

// String returns the target as the user wrote it.
func (t target) String() string {
	if t.ID != "" {
		return t.ID
	}
	return "#" + t.Name
}

// allowedChannels reads config.allowedChannels.
func allowedChannels(config map[string]any) ([]allowedChannel, error) {
	raw, ok := config["allowedChannels"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("allowedChannels must be a list of {id, name}")
	}
	out := make([]allowedChannel, 0, len(list))
	for i, item := range list {
		obj, _ := item.(map[string]any)
		id, _ := obj["id"].(string)
		name, _ := obj["name"].(string)
		if id == "" || name == "" {
			return nil, fmt.Errorf("allowedChannels[%d] needs an id and a name", i)
		}
		out = append(out, allowedChannel{ID: id, Name: strings.TrimPrefix(name, "#")})
	}
	return out, nil
}

// classify reads a channel as written in `channels`: `#name`, an id, or a bare name.
func classify(s string) target {
	s = strings.TrimSpace(s)
	if name, ok := strings.CutPrefix(s, "#"); ok {
		return target{Name: name}
	}
	if channelIDPattern.MatchString(s) {
		return target{ID: s}
	}
	return target{Name: s}
}

// resolve returns the `channel` to post to. Without allowed channels an id is used as is
// and a name is passed as `#name` (chat.postMessage accepts it). With allowed channels the
// target must be one of them: a name is matched by name, then, in case the channel was
// renamed, looked up with conversations.list and matched by id.
func resolve(ctx context.Context, c *client, allowed []allowedChannel, t target) (string, error) {
	written := t.String()
	if len(allowed) == 0 {
		if t.ID != "" {
			return t.ID, nil
		}
		return "#" + t.Name, nil
	}
	if t.ID == "" {
		for _, a := range allowed {
			if strings.EqualFold(a.Name, t.Name) {
				return a.ID, nil
			}
		}
		id, err := lookupName(ctx, c, t.Name)
		if err != nil {
			return "", err
		}
		t.ID = id
	}
	for _, a := range allowed {
		if a.ID == t.ID {
			return a.ID, nil
		}
	}
	return "", &notAllowedError{Channel: written}
}

// lookupName pages through conversations.list for a channel called name; "" when absent.
func lookupName(ctx context.Context, c *client, name string) (string, error) {
	cursor := ""
	for range maxListPages {
		q := url.Values{"types": {"public_channel,private_channel"}, "exclude_archived": {"true"}, "limit": {"200"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		doc, err := c.get(ctx, "conversations.list", q)
		if err != nil {
			return "", err
		}
		list, _ := doc["channels"].([]any)
		for _, item := range list {
			ch, _ := item.(map[string]any)
			if n, _ := ch["name"].(string); strings.EqualFold(n, name) {
				id, _ := ch["id"].(string)
				return id, nil
			}
		}
		meta, _ := doc["response_metadata"].(map[string]any)
		if cursor, _ = meta["next_cursor"].(string); cursor == "" {
			return "", nil
		}
	}
	return "", nil
}

// notAllowedError names a channel outside config.allowedChannels.
type notAllowedError struct{ Channel string }

func (e *notAllowedError) Error() string {
	return fmt.Sprintf("channel %s is not in the connector's allowed channels", e.Channel)
}
