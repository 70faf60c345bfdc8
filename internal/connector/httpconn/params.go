package httpconn

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// params is the validated `with` of an http step run through a connector: the request
// parameters shared with the plain http step, and where on the connector's origin to send
// them.
type params struct {
	*httpcall.Params
	url  string // optional: an absolute URL on the connector's origin
	path string
}

// parseParams validates the rendered `with` of the step; url and path are the connector's
// own keys, the rest is read by httpcall.
func parseParams(with map[string]any) (*params, error) {
	p := &params{}
	shared, err := httpcall.Parse(with, map[string]func(v any) error{"url": p.parseURL, "path": p.parsePath})
	if err != nil {
		return nil, err
	}
	p.Params = shared
	return p, nil
}

func (p *params) parseURL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", httpcall.ErrWantString, httpcall.Describe(v))
	}
	p.url = strings.TrimSpace(s)
	return nil
}

// parsePath keeps the path as written; target appends it to the base URL.
func (p *params) parsePath(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", httpcall.ErrWantString, httpcall.Describe(v))
	}
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return fmt.Errorf("%q is a URL, not a path: give the part after the connector's URL (\"/v1/items\")", s)
	}
	p.path = s
	return nil
}
