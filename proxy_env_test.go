package ws

import (
	"net/url"
	"strings"
	"testing"
)

func TestProxyFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		target string
		want   string // the proxy's URL, "" for none
	}{
		{"nothing", nil, "ws://a.example/", ""},
		{"wss_proxy-first", map[string]string{"wss_proxy": "http://w:1", "https_proxy": "http://h:1", "all_proxy": "http://a:1"}, "wss://a.example/", "http://w:1"},
		{"WSS_PROXY", map[string]string{"WSS_PROXY": "http://w:1", "https_proxy": "http://h:1"}, "wss://a.example/", "http://w:1"},
		{"https_proxy", map[string]string{"https_proxy": "http://h:1", "HTTPS_PROXY": "http://H:1", "http_proxy": "http://p:1"}, "wss://a.example/", "http://h:1"},
		{"HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://H:1", "http_proxy": "http://p:1"}, "wss://a.example/", "http://H:1"},
		{"wss-all_proxy", map[string]string{"http_proxy": "http://p:1", "ALL_PROXY": "socks5h://s:1"}, "wss://a.example/", "socks5h://s:1"},
		{"ws_proxy-first", map[string]string{"ws_proxy": "http://w:1", "http_proxy": "http://p:1"}, "ws://a.example/", "http://w:1"},
		{"http_proxy", map[string]string{"http_proxy": "http://p:1", "https_proxy": "http://h:1"}, "ws://a.example/", "http://p:1"},
		{"ws-all_proxy", map[string]string{"https_proxy": "http://h:1", "all_proxy": "socks5://s:1"}, "ws://a.example/", "socks5://s:1"},
		{"no-scheme", map[string]string{"http_proxy": "p:3128"}, "ws://a.example/", "http://p:3128"},
		{"httpoxy", map[string]string{"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"}, "ws://a.example/", ""},
		{"httpoxy-lowercase-kept", map[string]string{"http_proxy": "http://p:1", "REQUEST_METHOD": "GET"}, "ws://a.example/", "http://p:1"},
		{"loopback-proxied", map[string]string{"http_proxy": "http://p:1"}, "ws://127.0.0.1:9/", "http://p:1"},
		{"no_proxy-host", map[string]string{"http_proxy": "http://p:1", "no_proxy": "a.example"}, "ws://a.example/", ""},
		{"no_proxy-subdomain", map[string]string{"http_proxy": "http://p:1", "no_proxy": "example"}, "ws://a.example/", ""},
		{"no_proxy-not-a-suffix", map[string]string{"http_proxy": "http://p:1", "no_proxy": "xample"}, "ws://a.example/", "http://p:1"},
		{"no_proxy-dot-subdomain-only", map[string]string{"http_proxy": "http://p:1", "no_proxy": ".example"}, "ws://example/", "http://p:1"},
		{"no_proxy-dot", map[string]string{"http_proxy": "http://p:1", "no_proxy": ".example"}, "ws://a.example/", ""},
		{"no_proxy-star-dot", map[string]string{"http_proxy": "http://p:1", "no_proxy": "*.example"}, "ws://a.b.example/", ""},
		{"no_proxy-case", map[string]string{"http_proxy": "http://p:1", "NO_PROXY": "A.Example."}, "ws://a.EXAMPLE./", ""},
		{"no_proxy-port", map[string]string{"http_proxy": "http://p:1", "no_proxy": "a.example:8080"}, "ws://a.example:8080/", ""},
		{"no_proxy-default-port", map[string]string{"https_proxy": "http://p:1", "no_proxy": "a.example:443"}, "wss://a.example/", ""},
		{"no_proxy-other-port", map[string]string{"http_proxy": "http://p:1", "no_proxy": "a.example:8080"}, "ws://a.example/", "http://p:1"},
		{"no_proxy-ip", map[string]string{"http_proxy": "http://p:1", "no_proxy": "10.0.0.1"}, "ws://10.0.0.1/", ""},
		{"no_proxy-cidr", map[string]string{"http_proxy": "http://p:1", "no_proxy": "foo, 10.0.0.0/8"}, "ws://10.1.2.3:99/", ""},
		{"no_proxy-cidr-other", map[string]string{"http_proxy": "http://p:1", "no_proxy": "10.0.0.0/8"}, "ws://11.1.2.3/", "http://p:1"},
		{"no_proxy-ipv6", map[string]string{"http_proxy": "http://p:1", "no_proxy": "::1"}, "ws://[::1]:80/", ""},
		{"no_proxy-ipv6-port", map[string]string{"http_proxy": "http://p:1", "no_proxy": "[::1]:8080"}, "ws://[::1]:8080/", ""},
		{"no_proxy-ipv6-cidr", map[string]string{"http_proxy": "http://p:1", "no_proxy": "fd00::/8"}, "ws://[fd12::1]/", ""},
		{"no_proxy-star", map[string]string{"all_proxy": "http://p:1", "no_proxy": "*"}, "wss://anything/", ""},
		{"no_proxy-name-not-ip", map[string]string{"http_proxy": "http://p:1", "no_proxy": "localhost"}, "ws://127.0.0.1/", "http://p:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			got, err := proxyFromEnv(func(k string) string { return tc.env[k] }, u)
			if err != nil {
				t.Fatalf("proxyFromEnv: %v", err)
			}
			if s := ""; got != nil {
				s = got.String()
				if s != tc.want {
					t.Fatalf("got %s, want %q", s, tc.want)
				}
			} else if tc.want != "" {
				t.Fatalf("got no proxy, want %s", tc.want)
			}
		})
	}
}

func TestProxyURLs(t *testing.T) {
	for _, tc := range []struct {
		raw, err string
	}{
		{"http://p:1", ""},
		{"https://u:pw@p", ""},
		{"socks5://p:1080", ""},
		{"socks5h://p", ""},
		{"p:3128", ""},
		{"ftp://p:21", "scheme ftp is not"},
		{"socks4://p:1080", "scheme socks4 is not"},
		{"HTTP://p:1", ""},
		{"http://", "no host"},
		{"http://p:1/path", "no path"},
		{"http://u:secret@p:1/x", "u:xxxxx@"},
		{"http://u:secret@[::1", "u:xxxxx@"},
	} {
		_, err := parseProxyURL(tc.raw)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.raw, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %v, want an error with %q", tc.raw, err, tc.err)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("%q: the error shows the password: %v", tc.raw, err)
		}
	}
}
