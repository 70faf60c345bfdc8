package httpclient

import "strings"

// hostPolicy is the allowed-hosts list of Options.AllowedHosts: exact names, "*.domain" for
// any subdomain, or "*" for any host. An empty list allows every host.
type hostPolicy []string

// allows reports whether host (without port) may be contacted.
func (p hostPolicy) allows(host string) bool {
	if len(p) == 0 {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(trimBrackets(host), "."))
	for _, pattern := range p {
		pattern = strings.ToLower(trimBrackets(strings.TrimSpace(pattern)))
		switch {
		case pattern == "*" || pattern == host:
			return true
		case strings.HasPrefix(pattern, "*.") && strings.HasSuffix(host, pattern[1:]):
			return true
		}
	}
	return false
}
