package ws

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answer returns a rawServer that answers every upgrade request with
// respond's bytes, then keeps the connection until the client drops it,
// which it reports on the returned channel.
func answer(t *testing.T, respond func(r *http.Request) string) (string, <-chan struct{}) {
	dropped := make(chan struct{}, 1)
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		io.WriteString(nc, respond(r))
		nc.SetReadDeadline(time.Now().Add(testTimeout))
		// A reset ends it too: the client may close with data unread.
		var ne net.Error
		if _, err := io.Copy(io.Discard, nc); !errors.As(err, &ne) || !ne.Timeout() {
			dropped <- struct{}{}
		}
	})
	return url, dropped
}

// waitDropped fails the test unless the client closes its connection
// after a failed Connect.
func waitDropped(t *testing.T, dropped <-chan struct{}) {
	t.Helper()
	select {
	case <-dropped:
	case <-time.After(testTimeout):
		t.Fatal("the client kept the connection of a failed Connect")
	}
}

func TestHandshakeFaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		respond func(r *http.Request) string
		want    error
		header  string
	}{
		{"wrong accept key", nil, func(r *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
		}, ErrBadAccept, "Sec-WebSocket-Accept"},
		{"accept key of another key", nil, func(r *http.Request) string {
			r.Header.Set("Sec-Websocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			return switching(r, "")
		}, ErrBadAccept, "Sec-WebSocket-Accept"},
		{"no accept key", nil, func(r *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
		}, ErrBadAccept, "Sec-WebSocket-Accept"},
		// RFC 6455 section 4.1: the 101 must be HTTP/1.1 or later.
		{"101 in HTTP/1.0", nil, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "HTTP/1.1", "HTTP/1.0", 1)
		}, ErrMalformedResponse, "status line"},
		{"missing Upgrade", nil, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Upgrade: websocket\r\n", "", 1)
		}, ErrBadUpgrade, "Upgrade"},
		{"Upgrade to another protocol", nil, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Upgrade: websocket", "Upgrade: h2c", 1)
		}, ErrBadUpgrade, "Upgrade"},
		{"missing Connection", nil, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Connection: Upgrade\r\n", "", 1)
		}, ErrBadConnection, "Connection"},
		{"Connection: keep-alive", nil, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Connection: Upgrade", "Connection: keep-alive", 1)
		}, ErrBadConnection, "Connection"},
		{"subprotocol not offered", []Option{Protocols("chat", "superchat")}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: graphql-ws\r\n")
		}, ErrUnofferedProtocol, "Sec-WebSocket-Protocol"},
		{"subprotocol when none was offered", nil, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: chat\r\n")
		}, ErrUnofferedProtocol, "Sec-WebSocket-Protocol"},
		{"two subprotocols", []Option{Protocols("chat", "superchat")}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: chat, superchat\r\n")
		}, ErrUnofferedProtocol, "Sec-WebSocket-Protocol"},
		{"extension not offered", nil, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
		}, ErrUnofferedExtension, "Sec-WebSocket-Extensions"},
		{"malformed status line", nil, func(r *http.Request) string {
			return "HTTP/1.1 1O1 Switching\r\n\r\n"
		}, ErrMalformedResponse, ""},
		{"malformed header line", nil, func(r *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nno colon here\r\n\r\n"
		}, ErrMalformedResponse, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, dropped := answer(t, tc.respond)
			c, err := Connect(testCtx(t), url, tc.opts...)
			if err == nil {
				c.Close()
				t.Fatal("Connect succeeded")
			}
			var he *HandshakeError
			if !errors.As(err, &he) || !errors.Is(err, tc.want) {
				t.Fatalf("Connect: %v (%T), want *HandshakeError matching %v", err, err, tc.want)
			}
			if tc.header != "" && he.Header != tc.header {
				t.Fatalf("HandshakeError names header %q, want %q", he.Header, tc.header)
			}
			waitDropped(t, dropped)
		})
	}
}

func TestHandshakeCutShort(t *testing.T) {
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
	})
	_, err := Connect(testCtx(t), url)
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("Connect: %v, want ErrMalformedResponse", err)
	}
}

func TestHTTPError(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 1024) // 16 KiB
	for _, tc := range []struct {
		name     string
		response string
		status   int
		reason   string
		body     string
	}{
		{"401 with a body", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nlog in first\n",
			401, "Unauthorized", "log in first\n"},
		{"401 with a chunked body", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nlog \r\n9\r\nin first\n\r\n0\r\n\r\n",
			401, "Unauthorized", "log in first\n"},
		{"401 without a body", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Length: 0\r\n\r\n",
			401, "Unauthorized", ""},
		{"403 with a body without length", "HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: none\r\nConnection: close\r\n\r\ngo away",
			403, "Forbidden", "go away"},
		{"500 with a long body", "HTTP/1.1 500 Internal Server Error\r\nWWW-Authenticate: none\r\nContent-Length: 16384\r\n\r\n" + long,
			500, "Internal Server Error", long[:4<<10]},
		{"200 to an upgrade", "HTTP/1.1 200 OK\r\nWWW-Authenticate: none\r\nContent-Length: 5\r\n\r\nhello",
			200, "OK", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, dropped := answer(t, func(*http.Request) string { return tc.response })
			_, err := Connect(testCtx(t), url)
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("Connect: %v (%T), want *HTTPError", err, err)
			}
			if he.StatusCode != tc.status || he.Status != tc.reason || string(he.Body) != tc.body || he.Header.Get("Www-Authenticate") == "" {
				t.Fatalf("HTTPError{%d %q, header %v, body %q}, want %d %q with body %q", he.StatusCode, he.Status, he.Header, he.Body, tc.status, tc.reason, tc.body)
			}
			waitDropped(t, dropped)
		})
	}
}

func TestHandshakeSuccessDetails(t *testing.T) {
	requests := make(chan *http.Request, 1)
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := Accept(w, r, Protocols("v2.chat", "v1.chat"), Header("X-Server", "ws-test"))
		if err != nil {
			return
		}
		requests <- r
		echoConn(sc)
	}))
	c := dial(t, url+"/path?room=1",
		Protocols("v1.chat", "v2.chat"),
		Header("X-Token", "one"), Header("x-token", "two"),
		Header("Authorization", "Bearer t"),
		Header("Host", "example.test"),
	)
	if c.Subprotocol() != "v2.chat" {
		t.Fatalf("Subprotocol() = %q, want the server's choice v2.chat", c.Subprotocol())
	}
	if h := c.ResponseHeader(); h.Get("X-Server") != "ws-test" || h.Get("Sec-Websocket-Protocol") != "v2.chat" {
		t.Fatalf("ResponseHeader() = %v", h)
	}
	got := <-requests // sent before the 101 response
	if got.URL.RequestURI() != "/path?room=1" || got.Host != "example.test" {
		t.Fatalf("request for %s on %s", got.URL.RequestURI(), got.Host)
	}
	if v := got.Header.Values("X-Token"); len(v) != 2 || v[0] != "one" || v[1] != "two" {
		t.Fatalf("X-Token values %q", v)
	}
	if got.Header.Get("Authorization") != "Bearer t" {
		t.Fatalf("Authorization %q", got.Header.Get("Authorization"))
	}
	if p := got.Header.Get("Sec-Websocket-Protocol"); p != "v1.chat, v2.chat" {
		t.Fatalf("offer %q, want the client's order", p)
	}
	if c.LocalAddr() == nil || c.RemoteAddr().String() != strings.TrimPrefix(url, "ws://") {
		t.Fatalf("addresses %v -> %v", c.LocalAddr(), c.RemoteAddr())
	}
}

func TestNoSubprotocolChosen(t *testing.T) {
	c := dial(t, echoServer(t), Protocols("chat"))
	if c.Subprotocol() != "" {
		t.Fatalf("Subprotocol() = %q, want none", c.Subprotocol())
	}
}

func TestReservedHeadersRefused(t *testing.T) {
	url := echoServer(t)
	for _, name := range []string{"Upgrade", "connection", "Sec-WebSocket-Key", "sec-websocket-version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol"} {
		c, err := Connect(testCtx(t), url, Header(name, "x"))
		if err == nil {
			c.Close()
			t.Fatalf("Connect with Header(%q) succeeded", name)
		}
		if !strings.Contains(err.Error(), "handshake") {
			t.Fatalf("Header(%q): %v", name, err)
		}
	}
	for _, o := range []Option{Header("X-Bad", "a\r\nInjected: yes"), Header("Bad Name", "x"), Header("X(1)", "x"), Header("X-Nul", "a\x00b"), Header("Host", " "), Protocols(""), Protocols("a b"), Protocols("a,b"), Protocols("a/b")} {
		if c, err := Connect(testCtx(t), url, o); err == nil {
			c.Close()
			t.Fatal("Connect accepted an invalid header or subprotocol")
		}
	}
}

func TestURLUserinfoBasicAuth(t *testing.T) {
	auth := make(chan [2]string, 2)
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := Accept(w, r)
		if err != nil {
			return
		}
		user, pass, _ := r.BasicAuth()
		auth <- [2]string{user, pass}
		echoConn(sc)
	}))
	dial(t, strings.Replace(url, "ws://", "ws://alice:s%3Acret@", 1))
	if got := <-auth; got != [2]string{"alice", "s:cret"} {
		t.Fatalf("the server got Basic auth %q", got)
	}
	// An Authorization header of the caller's wins.
	c := dial(t, strings.Replace(url, "ws://", "ws://alice:secret@", 1), Header("Authorization", "Basic Ym9iOnB3"))
	if got := <-auth; got != [2]string{"bob", "pw"} {
		t.Fatalf("the server got Basic auth %q, want the header's", got)
	}
	c.Close()
}

func TestConnectTimeout(t *testing.T) {
	addr := listen(t, func(nc net.Conn) {
		io.Copy(io.Discard, nc) // never answer
	})
	url := "ws://" + addr.String() + "/"

	_, err := Connect(testCtx(t), url, ConnectTimeout(shortWait))
	checkTimeout(t, err)

	// The context's deadline is a timeout too.
	ctx, cancel := context.WithTimeout(testCtx(t), shortWait)
	defer cancel()
	_, err = Connect(ctx, url, ConnectTimeout(0))
	checkTimeout(t, err)

	// Cancel once the server holds the connection.
	accepted := make(chan struct{})
	addr = listen(t, func(nc net.Conn) {
		close(accepted)
		io.Copy(io.Discard, nc)
	})
	ctx, cancel = context.WithCancel(testCtx(t))
	res := make(chan error, 1)
	go func() {
		_, err := Connect(ctx, "ws://"+addr.String()+"/")
		res <- err
	}()
	select {
	case <-accepted:
	case <-time.After(testTimeout):
		t.Fatal("no connection")
	}
	cancel()
	select {
	case err = <-res:
	case <-time.After(testTimeout):
		t.Fatal("Connect ignored the cancellation")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Connect canceled: %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Fatalf("a cancellation is not a timeout: %v", err)
	}
}

func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/"
	ln.Close()
	_, err = Connect(testCtx(t), url)
	var ne *net.OpError
	if !errors.As(err, &ne) || errors.Is(err, ErrTimeout) {
		t.Fatalf("Connect to a closed port: %v, want the dial error", err)
	}
}

// TestResponseHeadAndFrameInOneRead: a head longer than the first read,
// and a frame right after it whose payload looks like the head's end.
func TestResponseHeadAndFrameInOneRead(t *testing.T) {
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		resp := []byte(switching(r, "X-Long: "+strings.Repeat("x", 20<<10)+"\r\n"))
		nc.Write(cat(resp, wire(0x1, true, []byte("\r\n\r\nnot a header"))))
		rawClose(nc)
	})
	c := dial(t, url)
	if f := recvWithin(t, c); f.Text() != "\r\n\r\nnot a header" {
		t.Fatalf("got %v", f)
	}
	if len(c.ResponseHeader().Get("X-Long")) != 20<<10 {
		t.Fatal("the long header was cut")
	}
}

// TestResponseHeadInPieces sends the 101 head a few bytes per write, with
// a terminator split across writes ("\r\n" then "\r\n"): the head is
// found whatever the cut, and the frame after it is delivered.
func TestResponseHeadInPieces(t *testing.T) {
	for _, piece := range []int{1, 2, 3, 7} {
		url := rawServer(t, func(nc net.Conn, r *http.Request) {
			all := cat([]byte(switching(r, "X-A: 1\r\n")), wire(0x1, true, []byte("first")))
			for len(all) > 0 {
				n := min(piece, len(all))
				if _, err := nc.Write(all[:n]); err != nil {
					return
				}
				all = all[n:]
			}
			rawClose(nc)
		})
		c := dial(t, url)
		if f := recvWithin(t, c); f.Text() != "first" {
			t.Fatalf("pieces of %d: got %v", piece, f)
		}
		if c.ResponseHeader().Get("X-A") != "1" {
			t.Fatalf("pieces of %d: headers %v", piece, c.ResponseHeader())
		}
	}
}
