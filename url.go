package ws

import (
	"encoding/base64"
	"net"
	"net/url"
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
	t.serverName = host
	t.host = host
	if strings.Contains(host, ":") {
		t.host = "[" + host + "]"
	}
	if port != defaultPort {
		t.host += ":" + port
	}
	t.requestURI = u.RequestURI()
	if u.User != nil {
		pw, _ := u.User.Password()
		t.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))
	}
	return t, nil
}
