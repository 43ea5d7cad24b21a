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
	addr       string  // host:port to dial
	serverName string  // host for TLS verification
	host       string  // the Host header (RFC 6455 section 4.1, item 4)
	requestURI string  // path and query
	basicAuth  string  // Authorization value from the URL's userinfo, if any
	url        url.URL // the URL without its userinfo, for ProxyFunc (a value: no allocation of its own)
	unixSocket string  // the socket of a ws+unix:// or wss+unix:// URL
}

// parseURL checks rawURL against RFC 6455 section 3: the scheme is ws or
// wss, a host is present and there is no fragment; or it is a ws+unix or
// wss+unix URL (see parseUnixURL).
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
	case "ws+unix", "wss+unix":
		return parseUnixURL(rawURL, u)
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
	t.url = url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	return t, nil
}

// parseUnixURL reads the URLs of Node's ws for a server on a Unix socket:
// ws+unix:///run/app.sock:/path?query, the socket's absolute path, then
// after the first colon the request's path and query ("/" if there is no
// colon). A socket whose path holds a colon needs the UnixSocket option.
// The Host header, and the name a wss+unix:// server's certificate must
// have, is localhost (TLSConfig's ServerName can say otherwise).
func parseUnixURL(rawURL string, u *url.URL) (*target, error) {
	bad := func(reason string) error { return &URLError{URL: rawURL, Reason: reason} }
	if u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return nil, bad("a " + u.Scheme + " URL has no host, and names the socket by its absolute path: " + u.Scheme + ":///path/to.sock:/request/path")
	}
	if u.User != nil {
		return nil, bad("a " + u.Scheme + " URL has no userinfo; use Header for Authorization")
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return nil, bad("fragment identifiers are not allowed in WebSocket URLs")
	}
	socket, path, _ := strings.Cut(u.EscapedPath(), ":")
	socket, err := url.PathUnescape(socket)
	if err != nil {
		return nil, bad(err.Error())
	}
	if path == "" {
		path = "/"
	} else if path[0] != '/' {
		return nil, bad("the request path after the socket's must start with /")
	}
	t := &target{
		secure:     strings.EqualFold(u.Scheme, "wss+unix"),
		addr:       "localhost:80",
		serverName: "localhost",
		host:       "localhost",
		requestURI: path,
		unixSocket: socket,
	}
	if t.secure {
		t.addr = "localhost:443"
	}
	if u.ForceQuery || u.RawQuery != "" {
		t.requestURI += "?" + escapeQuery(u.RawQuery)
	}
	t.url = url.URL{Scheme: strings.ToLower(u.Scheme), Host: "localhost", Path: u.Path, RawQuery: u.RawQuery}
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
