package connector

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckSecureURL checks a connector URL (a webhook URL, an API base URL): absolute, without
// user credentials, and https — plain http only for a loopback host, so tests and local fakes
// work. Any host is accepted: the egress policy decides which hosts are reachable. The error
// names field and never quotes the URL, which for webhooks is itself the secret; hint, when
// given, is added to the "not a valid URL" error.
func CheckSecureURL(field, raw, hint string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme == "" {
		msg := field + " is not a valid URL"
		if hint != "" {
			msg += ": " + hint
		}
		return fmt.Errorf("%s", msg)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not contain user credentials", field)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("%s must use https", field)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
