package ws

import (
	"encoding/base64"
	"net"
	"net/netip"
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
	ipLiteral  bool    // the host is an IP address
}

// parseURL checks rawURL against RFC 6455 section 3, and fills t with
// where it leads: the scheme is ws or wss, a host is present and there
// is no fragment; or it is a ws+unix or wss+unix URL (see parseUnixURL).
func parseURL(rawURL string, t *target) error {
	if parsePlainURL(rawURL, t) {
		return nil
	}
	return parseAnyURL(rawURL, t)
}

// parseAnyURL is parseURL through net/url, for any URL.
func parseAnyURL(rawURL string, t *target) error {
	bad := func(reason string) error { return &URLError{URL: rawURL, Reason: reason} }
	u, err := url.Parse(rawURL)
	if err != nil {
		return bad(err.(*url.Error).Err.Error())
	}
	*t = target{}
	switch strings.ToLower(u.Scheme) {
	case "ws":
	case "wss":
		t.secure = true
	case "ws+unix", "wss+unix":
		return parseUnixURL(rawURL, u, t)
	case "":
		return bad("no scheme; use ws:// or wss://")
	default:
		return bad("scheme " + u.Scheme + " is not ws or wss")
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return bad("fragment identifiers are not allowed in WebSocket URLs")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return bad("no host")
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
		return bad("invalid host " + strconv.Quote(host))
	}
	t.serverName = host
	t.host = host
	if strings.Contains(host, ":") {
		t.host = "[" + host + "]"
	}
	if port != defaultPort {
		t.host += ":" + port
	}
	_, err = netip.ParseAddr(host)
	t.ipLiteral = err == nil
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
	return nil
}

// parsePlainURL fills t from a URL of the plain form that most are, as
// parseAnyURL would, but from parts of rawURL, where net/url and the
// joins of host and port cost four allocations (BenchmarkConnect):
// ws:// or wss:// in any case; a host that is a name of letters, digits,
// '-', '_' and '.', or an IPv6 address in brackets without a zone; a
// port of digits, if any; and a path, if any, and a query, if any, of
// characters that need no escaping. It reports false for any other URL,
// for parseAnyURL to parse or refuse; FuzzParseURL checks that the two
// agree on every URL this one takes.
func parsePlainURL(rawURL string, t *target) bool {
	rest, secure := rawURL, false
	switch {
	case hasPrefixFold(rest, "ws://"):
		rest = rest[len("ws://"):]
	case hasPrefixFold(rest, "wss://"):
		rest, secure = rest[len("wss://"):], true
	default:
		return false
	}
	// The authority: host, then port.
	hostname, hostEnd := "", 0
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return false
		}
		ip, err := netip.ParseAddr(rest[1:end])
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return false
		}
		hostname, hostEnd = rest[1:end], end+1
	} else {
		for hostEnd < len(rest) && plainHostByte(rest[hostEnd]) {
			hostEnd++
		}
		if hostEnd == 0 {
			return false
		}
		hostname = rest[:hostEnd]
	}
	end, port := hostEnd, ""
	if end < len(rest) && rest[end] == ':' {
		end++
		for end < len(rest) && '0' <= rest[end] && rest[end] <= '9' {
			end++
		}
		if end == hostEnd+1 {
			return false // ws://host:/ has an empty port
		}
		port = rest[hostEnd+1 : end]
	}
	authority, reqTarget := rest[:end], rest[end:]
	// The path and the query, which must need no escaping: the
	// request-target is then as given.
	if reqTarget != "" && reqTarget[0] != '/' {
		return false
	}
	path, query, _ := strings.Cut(reqTarget, "?")
	for i := 0; i < len(path); i++ {
		if !plainPathByte(path[i]) {
			return false
		}
	}
	for i := 0; i < len(query); i++ {
		if !plainQueryByte(query[i]) {
			return false
		}
	}
	defaultPort, scheme := "80", "ws"
	if secure {
		defaultPort, scheme = "443", "wss"
	}
	*t = target{
		secure:     secure,
		addr:       authority,
		serverName: hostname,
		host:       authority,
		requestURI: reqTarget,
		url:        url.URL{Scheme: scheme, Host: authority, Path: path, RawQuery: query},
	}
	if port == "" {
		t.addr = net.JoinHostPort(hostname, defaultPort)
	}
	if port == "" || port == defaultPort {
		t.host = rest[:hostEnd]
	}
	if reqTarget == "" {
		t.requestURI = "/"
	}
	_, err := netip.ParseAddr(hostname)
	t.ipLiteral = err == nil
	return true
}

// hasPrefixFold reports whether s begins with prefix, in any case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// plainHostByte reports whether c may be in the host of a plain URL.
func plainHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

// plainPathByte reports whether c may be in the path of a plain URL: the
// bytes that net/url leaves as they are in a path (RFC 3986 section 3.3,
// but for the sub-delimiters it escapes).
func plainPathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~$&+,/:;=@", c) >= 0
}

// plainQueryByte reports whether c may be in the query of a plain URL:
// a byte that escapeQuery leaves as it is.
func plainQueryByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(queryPunct, c) >= 0
}

// parseUnixURL reads the URLs of Node's ws for a server on a Unix socket:
// ws+unix:///run/app.sock:/path?query, the socket's absolute path, then
// after the first colon the request's path and query ("/" if there is no
// colon). A socket whose path holds a colon needs the UnixSocket option.
// The Host header, and the name a wss+unix:// server's certificate must
// have, is localhost (TLSConfig's ServerName can say otherwise).
func parseUnixURL(rawURL string, u *url.URL, t *target) error {
	bad := func(reason string) error { return &URLError{URL: rawURL, Reason: reason} }
	if u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return bad("a " + u.Scheme + " URL has no host, and names the socket by its absolute path: " + u.Scheme + ":///path/to.sock:/request/path")
	}
	if u.User != nil {
		return bad("a " + u.Scheme + " URL has no userinfo; use Header for Authorization")
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return bad("fragment identifiers are not allowed in WebSocket URLs")
	}
	socket, path, _ := strings.Cut(u.EscapedPath(), ":")
	socket, err := url.PathUnescape(socket)
	if err != nil {
		return bad(err.Error())
	}
	if path == "" {
		path = "/"
	} else if path[0] != '/' {
		return bad("the request path after the socket's must start with /")
	}
	*t = target{
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
	return nil
}

// queryPunct are the bytes but letters and digits that a query may hold
// as they are (RFC 3986 section 3.4), '%' with them.
const queryPunct = "-._~!$&'()*+,;=:@/?%"

// escapeQuery percent-encodes the bytes of a raw query that RFC 3986
// section 3.4 does not allow in one, such as a space, which url.Parse
// leaves as given: written into the request line, it would end the
// request-target early.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(queryPunct, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
