package interop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/testcert"
)

// proxyEchoSize is the message echoed through each proxy.
const proxyEchoSize = 1 << 20

// proxyTargets are the servers reached through the proxies: Node's ws
// over ws:// and python-websockets over wss://, both with
// permessage-deflate.
type proxyTargets struct {
	ws, wss         *peer
	roots           *x509.CertPool
	certs           *certFiles // for 127.0.0.1 and localhost
	closedPort      int        // a port where nothing listens
	wsPort, wssPort int
}

func startProxyTargets(t *testing.T) *proxyTargets {
	ca := testcert.NewCA(t, "ws proxy test CA")
	cert, key := testcert.WritePEM(t, ca.Issue(t, testcert.Options{DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	certs := &certFiles{cert: cert, key: key, roots: ca.Pool}
	x := &proxyTargets{ws: startPeer(t, node, nil), wss: startPeer(t, python, certs), roots: ca.Pool, certs: certs}
	x.wsPort, x.wssPort = peerPort(t, x.ws), peerPort(t, x.wss)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	x.closedPort = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return x
}

func peerPort(t *testing.T, p *peer) int {
	u, err := url.Parse(p.base)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// echoThrough connects through the proxy to both targets, by the given
// host (127.0.0.1 or localhost), and checks a compressed echo of 1 MiB.
func (x *proxyTargets) echoThrough(t *testing.T, host string, opts ...ws.Option) {
	t.Helper()
	for _, target := range []struct {
		name string
		url  string
	}{
		{"ws", "ws://" + net.JoinHostPort(host, strconv.Itoa(x.wsPort)) + "/echo?deflate=default"},
		{"wss", "wss://" + net.JoinHostPort(host, strconv.Itoa(x.wssPort)) + "/echo"},
	} {
		t.Run(target.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			all := append([]ws.Option{
				ws.TLSConfig(&tls.Config{RootCAs: x.roots}),
				ws.Compression(ws.Deflate{}),
			}, opts...)
			c, err := ws.Connect(ctx, target.url, all...)
			if err != nil {
				t.Fatalf("Connect(%s): %v", target.url, err)
			}
			defer c.Close()
			if _, ok := c.Compression(); !ok {
				t.Fatal("permessage-deflate was not negotiated")
			}
			m := message(ws.BinaryFrame, proxyEchoSize)
			send(t, c, m)
			checkFrame(t, recv(t, c), m)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// refused connects through the proxy to the target and returns the
// ProxyError Connect must fail with.
func refused(t *testing.T, target string, opts ...ws.Option) *ws.ProxyError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := ws.Connect(ctx, target, opts...)
	if err == nil {
		c.Close()
		t.Fatalf("Connect(%s) succeeded, want a ProxyError", target)
	}
	var pe *ws.ProxyError
	if !errors.As(err, &pe) {
		t.Fatalf("Connect(%s): %v (%T), want a *ws.ProxyError", target, err, err)
	}
	return pe
}

func (x *proxyTargets) closedURL() string {
	return "ws://127.0.0.1:" + strconv.Itoa(x.closedPort) + "/echo"
}

// TestThroughProxies connects through each real proxy to ws:// and wss://
// servers, and checks each proxy's refusals.
func TestThroughProxies(t *testing.T) {
	t.Parallel()
	x := startProxyTargets(t)
	ports := []int{x.wsPort, x.wssPort}
	tlsToProxy := ws.ProxyTLSConfig(&tls.Config{RootCAs: x.roots})

	t.Run("tinyproxy", func(t *testing.T) {
		t.Parallel()
		t.Logf("tinyproxy %s", proxytest.Version("tinyproxy"))
		p := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{ConnectPorts: ports})
		x.echoThrough(t, "127.0.0.1", ws.Proxy(p), ws.ProxyHeader("X-Trace", "proxy-test"))
		t.Run("denied-port", func(t *testing.T) {
			pe := refused(t, x.closedURL(), ws.Proxy(p))
			if pe.StatusCode != 403 {
				t.Fatalf("got %v, want 403", pe)
			}
		})
	})
	t.Run("tinyproxy-basic-auth", func(t *testing.T) {
		t.Parallel()
		p := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{User: "alice", Password: "s3cret", ConnectPorts: ports})
		x.echoThrough(t, "127.0.0.1", ws.Proxy(p))
		u, _ := url.Parse(p)
		for _, user := range []*url.Userinfo{nil, url.UserPassword("alice", "wrong")} {
			u.User = user
			// tinyproxy 1.11 answers wrong credentials with 401 and
			// WWW-Authenticate, not RFC 9110's 407 and
			// Proxy-Authenticate, which it sends when there are none.
			pe := refused(t, x.ws.url("/echo"), ws.Proxy(u.String()))
			ok := pe.StatusCode == 407 && pe.Header.Get("Proxy-Authenticate") != ""
			if user != nil {
				ok = ok || pe.StatusCode == 401 && pe.Header.Get("WWW-Authenticate") != ""
			}
			if !ok {
				t.Fatalf("user %v: got %v with header %v, want 407 with Proxy-Authenticate", user, pe, pe.Header)
			}
		}
	})
	t.Run("squid", func(t *testing.T) {
		t.Parallel()
		t.Logf("squid %s", proxytest.Version("squid"))
		p := proxytest.Squid(t, proxytest.SquidOptions{SSLPorts: ports})
		x.echoThrough(t, "127.0.0.1", ws.Proxy(p))
		t.Run("not-an-ssl-port", func(t *testing.T) {
			pe := refused(t, x.closedURL(), ws.Proxy(p))
			if pe.StatusCode != 403 || pe.Header.Get("X-Squid-Error") == "" {
				t.Fatalf("got %v with header %v, want squid's 403", pe, pe.Header)
			}
		})
	})
	t.Run("squid-basic-auth", func(t *testing.T) {
		t.Parallel()
		p := proxytest.Squid(t, proxytest.SquidOptions{SSLPorts: ports, Auth: true})
		x.echoThrough(t, "127.0.0.1", ws.Proxy(p))
		u, _ := url.Parse(p)
		for _, user := range []*url.Userinfo{nil, url.UserPassword(proxytest.SquidUser, "wrong")} {
			u.User = user
			pe := refused(t, x.ws.url("/echo"), ws.Proxy(u.String()))
			if pe.StatusCode != 407 || pe.Header.Get("Proxy-Authenticate") == "" {
				t.Fatalf("user %v: got %v with header %v, want 407 with Proxy-Authenticate", user, pe, pe.Header)
			}
		}
	})
	t.Run("https-stunnel-tinyproxy", func(t *testing.T) {
		t.Parallel()
		t.Logf("stunnel4 %s", proxytest.Version("stunnel4"))
		backend := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{User: "carol", Password: "pw", ConnectPorts: ports})
		p := proxytest.Stunnel(t, backend, x.certs.cert, x.certs.key)
		x.echoThrough(t, "127.0.0.1", ws.Proxy(p), tlsToProxy)
		t.Run("untrusted-proxy", func(t *testing.T) {
			pe := refused(t, x.ws.url("/echo"), ws.Proxy(p))
			var verr *tls.CertificateVerificationError
			if !errors.As(pe, &verr) {
				t.Fatalf("got %v, want a certificate verification error", pe)
			}
		})
	})
	t.Run("microsocks", func(t *testing.T) {
		t.Parallel()
		t.Logf("microsocks %s", proxytest.Version("microsocks"))
		p := proxytest.Microsocks(t, "", "")
		h, _ := url.Parse(p)
		h.Scheme = "socks5h"
		t.Run("socks5", func(t *testing.T) { x.echoThrough(t, "localhost", ws.Proxy(p)) })
		t.Run("socks5h", func(t *testing.T) { x.echoThrough(t, "localhost", ws.Proxy(h.String())) })
		t.Run("connection-refused", func(t *testing.T) {
			pe := refused(t, x.closedURL(), ws.Proxy(p))
			if pe.SOCKSReply != 5 {
				t.Fatalf("got %v, want reply 5 (connection refused)", pe)
			}
		})
	})
	t.Run("microsocks-auth", func(t *testing.T) {
		t.Parallel()
		p := proxytest.Microsocks(t, "bob", "pw")
		h, _ := url.Parse(p)
		h.Scheme = "socks5h"
		x.echoThrough(t, "localhost", ws.Proxy(h.String()))
		for _, user := range []*url.Userinfo{nil, url.UserPassword("bob", "wrong")} {
			h.User = user
			if pe := refused(t, x.ws.url("/echo"), ws.Proxy(h.String())); pe.Err == nil {
				t.Fatalf("user %v: got %v, want the authentication's failure", user, pe)
			}
		}
	})
	t.Run("dante", func(t *testing.T) {
		t.Parallel()
		t.Logf("dante-server %s", proxytest.Version("dante-server"))
		p := proxytest.Dante(t, x.closedPort)
		h, _ := url.Parse(p)
		h.Scheme = "socks5h"
		x.echoThrough(t, "localhost", ws.Proxy(h.String()))
		t.Run("ruleset", func(t *testing.T) {
			pe := refused(t, x.closedURL(), ws.Proxy(p))
			if pe.SOCKSReply != 2 {
				t.Fatalf("got %v, want reply 2 (not allowed by ruleset)", pe)
			}
		})
	})
	t.Run("connect-timeout", func(t *testing.T) {
		t.Parallel()
		// tinyproxy tunnels to a server that accepts and never answers: the
		// one deadline covers the proxy leg and what follows together.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		p := proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{})
		// Over ws:// the upgrade waits; over wss:// the TLS handshake
		// inside the tunnel.
		for _, scheme := range []string{"ws", "wss"} {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			c, err := ws.Connect(ctx, scheme+"://"+ln.Addr().String()+"/", ws.Proxy(p), ws.ConnectTimeout(500*time.Millisecond))
			if err == nil {
				c.Close()
				t.Fatalf("%s: Connect succeeded", scheme)
			}
			if !errors.Is(err, ws.ErrTimeout) {
				t.Fatalf("%s: Connect: %v, want ErrTimeout", scheme, err)
			}
		}
	})
}
