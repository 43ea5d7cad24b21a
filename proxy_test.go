package ws

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The proxies themselves are tested in internal/interop (real tinyproxy,
// squid, stunnel, microsocks, dante) and cmd/ws (the environment, in a
// subprocess). These tests hold what a real proxy cannot be made to do on
// cue: a scripted peer plays the proxy.

// TestCONNECTKeepsTunnelBytes has the proxy send the tunnel's first bytes
// in the same write, and so the same read, as its 200: they must come out
// of the tunnel, not be lost with the response head.
func TestCONNECTKeepsTunnelBytes(t *testing.T) {
	client, proxy := net.Pipe()
	defer client.Close()
	got := make(chan *http.Request, 1)
	go func() {
		defer proxy.Close()
		req, err := http.ReadRequest(bufio.NewReader(proxy))
		got <- req
		if err != nil {
			return
		}
		proxy.Write([]byte("HTTP/1.0 200 Connection established\r\nProxy-Agent: test\r\n\r\nfirst tunnel bytes"))
		io.Copy(io.Discard, proxy)
	}()
	pu, _ := url.Parse("http://alice:s3cret@proxy.example:3128")
	client.SetDeadline(time.Now().Add(testTimeout))
	tunnel, err := httpConnect(client, pu, "server.example:443", http.Header{"X-Trace": {"t1"}})
	if err != nil {
		t.Fatal(err)
	}
	req := <-got
	if req == nil || req.Method != "CONNECT" || req.RequestURI != "server.example:443" || req.Host != "server.example:443" {
		t.Fatalf("request %+v", req)
	}
	if user, pw, ok := req.BasicAuth(); ok || user != "" || pw != "" {
		t.Fatal("the proxy's credentials went in Authorization")
	}
	if a := req.Header.Get("Proxy-Authorization"); a != "Basic YWxpY2U6czNjcmV0" {
		t.Fatalf("Proxy-Authorization %q", a)
	}
	if v := req.Header.Get("X-Trace"); v != "t1" {
		t.Fatalf("X-Trace %q", v)
	}
	buf := make([]byte, len("first tunnel bytes"))
	if _, err := io.ReadFull(tunnel, buf); err != nil || string(buf) != "first tunnel bytes" {
		t.Fatalf("tunnel read %q, %v", buf, err)
	}
}

// holdingProxy accepts connections and never answers: a proxy that hangs.
func holdingProxy(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// TestProxyLegTimeout: ConnectTimeout and the context bound the proxy's
// leg as they bound the rest.
func TestProxyLegTimeout(t *testing.T) {
	addr := holdingProxy(t)
	for _, scheme := range []string{"http", "https", "socks5h"} {
		t.Run(scheme, func(t *testing.T) {
			_, err := Connect(testCtx(t), "ws://server.example/", Proxy(scheme+"://"+addr), ConnectTimeout(50*time.Millisecond))
			var pe *ProxyError
			if !errors.Is(err, ErrTimeout) || !errors.As(err, &pe) {
				t.Fatalf("Connect: %v, want ErrTimeout with a ProxyError", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			_, err = Connect(ctx, "ws://server.example/", Proxy(scheme+"://"+addr), ConnectTimeout(0))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Connect canceled: %v, want context.Canceled", err)
			}
		})
	}
}

func TestProxyOptions(t *testing.T) {
	target := echoServer(t)
	dead := holdingProxy(t)
	t.Setenv("ws_proxy", "http://"+dead)
	t.Setenv("http_proxy", "http://"+dead)
	t.Setenv("all_proxy", "http://"+dead)

	t.Run("NoProxy", func(t *testing.T) { dial(t, target, NoProxy(), ConnectTimeout(testTimeout)) })
	t.Run("ProxyFunc-nil", func(t *testing.T) {
		var seen string
		dial(t, target+"/path?q=1", ProxyFunc(func(u *url.URL) (*url.URL, error) {
			seen = u.String()
			return nil, nil
		}))
		if seen != target+"/path?q=1" {
			t.Fatalf("ProxyFunc got %s", seen)
		}
	})
	t.Run("ProxyFunc-error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := Connect(testCtx(t), target, ProxyFunc(func(*url.URL) (*url.URL, error) { return nil, boom }))
		if !errors.Is(err, boom) {
			t.Fatalf("Connect: %v", err)
		}
	})
	t.Run("unknown-scheme", func(t *testing.T) {
		_, err := Connect(testCtx(t), target, Proxy("socks4://127.0.0.1:1080"))
		var ue *URLError
		if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "socks4") {
			t.Fatalf("Connect: %v, want a URLError", err)
		}
	})
	t.Run("bad-proxy-header", func(t *testing.T) {
		_, err := Connect(testCtx(t), target, Proxy("http://"+dead), ProxyHeader("X", "a\r\nInjected: 1"))
		if err == nil || !strings.Contains(err.Error(), "control character") {
			t.Fatalf("Connect: %v", err)
		}
	})
	t.Run("NetDial-ignores-environment", func(t *testing.T) {
		var addrs []string
		dial(t, target, NetDial(func(ctx context.Context, network, addr string) (net.Conn, error) {
			addrs = append(addrs, network+" "+addr)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}))
		if want := "tcp " + strings.TrimPrefix(target, "ws://"); len(addrs) != 1 || addrs[0] != want {
			t.Fatalf("NetDial called with %q, want %q", addrs, want)
		}
	})
	t.Run("NetDial-reaches-proxy", func(t *testing.T) {
		var addrs []string
		_, err := Connect(testCtx(t), target, ConnectTimeout(50*time.Millisecond), Proxy("socks5h://proxy.example:1080"),
			NetDial(func(ctx context.Context, network, addr string) (net.Conn, error) {
				addrs = append(addrs, addr)
				var d net.Dialer
				return d.DialContext(ctx, network, dead)
			}))
		var pe *ProxyError
		if !errors.As(err, &pe) || len(addrs) != 1 || addrs[0] != "proxy.example:1080" {
			t.Fatalf("Connect: %v; NetDial got %q", err, addrs)
		}
	})
	t.Run("NetDial-nil-conn", func(t *testing.T) {
		_, err := Connect(testCtx(t), target, NetDial(func(context.Context, string, string) (net.Conn, error) { return nil, nil }))
		if err == nil || !strings.Contains(err.Error(), "no connection") {
			t.Fatalf("Connect: %v", err)
		}
	})
}

func TestUnixURL(t *testing.T) {
	for _, tc := range []struct {
		raw, socket, target string
		secure              bool
		err                 string
	}{
		{raw: "ws+unix:///run/app.sock:/events?x=1", socket: "/run/app.sock", target: "/events?x=1"},
		{raw: "wss+unix:///tmp/a%20b.sock:/", socket: "/tmp/a b.sock", target: "/", secure: true},
		{raw: "ws+unix:///tmp/s.sock", socket: "/tmp/s.sock", target: "/"},
		{raw: "ws+unix:///tmp/s.sock:", socket: "/tmp/s.sock", target: "/"},
		{raw: "ws+unix://host/tmp/s.sock:/", err: "no host"},
		{raw: "ws+unix:relative.sock:/", err: "absolute"},
		{raw: "ws+unix:///tmp/s.sock:path", err: "must start with /"},
		{raw: "ws+unix:///tmp/s.sock:/#f", err: "fragment"},
		{raw: "ws+unix://u:p@/tmp/s.sock:/", err: "userinfo"},
	} {
		got := new(target)
		err := parseURL(tc.raw, got)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want an error with %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if got.unixSocket != tc.socket || got.requestURI != tc.target || got.secure != tc.secure || got.host != "localhost" {
			t.Errorf("%s: %+v", tc.raw, got)
		}
	}
}

func TestSOCKSReply(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		rep  int
		used int // bytes of in that make the reply
		err  string
	}{
		{"ipv4", []byte{5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90, 'x'}, 0, 10, ""},
		{"ipv6", append([]byte{5, 0, 0, 4}, make([]byte, 18+3)...), 0, 22, ""},
		{"domain", []byte{5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 80, 'y', 'z'}, 0, 10, ""},
		{"refused", []byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}, 5, 10, ""},
		{"version", []byte{4, 0, 0, 1, 0, 0, 0, 0, 0, 0}, 0, 0, "version 4"},
		{"atyp", []byte{5, 0, 0, 9, 0, 0, 0, 0, 0, 0}, 0, 0, "address type 9"},
		{"short", []byte{5, 0, 0, 1, 1}, 0, 0, "closed the connection"},
	} {
		r := bytes.NewReader(tc.in)
		rep, err := readSOCKSReply(r)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || rep != tc.rep || len(tc.in)-r.Len() != tc.used {
			t.Errorf("%s: reply %d, %v, read %d bytes; want %d, %d bytes", tc.name, rep, err, len(tc.in)-r.Len(), tc.rep, tc.used)
		}
	}
	if s := (&ProxyError{Proxy: "socks5://p:1080", SOCKSReply: 2}).Error(); !strings.Contains(s, "reply 2 (connection not allowed by ruleset)") {
		t.Errorf("ProxyError: %s", s)
	}
}
