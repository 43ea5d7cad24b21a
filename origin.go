package ws

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// OriginPatterns lets Accept take requests from pages of other origins
// than the server's own. By default a request whose Origin header names
// another host than the request's Host is refused with 403: a browser
// sends the user's cookies with a WebSocket request from any page, so
// without that check any site the user visits could open a connection in
// the user's name (cross-site WebSocket hijacking). A request without
// Origin is not a browser's and is taken.
//
// Each pattern is matched, without regard to case, against the origin's
// host (with its port, if it names one) in the syntax of path.Match:
// "example.com", "*.example.com", "localhost:*". "*" takes every origin:
// only for a server that does not rely on cookies or other ambient
// credentials. A malformed pattern makes Accept fail with 500.
func OriginPatterns(patterns ...string) Option {
	return func(c *config) { c.origins = append(c.origins, patterns...) }
}

// checkOrigin refuses a browser's request from an origin that is neither
// the request's host nor one the patterns allow.
func checkOrigin(r *http.Request, patterns []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("origin %q is not an origin", origin)
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	host := strings.ToLower(u.Host)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), host); ok {
			return nil
		}
	}
	return fmt.Errorf("origin %q is not allowed to open a WebSocket on %s", origin, r.Host)
}

// checkPatterns reports a malformed origin pattern.
func checkPatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("ws: OriginPatterns: %q: %w", p, err)
		}
	}
	return nil
}
