package httpconn

import (
	"fmt"
	"net/url"
	"strings"
)

// target computes the URL a step calls: the connector's base URL (or a same-origin
// with.url), with.path appended and with.query added. A with.url on another origin is
// refused: the connector's credentials never leave for a host that is not its own.
func target(base *url.URL, p *params) (string, error) {
	u := *base
	if p.url != "" {
		given, err := url.Parse(p.url)
		if err != nil || (given.Scheme != "http" && given.Scheme != "https") || given.Host == "" {
			return "", fmt.Errorf("with.url %q is not an absolute http or https URL", p.url)
		}
		if origin(given) != origin(base) {
			return "", fmt.Errorf("with.url %q is not on the connector's origin %s: the connector's "+
				"credentials never leave for a host that is not the connector's own; use with.path, "+
				"or call that host without connector-id", p.url, origin(base))
		}
		u = *given
	}
	if p.path != "" {
		path, rawQuery, _ := strings.Cut(p.path, "?")
		path, _, _ = strings.Cut(path, "#")
		joined, err := url.Parse(u.Scheme + "://" + u.Host +
			strings.TrimRight(u.EscapedPath(), "/") + "/" + strings.TrimLeft(path, "/"))
		if err != nil {
			return "", fmt.Errorf("with.path %q: %w", p.path, err)
		}
		joined.RawQuery = joinQuery(u.RawQuery, rawQuery)
		u = *joined
	}
	if len(p.Query) > 0 {
		u.RawQuery = joinQuery(u.RawQuery, p.Query.Encode())
	}
	u.Fragment, u.RawFragment = "", ""
	if origin(&u) != origin(base) {
		return "", fmt.Errorf("with.path %q leaves the connector's origin %s", p.path, origin(base))
	}
	return u.String(), nil
}

// joinQuery appends query string b to a, keeping both byte for byte.
func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

// origin returns scheme://host:port with the default port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}
