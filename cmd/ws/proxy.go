package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	ws "github.com/hackney-go/ws"
)

// routeFlags say how the client reaches the server: --proxy, --no-proxy,
// --proxy-header, --proxy-cacert, --proxy-insecure and --unix-socket.
type routeFlags struct {
	proxy         string
	noProxy       bool
	proxyHeaders  stringList
	proxyCACert   string
	proxyInsecure bool
	unixSocket    string
}

func (r *routeFlags) register(fs *flag.FlagSet) {
	*r = routeFlags{}
	fs.StringVar(&r.proxy, "proxy", "", "")
	fs.BoolVar(&r.noProxy, "no-proxy", false, "")
	fs.Var(&r.proxyHeaders, "proxy-header", "")
	fs.StringVar(&r.proxyCACert, "proxy-cacert", "", "")
	fs.BoolVar(&r.proxyInsecure, "proxy-insecure", false, "")
	fs.StringVar(&r.unixSocket, "unix-socket", "", "")
}

// options returns the library's options for the route to rawURL, and
// the route as -v shows it ("" when direct).
func (r *routeFlags) options(rawURL string) (opts []ws.Option, route string, err error) {
	switch {
	case r.proxy != "" && r.noProxy:
		return nil, "", errors.New("--proxy and --no-proxy: give one")
	case r.unixSocket != "" && r.proxy != "":
		return nil, "", errors.New("--unix-socket reaches the server directly: it takes no --proxy")
	}
	for _, h := range r.proxyHeaders {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, "", fmt.Errorf("--proxy-header %q: give a header as 'Name: value'", h)
		}
		opts = append(opts, ws.ProxyHeader(name, strings.TrimSpace(value)))
	}
	if r.proxyCACert != "" || r.proxyInsecure {
		// The https:// proxy's own certificate: --cacert and --insecure
		// are the server's.
		conf := &tls.Config{InsecureSkipVerify: r.proxyInsecure}
		if r.proxyCACert != "" {
			pool, err := loadRoots("--proxy-cacert", r.proxyCACert)
			if err != nil {
				return nil, "", err
			}
			conf.RootCAs = pool
		}
		opts = append(opts, ws.ProxyTLSConfig(conf))
	}
	u, _ := url.Parse(rawURL) // Connect reports a bad URL
	switch {
	case r.unixSocket != "":
		return append(opts, ws.UnixSocket(r.unixSocket)), "through the Unix socket " + r.unixSocket, nil
	case u != nil && strings.HasSuffix(strings.ToLower(u.Scheme), "+unix"):
		return opts, "through the Unix socket the URL names", nil
	case r.noProxy:
		return append(opts, ws.NoProxy()), "", nil
	case r.proxy != "":
		opts = append(opts, ws.Proxy(r.proxy))
		if p, err := url.Parse(r.proxy); err == nil {
			return opts, "through the proxy " + p.Redacted() + " (--proxy)", nil
		}
		return opts, "", nil
	}
	if u == nil {
		return opts, "", nil
	}
	// The library reads the environment itself; this is what it finds.
	p, err := ws.ProxyFromEnvironment(u)
	if err != nil || p == nil {
		return opts, "", nil
	}
	return opts, "through the proxy " + p.Redacted() + " (from the environment; --no-proxy ignores it)", nil
}

// proxyFailure describes a ws.ProxyError: the lines to print.
func proxyFailure(url string, e *ws.ProxyError) []string {
	switch {
	case e.StatusCode != 0:
		lines := []string{fmt.Sprintf("%s: the proxy %s refused the tunnel: HTTP %d %s", url, e.Proxy, e.StatusCode, e.Status)}
		lines = append(lines, headerLines(e.Header)...)
		if e.StatusCode == http.StatusProxyAuthRequired {
			lines = append(lines, "(give the proxy's user and password in its URL: http://user:password@host:port)")
		}
		return lines
	}
	return []string{fmt.Sprintf("could not connect to %s: %s", url, trimWS(e))}
}
