package ws

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// Proxy makes Connect reach the server through the proxy at rawURL, in
// place of the one the environment names (see ProxyFromEnvironment). The
// scheme says how:
//
//	http://host[:port]     HTTP CONNECT (RFC 9110 section 9.3.6), port 80 by default
//	https://host[:port]    TLS to the proxy, then CONNECT; port 443 by default
//	socks5://host[:port]   SOCKS5 (RFC 1928), the name resolved here; port 1080 by default
//	socks5h://host[:port]  SOCKS5, the name resolved by the proxy
//
// A URL without a scheme is taken as http://, as curl and Go's net/http
// take one from the environment; any other scheme makes Connect fail.
// The URL's user and password, if any, are sent to the proxy only: in
// Proxy-Authorization (Basic, RFC 7617) on the CONNECT, or as SOCKS5
// username and password (RFC 1929).
func Proxy(rawURL string) Option {
	u, err := parseProxyURL(rawURL)
	return func(c *config) {
		c.dial.proxySet = true
		c.dial.proxyFunc = func(*url.URL) (*url.URL, error) { return u, err }
	}
}

// ProxyFunc makes Connect ask f for the proxy of each connection: f gets
// the ws:// or wss:// URL without its userinfo, and returns the proxy's
// URL as Proxy takes it, or nil for none. An error from f fails Connect.
func ProxyFunc(f func(*url.URL) (*url.URL, error)) Option {
	return func(c *config) {
		c.dial.proxySet = true
		c.dial.proxyFunc = f
	}
}

// NoProxy makes Connect reach the server directly, whatever the
// environment says.
func NoProxy() Option { return ProxyFunc(nil) }

// ProxyHeader adds a header to the CONNECT request sent to an HTTP or
// HTTPS proxy; it may be given many times. It is not sent to the server,
// nor to a SOCKS5 proxy. A Proxy-Authorization given here replaces the
// one made from the proxy URL's userinfo.
func ProxyHeader(name, value string) Option {
	return func(c *config) {
		if c.dial.proxyHeader == nil {
			c.dial.proxyHeader = http.Header{}
		}
		c.dial.proxyHeader.Add(name, value)
	}
}

// ProxyTLSConfig sets the TLS configuration for an https:// proxy. As
// with TLSConfig, an empty ServerName is filled in from the proxy's URL,
// and NextProtos, when empty, is set to http/1.1.
func ProxyTLSConfig(t *tls.Config) Option { return func(c *config) { c.dial.proxyTLS = t } }

// dialConfig says how Connect reaches the server. Its options are Proxy,
// ProxyFunc, NoProxy, ProxyHeader, ProxyTLSConfig, NetDial and UnixSocket.
type dialConfig struct {
	// netDial opens the first connection: to the proxy if there is one,
	// to the server otherwise. Nil means TCP.
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// proxySet says that Proxy, ProxyFunc or NoProxy was given: only then
	// is proxyFunc asked; otherwise the environment is, unless netDial
	// is set.
	proxySet    bool
	proxyFunc   func(*url.URL) (*url.URL, error)
	proxyHeader http.Header
	proxyTLS    *tls.Config
}

// ProxyError is returned by Connect when the way through a proxy fails:
// the proxy cannot be reached, its TLS handshake fails, or it refuses the
// tunnel. A refused CONNECT sets StatusCode, Status and Header (as a 407
// with Proxy-Authenticate, a 403, a 502); a refused SOCKS5 request sets
// SOCKSReply. Err holds the cause of other failures.
type ProxyError struct {
	Proxy      string      // the proxy's URL, its password redacted
	StatusCode int         // the status of a refused CONNECT
	Status     string      // its reason phrase
	Header     http.Header // its header
	SOCKSReply int         // the reply code of a refused SOCKS5 request (RFC 1928 section 6)
	Err        error
}

// Error describes the ProxyError.
func (e *ProxyError) Error() string {
	switch {
	case e.StatusCode != 0:
		return fmt.Sprintf("ws: proxy %s refused CONNECT: %d %s", e.Proxy, e.StatusCode, e.Status)
	case e.SOCKSReply != 0:
		return fmt.Sprintf("ws: proxy %s refused the SOCKS5 request: %s", e.Proxy, socksReplyText(e.SOCKSReply))
	}
	return fmt.Sprintf("ws: proxy %s: %v", e.Proxy, e.Err)
}

// Unwrap returns Err.
func (e *ProxyError) Unwrap() error { return e.Err }

// parseProxyURL checks a proxy URL: a scheme of those Proxy lists (none
// meaning http), a host, nothing else but a port and userinfo.
func parseProxyURL(rawURL string) (*url.URL, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the url.Error repeats the URL, with its password
		}
		return nil, &URLError{URL: redactURL(rawURL), Reason: "proxy: " + err.Error()}
	}
	if err := checkProxyURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkProxyURL tells why Connect cannot use u as a proxy, if it cannot.
func checkProxyURL(u *url.URL) error {
	bad := func(reason string) error { return &URLError{URL: u.Redacted(), Reason: "proxy: " + reason} }
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return bad("scheme " + u.Scheme + " is not http, https, socks5 or socks5h")
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return bad("no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return bad("a proxy URL has no path, query or fragment")
	}
	return nil
}

// redactURL hides the password of a URL that did not parse.
func redactURL(rawURL string) string {
	scheme, rest, _ := strings.Cut(rawURL, "://")
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return rawURL
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return rawURL
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// proxyFor returns the proxy for the target, nil for none.
func (d *dialConfig) proxyFor(t *target) (*url.URL, error) {
	var u *url.URL
	var err error
	switch {
	case d.proxySet && d.proxyFunc != nil:
		u, err = d.proxyFunc(&t.url)
	case d.proxySet, d.netDial != nil:
		// With a dialer of its own and no proxy given, the caller's
		// dialer is trusted to reach the server.
		return nil, nil
	default:
		u, err = ProxyFromEnvironment(&t.url)
	}
	if err != nil || u == nil {
		return nil, err
	}
	if err := checkProxyURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// defaultProxyPorts are the ports of proxy URLs without one.
var defaultProxyPorts = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}

// dialServer returns a connection on which the opening handshake can start (TLS
// for wss:// aside): to the server, or through the proxy to it. Every
// blocking step ends at deadline (none if zero) or when ctx does. bound,
// if not nil, is room for the bound of a direct dial (dialDirect).
func dialServer(ctx context.Context, deadline time.Time, t *target, cfg *config, bound *dialBound) (net.Conn, error) {
	d := &cfg.dial
	pu, err := d.proxyFor(t)
	if err != nil {
		return nil, err
	}
	if pu == nil && d.netDial == nil {
		nc, err := dialDirect(ctx, deadline, t, bound)
		if err != nil {
			return nil, fmt.Errorf("ws: dial: %w", err)
		}
		return nc, nil
	}
	nd := net.Dialer{Deadline: deadline}
	netDial := d.netDial
	if netDial == nil {
		netDial = nd.DialContext
	}
	if (pu != nil || d.netDial != nil) && !deadline.IsZero() {
		// The proxy's leg and the caller's dial see the deadline as their
		// context's.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	if pu == nil {
		nc, err := netDial(ctx, "tcp", t.addr)
		if err == nil && nc == nil {
			err = errors.New("NetDial returned no connection and no error")
		}
		if err != nil {
			return nil, fmt.Errorf("ws: dial: %w", err)
		}
		return nc, nil
	}
	perr := func(err error) error { return &ProxyError{Proxy: pu.Redacted(), Err: err} }
	port := pu.Port()
	if port == "" {
		port = defaultProxyPorts[pu.Scheme]
	}
	raw, err := netDial(ctx, "tcp", net.JoinHostPort(pu.Hostname(), port))
	if err == nil && raw == nil {
		err = errors.New("NetDial returned no connection and no error")
	}
	if err != nil {
		return nil, perr(err)
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	nc, err := throughProxy(ctx, raw, pu, t.addr, d)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		raw.Close()
		var pe *ProxyError
		if !errors.As(err, &pe) {
			err = perr(err)
		}
		return nil, err
	}
	raw.SetDeadline(time.Time{})
	return nc, nil
}

// throughProxy asks the proxy at the other end of nc for a tunnel to
// addr, and returns the tunnel.
func throughProxy(ctx context.Context, nc net.Conn, pu *url.URL, addr string, d *dialConfig) (net.Conn, error) {
	switch pu.Scheme {
	case "socks5", "socks5h":
		return nc, socksConnect(ctx, nc, pu, addr, pu.Scheme == "socks5h")
	case "https":
		conf := &tls.Config{}
		if d.proxyTLS != nil {
			conf = d.proxyTLS.Clone()
		}
		if conf.ServerName == "" {
			conf.ServerName = pu.Hostname()
		}
		if len(conf.NextProtos) == 0 {
			conf.NextProtos = []string{"http/1.1"}
		}
		tc := tls.Client(nc, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		nc = tc
	}
	return httpConnect(nc, pu, addr, d.proxyHeader)
}

// checkProxyHeader refuses what cannot be written into a CONNECT request.
func checkProxyHeader(h http.Header) error {
	for name, values := range h {
		if !proto.IsToken(name) {
			return fmt.Errorf("ws: invalid proxy header name %q: not an HTTP token", name)
		}
		for _, v := range values {
			if !proto.ValidFieldValue(v) {
				return fmt.Errorf("ws: invalid value of proxy header %s: %q holds a control character", name, v)
			}
		}
	}
	return nil
}
