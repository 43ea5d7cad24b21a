package main

import (
	"crypto/tls"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/testcert"
)

func urlPort(t *testing.T, rawURL string) int {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProxyFlags runs ws through tinyproxy with --proxy, and through
// squid with --proxy-header, which squid is set to require.
func TestProxyFlags(t *testing.T) {
	t.Parallel()
	target := echoURL(t)
	tp := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{User: "u", Password: "p", ConnectPorts: []int{urlPort(t, target)}})
	env := []string{"http_proxy=http://127.0.0.1:1"} // --proxy wins over it

	r := runWSEnv(t, env, "-v", "--proxy", tp, "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitOK)
	redacted := strings.Replace(tp, "u:p@", "u:xxxxx@", 1)
	if r.stdout != "hi\n" || !strings.Contains(r.stderr, "through the proxy "+redacted+" (--proxy)") {
		t.Fatalf("through tinyproxy: %v", r)
	}

	refused := "ws://127.0.0.1:" + freePortNumber(t) + "/"
	r = runWSEnv(t, env, "--proxy", tp, "-x", "hi", refused)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "refused the tunnel: HTTP 403") {
		t.Fatalf("denied port: %v", r)
	}
	r = runWSEnv(t, env, "--proxy", strings.Replace(tp, "u:p@", "", 1), "-x", "hi", target)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "HTTP 407") || !strings.Contains(r.stderr, "< Proxy-Authenticate: Basic") {
		t.Fatalf("no credentials: %v", r)
	}

	sq := proxytest.Squid(t, proxytest.SquidOptions{SSLPorts: []int{urlPort(t, target)}, Header: "X-Tunnel-Token: 42"})
	r = runWSEnv(t, nil, "--proxy", sq, "--proxy-header", "X-Tunnel-Token: 42", "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitOK)
	r = runWSEnv(t, nil, "--proxy", sq, "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "HTTP 403") {
		t.Fatalf("squid without the header: %v", r)
	}
}

func freePortNumber(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// TestProxyEnvironment runs ws with the proxy variables of the
// environment. tinyproxy tunnels only to the allowed server and answers
// 403 for the other: a 403 proves the proxy was used, a reply from the
// other server that it was not.
func TestProxyEnvironment(t *testing.T) {
	t.Parallel()
	allowed, other := echoURL(t), echoURL(t)
	tp := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{ConnectPorts: []int{urlPort(t, allowed)}})
	socks := proxytest.Microsocks(t, "bob", "pw")
	dead := "http://127.0.0.1:" + freePortNumber(t)
	otherPort := strconv.Itoa(urlPort(t, other))
	otherByName := strings.Replace(other, "127.0.0.1", "localhost", 1)
	badSocks := strings.Replace(socks, "bob:pw@", "bob:wrong@", 1)
	ca := testcert.NewCA(t, "ws proxy test CA")
	secure := startTLSEcho(t, &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, testcert.Options{IPs: loopback})}})
	cacert := "--cacert=" + ca.WritePEM(t)
	const (
		direct  = "direct"  // the reply came, tinyproxy would have refused
		proxied = "proxied" // tinyproxy refused with 403
		down    = "down"    // the proxy could not be reached or refused the user
	)
	for _, tc := range []struct {
		name string
		env  []string
		url  string
		want string
	}{
		{"http_proxy", []string{"http_proxy=" + tp}, other, proxied},
		{"HTTP_PROXY", []string{"HTTP_PROXY=" + tp}, other, proxied},
		{"http_proxy-first", []string{"http_proxy=" + tp, "HTTP_PROXY=" + dead}, other, proxied},
		{"no-scheme", []string{"http_proxy=" + strings.TrimPrefix(tp, "http://")}, other, proxied},
		{"allowed-through", []string{"http_proxy=" + tp, "-v"}, allowed, "ok"},
		{"ws_proxy-first", []string{"ws_proxy=" + tp, "http_proxy=" + dead}, other, proxied},
		{"https_proxy-not-for-ws", []string{"https_proxy=" + dead}, other, direct},
		{"all_proxy-fallback", []string{"all_proxy=" + dead}, other, down},
		{"ALL_PROXY", []string{"ALL_PROXY=" + dead}, other, down},
		{"all_proxy-last", []string{"http_proxy=" + tp, "all_proxy=" + dead}, other, proxied},
		{"all_proxy-socks5", []string{"all_proxy=" + socks}, other, direct},
		{"all_proxy-socks5-bad-password", []string{"all_proxy=" + badSocks}, other, down},
		{"loopback-proxied", []string{"http_proxy=" + tp}, otherByName, proxied},
		{"no_proxy-ip", []string{"http_proxy=" + tp, "no_proxy=127.0.0.1"}, other, direct},
		{"NO_PROXY-cidr", []string{"http_proxy=" + tp, "NO_PROXY=10.0.0.0/8, 127.0.0.0/8"}, other, direct},
		{"no_proxy-port", []string{"http_proxy=" + tp, "no_proxy=127.0.0.1:" + otherPort}, other, direct},
		{"no_proxy-other-port", []string{"http_proxy=" + tp, "no_proxy=127.0.0.1:1"}, other, proxied},
		{"no_proxy-name", []string{"http_proxy=" + tp, "no_proxy=example.com,localhost"}, otherByName, direct},
		{"no_proxy-star", []string{"http_proxy=" + tp, "no_proxy=*"}, other, direct},
		{"no-proxy-flag", []string{"http_proxy=" + tp, "--no-proxy"}, other, direct},
		{"httpoxy", []string{"HTTP_PROXY=" + dead, "REQUEST_METHOD=GET"}, other, direct},
		{"wss-https_proxy", []string{"https_proxy=" + tp, cacert}, secure, proxied},
		{"wss-HTTPS_PROXY", []string{"HTTPS_PROXY=" + tp, cacert}, secure, proxied},
		{"wss-wss_proxy-first", []string{"wss_proxy=" + tp, "https_proxy=" + dead, cacert}, secure, proxied},
		{"wss-http_proxy-not-for-wss", []string{"http_proxy=" + dead, "ws_proxy=" + dead, cacert}, secure, direct},
		{"wss-all_proxy", []string{"all_proxy=" + tp, cacert}, secure, proxied},
		{"unknown-scheme", []string{"http_proxy=ftp://127.0.0.1:21"}, other, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var env, args []string
			for _, e := range tc.env {
				if strings.HasPrefix(e, "-") {
					args = append(args, e)
				} else {
					env = append(env, e)
				}
			}
			r := runWSEnv(t, env, append(args, "-x", "hi", "--count", "1", tc.url)...)
			switch tc.want {
			case direct, "ok":
				if r.code != exitOK || r.stdout != "hi\n" {
					t.Fatalf("want the echo, got %v", r)
				}
				if tc.want == "ok" && !strings.Contains(r.stderr, "through the proxy "+tp+" (from the environment") {
					t.Fatalf("-v does not show the proxy: %v", r)
				}
			case proxied:
				if r.code != exitConnect || !strings.Contains(r.stderr, "the proxy "+tp+" refused the tunnel: HTTP 403") {
					t.Fatalf("want tinyproxy's 403, got %v", r)
				}
			case down:
				if r.code != exitConnect || !strings.Contains(r.stderr, ": proxy ") {
					t.Fatalf("want a failure of the proxy, got %v", r)
				}
			case "usage":
				if r.code != exitUsage || !strings.Contains(r.stderr, "scheme ftp") {
					t.Fatalf("want a usage error, got %v", r)
				}
			}
		})
	}
}

// TestUnixSocket runs ws against the embedded echo server on a Unix
// socket, named by --unix-socket and by a ws+unix:// URL.
func TestUnixSocket(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "ws-cli-unix-") // short: a socket's path has a limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "echo.sock")
	srv := &embedded.Server{}
	if _, err := srv.Listen("unix:"+path, srv.Echo()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	env := []string{"http_proxy=http://127.0.0.1:1"} // not used for a socket
	r := runWSEnv(t, env, "-v", "--unix-socket", path, "-x", "hi", "--count", "1", "ws://localhost/")
	wantExit(t, r, exitOK)
	if r.stdout != "hi\n" || !strings.Contains(r.stderr, "through the Unix socket "+path) {
		t.Fatalf("--unix-socket: %v", r)
	}
	r = runWSEnv(t, env, "-x", "hi", "--count", "1", "ws+unix://"+path+":/echo")
	wantExit(t, r, exitOK)
	if r.stdout != "hi\n" {
		t.Fatalf("ws+unix: %v", r)
	}
}

// TestHelpShowsRouteFlags: ws help connect documents each flag of the
// route to the server.
func TestHelpShowsRouteFlags(t *testing.T) {
	r := runWS(t, "", "help", "connect")
	wantExit(t, r, exitOK)
	for _, flag := range []string{"--proxy URL", "--no-proxy", "--proxy-header 'Name: value'", "--unix-socket PATH", "ws+unix://"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("ws help connect lacks %q", flag)
		}
	}
}

// An https:// proxy (stunnel in front of tinyproxy) with a certificate of
// a CA of the test's: --proxy-cacert trusts it, --proxy-insecure skips the
// check, and without either ws says why it cannot connect.
func TestHTTPSProxyTrust(t *testing.T) {
	t.Parallel()
	target := echoURL(t)
	ca := testcert.NewCA(t, "ws https proxy CA")
	certFile, keyFile := testcert.WritePEM(t, ca.Issue(t, testcert.Options{IPs: loopback}))
	backend := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{ConnectPorts: []int{urlPort(t, target)}})
	p := proxytest.Stunnel(t, backend, certFile, keyFile)

	r := runWSEnv(t, nil, "--proxy", p, "--proxy-cacert", ca.WritePEM(t), "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitOK)
	if r.stdout != "hi\n" {
		t.Fatalf("--proxy-cacert: %v", r)
	}
	r = runWSEnv(t, nil, "--proxy", p, "--proxy-insecure", "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitOK)
	r = runWSEnv(t, nil, "--proxy", p, "-x", "hi", "--count", "1", target)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("an untrusted proxy: %v", r)
	}
}
