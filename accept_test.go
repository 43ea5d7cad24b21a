package ws

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// acceptServer serves each request with Accept(opts) and hands the Conn
// to serve, which owns it; it returns the ws:// URL. Accept's error, if
// any, goes to errs when it is not nil.
func acceptServer(t testing.TB, serve func(*Conn), errs chan<- error, opts ...Option) string {
	t.Helper()
	return startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, opts...)
		if err != nil {
			if errs != nil {
				errs <- err
			}
			return
		}
		serve(c)
	}))
}

// echoConn echoes every message on c until it ends, then closes it.
func echoConn(c *Conn) {
	defer c.Close()
	for {
		f, err := c.Recv()
		if err != nil {
			return
		}
		if c.Send(f) != nil {
			return
		}
	}
}

func TestAcceptEcho(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 100_000)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"plain", nil},
		{"compressed", []Option{Compression(Deflate{})}},
		{"compressed without context takeover", []Option{Compression(Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true})}},
		{"fragmented", []Option{FragmentSize(1000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := acceptServer(t, echoConn, nil, tc.opts...)
			c := dial(t, url, tc.opts...)
			for _, f := range []Frame{Text("hello"), Binary(nil), Binary(big), Text(strings.Repeat("é", 70_000))} {
				if err := c.Send(f); err != nil {
					t.Fatal(err)
				}
				got := recvWithin(t, c)
				if got.Kind != f.Kind || !bytes.Equal(got.Payload, f.Payload) {
					t.Fatalf("echo of %v: got %v", f, got)
				}
			}
			_, compressed := c.Compression()
			if want := len(tc.opts) > 0 && tc.name != "fragmented"; compressed != want {
				t.Fatalf("compressed = %t, want %t", compressed, want)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// TestAcceptFramesUnmasked reads what a server Conn writes off the wire:
// its frames carry no mask (RFC 6455 section 5.1), and a masked frame
// from it would be refused by a client.
func TestAcceptFramesUnmasked(t *testing.T) {
	url := acceptServer(t, func(c *Conn) {
		defer c.Close()
		c.Send(Text("from the server"))
		c.Recv()
	}, nil)
	nc, br := rawHandshake(t, url, "")
	var rd proto.Reader // a client's: it refuses masked frames
	f := readFrame(t, &rd, br)
	if f.Op != proto.OpText || string(f.Payload) != "from the server" {
		t.Fatalf("got %v %q", f.Op, f.Payload)
	}
	nc.Close()
}

// TestAcceptRefusesUnmasked: a client's unmasked frame is a breach, which
// the server answers with 1002 (section 5.1).
func TestAcceptRefusesUnmasked(t *testing.T) {
	errs := make(chan error, 1)
	url := acceptServer(t, func(c *Conn) {
		defer c.Close()
		_, err := c.Recv()
		errs <- err
	}, nil)
	nc, br := rawHandshake(t, url, "")
	nc.Write(wire(proto.OpText, true, []byte("unmasked")))
	var rd proto.Reader
	f := readFrame(t, &rd, br)
	code, _, _ := proto.ParseClose(f.Payload)
	if f.Op != proto.OpClose || code != uint16(CloseProtocolError) {
		t.Fatalf("got %v code %d, want a close frame with 1002", f.Op, code)
	}
	var pe *ProtocolError
	if err := <-errs; !errors.As(err, &pe) {
		t.Fatalf("Recv: %v, want a *ProtocolError", err)
	}
	nc.Close()
}

// TestAcceptClosesTCPFirst: after the close handshake the server closes
// the TCP connection without waiting for the client (section 7.1.1),
// whichever side closed first.
func TestAcceptClosesTCPFirst(t *testing.T) {
	for _, serverFirst := range []bool{false, true} {
		name := map[bool]string{false: "client closes", true: "server closes"}[serverFirst]
		t.Run(name, func(t *testing.T) {
			closed := make(chan error, 1)
			url := acceptServer(t, func(c *Conn) {
				if serverFirst {
					closed <- c.CloseWith(CloseGoingAway, "bye")
					return
				}
				_, err := c.Recv()
				closed <- err
				c.Close()
			}, nil, CloseTimeout(testTimeout))
			nc, br := rawHandshake(t, url, "")
			var rd proto.Reader
			if !serverFirst {
				nc.Write(maskedFrame(proto.OpClose, []byte{0x03, 0xe8}))
			}
			f := readFrame(t, &rd, br)
			if f.Op != proto.OpClose {
				t.Fatalf("got %v, want the close frame", f.Op)
			}
			if serverFirst {
				nc.Write(maskedFrame(proto.OpClose, f.Payload[:2]))
			}
			// The client closes nothing: the server must.
			nc.SetReadDeadline(time.Now().Add(testTimeout))
			if n, err := br.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("after the close handshake: read %d bytes, %v; want EOF", n, err)
			}
			err := <-closed
			if serverFirst && err != nil {
				t.Fatalf("CloseWith: %v", err)
			}
			var ce *CloseError
			if !serverFirst && (!errors.As(err, &ce) || ce.Code != CloseNormal) {
				t.Fatalf("Recv: %v, want the client's 1000", err)
			}
			nc.Close()
		})
	}
}

// rawHandshake opens a TCP connection to url's server and performs the
// opening handshake by hand, with the Origin given unless empty.
func rawHandshake(t testing.TB, url, origin string) (net.Conn, *bufio.Reader) {
	t.Helper()
	host := strings.TrimPrefix(url, "ws://")
	nc, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(testTimeout))
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	if origin != "" {
		req += "Origin: " + origin + "\r\n"
	}
	if _, err := io.WriteString(nc, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-Websocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake: %s, accept %q", resp.Status, resp.Header.Get("Sec-Websocket-Accept"))
	}
	return nc, br
}

// readFrame reads the next frame from br with rd.
func readFrame(t testing.TB, rd *proto.Reader, br *bufio.Reader) proto.Frame {
	t.Helper()
	var buf []byte
	for {
		n, f, ok, err := rd.Next(buf)
		if err != nil {
			t.Fatalf("frame from the server: %v", err)
		}
		buf = buf[n:]
		if ok {
			if len(buf) > 0 {
				t.Fatalf("%d bytes after the frame unread", len(buf))
			}
			return f
		}
		b, err := br.ReadByte()
		if err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		buf = append(buf, b)
	}
}

// maskedFrame returns one masked frame, as a client sends it.
func maskedFrame(op proto.Opcode, payload []byte) []byte {
	key := [4]byte{1, 2, 3, 4}
	b := proto.AppendHeader(nil, proto.Header{Fin: true, Op: op, Masked: true, Key: key, Length: int64(len(payload))})
	start := len(b)
	b = append(b, payload...)
	proto.Mask(key, 0, b[start:])
	return b
}

// TestAcceptRefuses: a request that is not a valid opening handshake gets
// the status RFC 6455 section 4.2.1 calls for, with a body that names
// what is wrong, and Accept returns the *HTTPError it answered.
func TestAcceptRefuses(t *testing.T) {
	good := func() http.Header {
		return http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"keep-alive, Upgrade"},
			"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
			"Sec-Websocket-Version": {"13"},
		}
	}
	for _, tc := range []struct {
		name   string
		method string
		edit   func(http.Header)
		opts   []Option
		status int
		body   string
	}{
		{"POST", http.MethodPost, nil, nil, 405, `GET request, not "POST"`},
		{"no Upgrade", "", func(h http.Header) { h.Del("Upgrade") }, nil, 400, "Upgrade header"},
		{"Upgrade h2c", "", func(h http.Header) { h.Set("Upgrade", "h2c") }, nil, 400, "Upgrade header"},
		{"no Connection upgrade", "", func(h http.Header) { h.Set("Connection", "keep-alive") }, nil, 400, "Connection header"},
		{"version 8", "", func(h http.Header) { h.Set("Sec-Websocket-Version", "8") }, nil, 426, `Sec-WebSocket-Version "8"`},
		{"no version", "", func(h http.Header) { h.Del("Sec-Websocket-Version") }, nil, 426, "Sec-WebSocket-Version"},
		{"no key", "", func(h http.Header) { h.Del("Sec-Websocket-Key") }, nil, 400, "Sec-WebSocket-Key"},
		{"short key", "", func(h http.Header) { h.Set("Sec-Websocket-Key", "c2hvcnQ=") }, nil, 400, "not 16 bytes"},
		{"two keys", "", func(h http.Header) { h.Add("Sec-Websocket-Key", "dGhlIHNhbXBsZSBub25jZQ==") }, nil, 400, "exactly one"},
		{"bad subprotocol", "", func(h http.Header) { h.Set("Sec-Websocket-Protocol", "chat, a b") }, nil, 400, "not a list of tokens"},
		{"bad extension offer", "", func(h http.Header) { h.Set("Sec-Websocket-Extensions", "permessage-deflate; =") }, []Option{Compression(Deflate{})}, 400, "Sec-WebSocket-Extensions"},
		{"foreign origin", "", func(h http.Header) { h.Set("Origin", "https://evil.example") }, nil, 403, `origin "https://evil.example" is not allowed`},
		{"origin not matched", "", func(h http.Header) { h.Set("Origin", "https://evil.example") }, []Option{OriginPatterns("*.good.example")}, 403, "not allowed"},
		{"misconfigured", "", nil, []Option{Header("Sec-WebSocket-Accept", "x")}, 500, "misconfigured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := make(chan error, 1)
			url := acceptServer(t, func(c *Conn) { c.Close() }, errs, tc.opts...)
			req, _ := http.NewRequest(tc.method, "http"+strings.TrimPrefix(url, "ws"), nil)
			req.Header = good()
			if tc.edit != nil {
				tc.edit(req.Header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.body) {
				t.Fatalf("got %s %q, want %d with %q", resp.Status, body, tc.status, tc.body)
			}
			if tc.status == 426 && resp.Header.Get("Sec-Websocket-Version") != "13" {
				t.Fatalf("426 without Sec-WebSocket-Version: 13 (section 4.4): %v", resp.Header)
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "GET" {
				t.Fatalf("405 without Allow: GET: %v", resp.Header)
			}
			err = <-errs
			var he *HTTPError
			if tc.status == 500 {
				if err == nil || errors.As(err, &he) {
					t.Fatalf("Accept: %v, want the configuration's error", err)
				}
				return
			}
			if !errors.As(err, &he) || he.StatusCode != tc.status || !strings.Contains(string(he.Body), tc.body) {
				t.Fatalf("Accept: %#v, want *HTTPError %d", err, tc.status)
			}
		})
	}
}

// TestAcceptOrigins: the Origin header is checked against the request's
// host and the patterns, without regard to case; a request without one
// is not a browser's and is taken.
func TestAcceptOrigins(t *testing.T) {
	for _, tc := range []struct {
		origin   string
		patterns []string
		ok       bool
	}{
		{"", nil, true},
		{"http://HOST", nil, true},
		{"https://other.example", nil, false},
		{"https://app.Example.com", []string{"*.example.com"}, true},
		{"https://example.com", []string{"*.example.com"}, false},
		{"http://localhost:3000", []string{"localhost:*"}, true},
		{"null", []string{"example.com"}, false},
		{"https://anything.example", []string{"*"}, true},
	} {
		host := "127.0.0.1:1"
		r := &http.Request{Host: host, Header: http.Header{}}
		if tc.origin != "" {
			r.Header.Set("Origin", strings.Replace(tc.origin, "HOST", host, 1))
		}
		if err := checkOrigin(r, tc.patterns); (err == nil) != tc.ok {
			t.Errorf("origin %q, patterns %q: %v, want ok=%t", tc.origin, tc.patterns, err, tc.ok)
		}
	}
	if err := checkPatterns([]string{"[a-"}); err == nil {
		t.Error("a malformed pattern was taken")
	}
}

// TestAcceptChoices: the subprotocol is the server's most preferred that
// the client offered, or SelectProtocol's; headers set on the
// ResponseWriter and by options go out with the 101, but the handshake's
// own.
func TestAcceptChoices(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offered []string
		opts    []Option
		want    string
	}{
		{"server's preference", []string{"v1", "v2"}, []Option{Protocols("v2", "v1")}, "v2"},
		{"none in common", []string{"v1"}, []Option{Protocols("v3")}, ""},
		{"none offered", nil, []Option{Protocols("v1")}, ""},
		{"by func", []string{"a", "b", "c"}, []Option{SelectProtocol(func(o []string) string { return o[len(o)-1] })}, "c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chosen := make(chan string, 1)
			url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Set-Cookie", "session=1")
				w.Header().Set("Connection", "close") // the handshake's own: left out
				c, err := Accept(w, r, append(tc.opts, Header("X-Server", "ws"))...)
				if err != nil {
					chosen <- "error: " + err.Error()
					return
				}
				chosen <- c.Subprotocol()
				echoConn(c)
			}))
			c := dial(t, url, Protocols(tc.offered...))
			if got := <-chosen; got != tc.want || c.Subprotocol() != tc.want {
				t.Fatalf("server chose %q, client saw %q; want %q", got, c.Subprotocol(), tc.want)
			}
			h := c.ResponseHeader()
			if h.Get("X-Server") != "ws" || h.Get("Set-Cookie") != "session=1" || h.Get("Connection") != "Upgrade" {
				t.Fatalf("101's headers: %v", h)
			}
		})
	}
	t.Run("func choosing outside the offer", func(t *testing.T) {
		errs := make(chan error, 1)
		url := acceptServer(t, echoConn, errs, SelectProtocol(func([]string) string { return "mine" }))
		if _, err := Connect(testCtx(t), url, Protocols("theirs")); err == nil {
			t.Fatal("Connect succeeded")
		}
		if err := <-errs; err == nil || !strings.Contains(err.Error(), `"mine"`) {
			t.Fatalf("Accept: %v", err)
		}
	})
}

// unwrapWriter wraps a ResponseWriter as middleware does, hiding its
// Hijack behind Unwrap.
type unwrapWriter struct{ w http.ResponseWriter }

func (u unwrapWriter) Header() http.Header         { return u.w.Header() }
func (u unwrapWriter) Write(b []byte) (int, error) { return u.w.Write(b) }
func (u unwrapWriter) WriteHeader(code int)        { u.w.WriteHeader(code) }
func (u unwrapWriter) Unwrap() http.ResponseWriter { return u.w }

// TestAcceptUnderMiddleware: Accept takes the connection over through a
// wrapping ResponseWriter that only unwraps, as http.ResponseController
// does, and answers 500 on one that cannot be taken over at all.
func TestAcceptUnderMiddleware(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := Accept(unwrapWriter{w}, r); err == nil {
			echoConn(c)
		}
	}))
	c := dial(t, url)
	if err := c.Send(Text("through middleware")); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); f.Text() != "through middleware" {
		t.Fatalf("got %v", f)
	}

	errs := make(chan error, 1)
	url = startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := Accept(struct{ http.ResponseWriter }{w}, r) // hides Hijack
		errs <- err
	}))
	var he *HTTPError
	if _, err := Connect(testCtx(t), url); !errors.As(err, &he) || he.StatusCode != 500 {
		t.Fatalf("Connect: %v, want a 500", err)
	}
	if err := <-errs; !errors.Is(err, http.ErrNotSupported) {
		t.Fatalf("Accept: %v, want http.ErrNotSupported", err)
	}
}

// TestAcceptFramesBehindRequest: frames the client sent in the same
// write as its request, read into the HTTP server's buffer, are the
// Conn's first.
func TestAcceptFramesBehindRequest(t *testing.T) {
	got := make(chan string, 2)
	url := acceptServer(t, func(c *Conn) {
		defer c.Close()
		for range 2 {
			f, err := c.Recv()
			if err != nil {
				got <- err.Error()
				return
			}
			got <- f.Text()
		}
	}, nil)
	host := strings.TrimPrefix(url, "ws://")
	nc, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	nc.Write(cat([]byte(req), maskedFrame(proto.OpText, []byte("one")), maskedFrame(proto.OpText, []byte("two"))))
	for _, want := range []string{"one", "two"} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("got %q, want %q", g, want)
			}
		case <-time.After(testTimeout):
			t.Fatal("no message")
		}
	}
}

// TestAcceptHub: many server Conns deliver into one channel (DeliverTo),
// each Event naming its Conn, and a Conn in active mode works as the
// client's does: the guide's chat room, served.
func TestAcceptHub(t *testing.T) {
	hub := make(chan Event)
	joined := make(chan *Conn, 3) // a handler never waits on a test that failed early
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := Accept(w, r, ActiveMode(Active), DeliverTo(hub)); err == nil {
			joined <- c
		}
	}))
	var members []*Conn
	var clients []*Conn
	for range 3 {
		clients = append(clients, dial(t, url))
		members = append(members, <-joined)
	}
	clients[1].Send(Text("hello room"))
	ev := nextEvent(t, hub)
	if ev.Conn != members[1] || ev.Frame.Text() != "hello room" {
		t.Fatalf("event %v from %p, want members[1]", ev.Frame, ev.Conn)
	}
	for _, m := range members {
		if err := m.Send(ev.Frame); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range clients {
		if f := recvWithin(t, c); f.Text() != "hello room" {
			t.Fatalf("client %d got %v", i, f)
		}
	}
	clients[2].Close()
	if ev := nextEvent(t, hub); ev.Conn != members[2] || !errors.Is(ev.Err, ErrClosed) {
		t.Fatalf("event %+v, want members[2]'s end", ev)
	}
	// Each side closes: the clients' close frames reach members that
	// read, and the members find their clients gone.
	for _, c := range clients[:2] {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range members {
		m.Close()
	}
}

// TestAcceptKeepalive: a server Conn's keepalive and Ping work as a
// client's: the client, reading in active mode, answers.
func TestAcceptKeepalive(t *testing.T) {
	conns := make(chan *Conn, 1)
	url := acceptServer(t, func(c *Conn) { conns <- c }, nil, PingInterval(time.Millisecond), PingTimeout(testTimeout))
	dial(t, url, ActiveMode(Active))
	s := <-conns
	defer s.Close()
	if rtt, err := s.Ping(testCtx(t)); err != nil || rtt <= 0 {
		t.Fatalf("Ping from the server: %v, %v", rtt, err)
	}
}

// TestAcceptLargeSendCut: a server's large payload, written in one
// writev, cut by SendTimeout when the client stops reading, breaks the
// stream as any send cut mid-frame does: the error matches ErrClosed.
func TestAcceptLargeSendCut(t *testing.T) {
	conns := make(chan *Conn, 1)
	url := acceptServer(t, func(c *Conn) { conns <- c }, nil, SendTimeout(50*time.Millisecond))
	nc, _ := rawHandshake(t, url, "") // never reads
	s := <-conns
	defer s.Close()
	err := s.Send(Binary(make([]byte, 64<<20)))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Send: %v, want an error matching ErrClosed", err)
	}
	nc.Close()
}
