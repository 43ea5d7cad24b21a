package ws

import (
	"encoding/base64"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// target is where a ws:// or wss:// URL leads.
type target struct {
	secure     bool
	addr       string // host:port to dial
	serverName string // host for TLS verification
	host       string // the Host header (RFC 6455 section 4.1, item 4)
	requestURI string // path and query
	basicAuth  string // Authorization value from the URL's userinfo, if any
}

// parseURL checks rawURL against RFC 6455 section 3: the scheme is ws or
// wss, a host is present and there is no fragment.
func parseURL(rawURL string) (*target, error) {
	bad := func(reason string) error { return &URLError{URL: rawURL, Reason: reason} }
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, bad(err.(*url.Error).Err.Error())
	}
	t := &target{}
	switch strings.ToLower(u.Scheme) {
	case "ws":
	case "wss":
		t.secure = true
	case "":
		return nil, bad("no scheme; use ws:// or wss://")
	default:
		return nil, bad("scheme " + u.Scheme + " is not ws or wss")
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return nil, bad("fragment identifiers are not allowed in WebSocket URLs")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, bad("no host")
	}
	host, port := u.Hostname(), u.Port()
	defaultPort := "80"
	if t.secure {
		defaultPort = "443"
	}
	if port == "" {
		port = defaultPort
	}
	t.addr = net.JoinHostPort(host, port)
	if _, _, err := net.SplitHostPort(t.addr); err != nil || strings.ContainsAny(host, "[]") {
		return nil, bad("invalid host " + strconv.Quote(host))
	}
	t.serverName = host
	t.host = host
	if strings.Contains(host, ":") {
		t.host = "[" + host + "]"
	}
	if port != defaultPort {
		t.host += ":" + port
	}
	t.requestURI = u.EscapedPath()
	if t.requestURI == "" {
		t.requestURI = "/"
	}
	if u.ForceQuery || u.RawQuery != "" {
		t.requestURI += "?" + escapeQuery(u.RawQuery)
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		t.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))
	}
	return t, nil
}

// escapeQuery percent-encodes the bytes of a raw query that RFC 3986
// section 3.4 does not allow in one, such as a space, which url.Parse
// leaves as given: written into the request line, it would end the
// request-target early.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
