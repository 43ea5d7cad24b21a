package ws

import (
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
)

// ProxyFromEnvironment returns the proxy that the environment names for a
// ws:// or wss:// URL, or nil for none. Connect uses it unless Proxy,
// ProxyFunc, NoProxy or NetDial is given. The variables, lowercase before
// uppercase, as curl, hackney and python-websockets read them:
//
//   - for wss://: wss_proxy, then https_proxy; for ws://: ws_proxy, then
//     http_proxy; then all_proxy for both.
//   - no_proxy: a comma-separated list of hosts that are reached directly.
//     "*" is every host; an IP address or a CIDR block (10.0.0.0/8)
//     matches the URL's address; a name matches itself and its
//     subdomains ("example.com" and ".example.com" both match
//     a.example.com; only the first matches example.com); an entry with
//     a port (example.com:8080) matches that port only.
//
// Unlike net/http's ProxyFromEnvironment, loopback hosts are proxied
// unless no_proxy lists them, and all_proxy is read: the same environment
// leads to the same place as with curl or python-websockets. A value
// without a scheme is an http:// proxy. HTTP_PROXY is ignored when
// REQUEST_METHOD is set, since a CGI program gets the client's Proxy
// header there (httpoxy).
func ProxyFromEnvironment(u *url.URL) (*url.URL, error) {
	return proxyFromEnv(os.Getenv, u)
}

// upperNames are the variables' upper-case spellings: made once, not at
// each Connect.
var upperNames = map[string]string{
	"ws_proxy": "WS_PROXY", "wss_proxy": "WSS_PROXY", "http_proxy": "HTTP_PROXY",
	"https_proxy": "HTTPS_PROXY", "all_proxy": "ALL_PROXY", "no_proxy": "NO_PROXY",
}

func proxyFromEnv(getenv func(string) string, u *url.URL) (*url.URL, error) {
	lookup := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		upper := upperNames[name]
		if upper == "HTTP_PROXY" && getenv("REQUEST_METHOD") != "" {
			return ""
		}
		return getenv(upper)
	}
	names := []string{"ws_proxy", "http_proxy", "all_proxy"}
	if strings.EqualFold(u.Scheme, "wss") || strings.EqualFold(u.Scheme, "wss+unix") {
		names = []string{"wss_proxy", "https_proxy", "all_proxy"}
	}
	var raw string
	for _, name := range names {
		if raw = lookup(name); raw != "" {
			break
		}
	}
	if raw == "" || bypassProxy(lookup("no_proxy"), u) {
		return nil, nil
	}
	return parseProxyURL(raw)
}

// bypassProxy reports whether the no_proxy list names u's host.
func bypassProxy(noProxy string, u *url.URL) bool {
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "wss") {
			port = "443"
		}
	}
	ip, ipErr := netip.ParseAddr(host)
	for _, entry := range strings.Split(noProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		switch {
		case entry == "":
			continue
		case entry == "*":
			return true
		}
		if p, err := netip.ParsePrefix(entry); err == nil {
			if ipErr == nil && p.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		name, entryPort := entry, ""
		if h, p, err := net.SplitHostPort(entry); err == nil {
			name, entryPort = h, p
		}
		if entryPort != "" && entryPort != port {
			continue
		}
		name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
		if a, err := netip.ParseAddr(name); err == nil {
			if ipErr == nil && a.Unmap() == ip.Unmap() {
				return true
			}
			continue
		}
		name = strings.TrimPrefix(name, "*")
		if strings.HasPrefix(name, ".") {
			if strings.HasSuffix(host, name) {
				return true
			}
		} else if host == name || strings.HasSuffix(host, "."+name) {
			return true
		}
	}
	return false
}
