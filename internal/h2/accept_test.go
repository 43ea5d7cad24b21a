package h2_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// The server side over HTTP/2: ws.Accept in this process (TestMain has
// turned the extended CONNECT on, see internal/xconnect), and ws.Connect
// or a raw extended CONNECT of x/net's transport as the client.

// h2Server is an HTTP/2 server whose handler is h: over TLS (ALPN h2),
// or h2c with prior knowledge.
type h2Server struct {
	base string // wss://127.0.0.1:PORT or ws://...
	tls  *tls.Config
	cert []byte // the server's certificate (DER), over TLS
}

func startH2Server(t *testing.T, h2c bool, h http.HandlerFunc) *h2Server {
	t.Helper()
	return startH2ServerWith(t, h2c, httptest.NewUnstartedServer(h))
}

func startH2ServerWith(t *testing.T, h2c bool, srv *httptest.Server) *h2Server {
	t.Helper()
	s := &h2Server{}
	if h2c {
		protocols := new(http.Protocols)
		protocols.SetUnencryptedHTTP2(true)
		srv.Config.Protocols = protocols
		srv.Start()
		s.base = "ws" + strings.TrimPrefix(srv.URL, "http")
	} else {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		s.base = "wss" + strings.TrimPrefix(srv.URL, "https")
		s.tls = srv.Client().Transport.(*http.Transport).TLSClientConfig
		s.cert = srv.Certificate().Raw
	}
	t.Cleanup(srv.Close)
	return s
}

func (s *h2Server) connect(t *testing.T, opts ...ws.Option) *ws.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	opts = append([]ws.Option{ws.HTTP2(ws.HTTP2Require), ws.TLSConfig(s.tls), ws.RecvTimeout(testTimeout)}, opts...)
	c, err := ws.Connect(ctx, s.base+"/", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// accepted runs f on each Conn that Accept opens with opts, closing it
// afterwards, and sends what f returns on the channel it returns.
func accepted(opts []ws.Option, f func(*ws.Conn) error) (http.HandlerFunc, <-chan error) {
	errs := make(chan error, 16)
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, opts...)
		if err != nil {
			errs <- err
			return
		}
		defer c.Close()
		errs <- f(c)
	}, errs
}

// result waits for the server's handler to report.
func result(t *testing.T, errs <-chan error) error {
	t.Helper()
	select {
	case err := <-errs:
		return err
	case <-time.After(testTimeout):
		t.Fatal("the server's handler did not report")
		return nil
	}
}

// TestAcceptEcho: Accept answers the extended CONNECT with 200, the
// subprotocol, the extension and the Header option's headers, and no
// Sec-WebSocket-Accept (RFC 8441 section 5); the Conn echoes text, a
// message larger than a stream's window, and compressed messages, and
// the client's close reaches the server as 1000.
func TestAcceptEcho(t *testing.T) {
	for _, h2c := range []bool{false, true} {
		t.Run(fmt.Sprintf("h2c=%v", h2c), func(t *testing.T) {
			opts := []ws.Option{ws.Protocols("chat"), ws.Compression(ws.Deflate{}), ws.Header("X-Served-By", "accept")}
			h, errs := accepted(opts, func(c *ws.Conn) error {
				if c.Proto() != "HTTP/2.0" || c.Subprotocol() != "chat" {
					return fmt.Errorf("server: Proto %q, Subprotocol %q", c.Proto(), c.Subprotocol())
				}
				if _, ok := c.Compression(); !ok {
					return errors.New("server: no compression")
				}
				for {
					f, err := c.Recv()
					if err != nil {
						return err
					}
					if err := c.Send(f); err != nil {
						return err
					}
				}
			})
			s := startH2Server(t, h2c, h)
			c := s.connect(t, ws.Protocols("x", "chat"), ws.Compression(ws.Deflate{}))
			if c.Proto() != "HTTP/2.0" || c.Subprotocol() != "chat" {
				t.Fatalf("Proto %q, Subprotocol %q", c.Proto(), c.Subprotocol())
			}
			if _, ok := c.Compression(); !ok {
				t.Fatal("permessage-deflate not negotiated")
			}
			rh := c.ResponseHeader()
			if rh.Get("X-Served-By") != "accept" || rh.Get("Sec-Websocket-Accept") != "" {
				t.Fatalf("response headers %v: want X-Served-By and no Sec-WebSocket-Accept", rh)
			}
			echo(t, c, ws.Text("hello"))
			echo(t, c, ws.Binary(bytes.Repeat([]byte("big"), 2<<20))) // 6 MiB: past the 4 MiB stream window
			echo(t, c, ws.Text(bytes.Repeat([]byte("compress me "), 10000)))
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			var ce *ws.CloseError
			if err := result(t, errs); !errors.As(err, &ce) || ce.Code != ws.CloseNormal {
				t.Fatalf("server: %v, want the client's 1000", err)
			}
		})
	}
}

// TestAcceptServerCloses: the server's CloseWith reaches the client with
// its code, both ends close cleanly, and the handler's return then ends
// the stream.
func TestAcceptServerCloses(t *testing.T) {
	h, errs := accepted(nil, func(c *ws.Conn) error {
		if err := c.Send(ws.Text("bye soon")); err != nil {
			return err
		}
		return c.CloseWith(4001, "done")
	})
	s := startH2Server(t, false, h)
	c := s.connect(t)
	if f, err := c.Recv(); err != nil || f.Text() != "bye soon" {
		t.Fatalf("Recv: %v %v", f, err)
	}
	_, err := c.Recv()
	var ce *ws.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "done" {
		t.Fatalf("Recv: %v, want the server's 4001", err)
	}
	if err := result(t, errs); err != nil {
		t.Fatalf("server's CloseWith: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestAcceptDeadlines: on the server's stream, a Recv's timeout and a
// change of mode interrupt the read and the Conn reads again afterwards
// (net/http's own read deadline would end the stream for good); the
// active mode delivers Events.
func TestAcceptDeadlines(t *testing.T) {
	h, errs := accepted(nil, func(c *ws.Conn) error {
		if _, err := c.RecvTimeout(20 * time.Millisecond); !errors.Is(err, ws.ErrTimeout) {
			return fmt.Errorf("RecvTimeout: %v, want ErrTimeout", err)
		}
		if err := c.Send(ws.Text("timed out")); err != nil {
			return err
		}
		f, err := c.Recv()
		if err != nil || f.Text() != "one" {
			return fmt.Errorf("Recv after the timeout: %v %v", f, err)
		}
		if err := c.SetActive(ws.Active); err != nil {
			return err
		}
		if err := c.Send(ws.Text("active")); err != nil {
			return err
		}
		select {
		case ev := <-c.Events():
			if ev.Err != nil || ev.Frame.Text() != "two" {
				return fmt.Errorf("Event: %+v", ev)
			}
		case <-time.After(testTimeout):
			return errors.New("no Event")
		}
		return c.Send(ws.Text("done"))
	})
	s := startH2Server(t, false, h)
	c := s.connect(t)
	for _, step := range []struct{ want, send string }{{"timed out", "one"}, {"active", "two"}} {
		if f, err := c.Recv(); err != nil || f.Text() != step.want {
			t.Fatalf("Recv: %v %v, want %q", f, err, step.want)
		}
		if err := c.Send(ws.Text(step.send)); err != nil {
			t.Fatal(err)
		}
	}
	if f, err := c.Recv(); err != nil || f.Text() != "done" {
		t.Fatalf("Recv: %v %v", f, err)
	}
	if err := result(t, errs); err != nil {
		t.Fatal(err)
	}
}

// TestAcceptSendTimeout: a server's Send to a client that does not read
// fails once the client's flow-control window is full, and the handler
// gets out: the deadline interrupts net/http's write (by resetting the
// stream, its only way), with ErrTimeout when nothing of the frame was
// written, ErrClosed when part of it was (the Conn is dropped).
func TestAcceptSendTimeout(t *testing.T) {
	h, errs := accepted([]ws.Option{ws.SendTimeout(100 * time.Millisecond)}, func(c *ws.Conn) error {
		msg := ws.Binary(make([]byte, 64<<10))
		for range 2000 { // 125 MiB, far past any window
			if err := c.Send(msg); err != nil {
				if !errors.Is(err, ws.ErrTimeout) && !errors.Is(err, ws.ErrClosed) {
					return fmt.Errorf("Send: %v, want ErrTimeout or ErrClosed", err)
				}
				return nil
			}
		}
		return errors.New("every Send went through to a client that does not read")
	})
	s := startH2Server(t, false, h)
	s.connect(t)
	if err := result(t, errs); err != nil {
		t.Fatal(err)
	}
}

// TestAcceptServerTimeouts: the http.Server's ReadTimeout and
// WriteTimeout, which on HTTP/2 are the stream's deadlines and would
// reset it, do not reach a Conn: it echoes after both have passed.
func TestAcceptServerTimeouts(t *testing.T) {
	const timeout = 50 * time.Millisecond
	h, errs := accepted(nil, func(c *ws.Conn) error {
		for {
			f, err := c.Recv()
			if err != nil {
				return err
			}
			if err := c.Send(f); err != nil {
				return err
			}
		}
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = timeout, timeout
	s := startH2ServerWith(t, false, srv)
	c := s.connect(t)
	echo(t, c, ws.Text("before"))
	time.Sleep(4 * timeout) // not a race: both deadlines, if left, would have passed
	echo(t, c, ws.Text("after the server's timeouts"))
	c.Close()
	var ce *ws.CloseError
	if err := result(t, errs); !errors.As(err, &ce) || ce.Code != ws.CloseNormal {
		t.Fatalf("server: %v, want the client's 1000", err)
	}
}

// rawConnect sends an extended CONNECT with header (and :protocol
// protocol, none if "") through x/net's transport, body as the request's
// body, and returns the response.
func rawConnect(t *testing.T, s *h2Server, protocol string, header http.Header, body io.Reader) *http.Response {
	t.Helper()
	tr := &http2.Transport{TLSClientConfig: s.tls}
	t.Cleanup(tr.CloseIdleConnections)
	if header == nil {
		header = http.Header{}
	}
	if protocol != "" {
		header.Set(":protocol", protocol)
	}
	if body == nil {
		body = http.NoBody
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodConnect, "https"+strings.TrimPrefix(s.base, "wss")+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestAcceptRefusals: an extended CONNECT that Accept turns down gets the
// status and body that an HTTP/1.1 handshake would, and Accept an
// *HTTPError.
func TestAcceptRefusals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		protocol string
		header   http.Header
		status   int
		body     string
	}{
		{"no :protocol", "", http.Header{"Sec-Websocket-Version": {"13"}}, 400, ":protocol websocket"},
		{"another :protocol", "chat", http.Header{"Sec-Websocket-Version": {"13"}}, 400, `not "chat"`},
		{"version 12", "websocket", http.Header{"Sec-Websocket-Version": {"12"}}, 426, "version 13"},
		{"cross-site origin", "websocket", http.Header{"Sec-Websocket-Version": {"13"}, "Origin": {"https://evil.example"}}, 403, "evil.example"},
		{"subprotocols not tokens", "websocket", http.Header{"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Protocol": {"a b"}}, 400, "list of tokens"},
		{"malformed extensions", "websocket", http.Header{"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Extensions": {"permessage-deflate; =1"}}, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, errs := accepted([]ws.Option{ws.Compression(ws.Deflate{})}, func(*ws.Conn) error { return errors.New("accepted") })
			s := startH2Server(t, false, h)
			resp := rawConnect(t, s, tc.protocol, tc.header, nil)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.body) {
				t.Fatalf("got %d %q, want %d with %q", resp.StatusCode, body, tc.status, tc.body)
			}
			if tc.status == 426 && resp.Header.Get("Sec-Websocket-Version") != "13" {
				t.Fatalf("426 without Sec-WebSocket-Version: 13: %v", resp.Header)
			}
			var he *ws.HTTPError
			if err := result(t, errs); !errors.As(err, &he) || he.StatusCode != tc.status {
				t.Fatalf("Accept: %v, want an HTTPError %d", err, tc.status)
			}
		})
	}
}

// TestAcceptUnmasked: the server's Conn on a stream reads masked frames
// only: an unmasked one ends it with 1002 (RFC 6455 section 5.1), whose
// close frame the client gets unmasked.
func TestAcceptUnmasked(t *testing.T) {
	h, errs := accepted(nil, func(c *ws.Conn) error {
		_, err := c.Recv()
		return err
	})
	s := startH2Server(t, false, h)
	pr, pw := io.Pipe()
	defer pw.Close()
	resp := rawConnect(t, s, "websocket", http.Header{"Sec-Websocket-Version": {"13"}}, pr)
	if resp.StatusCode != 200 || resp.Header.Get("Sec-Websocket-Accept") != "" {
		t.Fatalf("got %d %v, want 200 without Sec-WebSocket-Accept", resp.StatusCode, resp.Header)
	}
	frame := proto.AppendHeader(nil, proto.Header{Fin: true, Op: proto.OpText, Length: 2})
	go pw.Write(append(frame, "hi"...))
	var pe *ws.ProtocolError
	if err := result(t, errs); !errors.As(err, &pe) || pe.Code != ws.CloseProtocolError {
		t.Fatalf("server: %v, want 1002", err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	if head[0] != 0x88 || head[1]&0x80 != 0 || int(head[2])<<8|int(head[3]) != 1002 {
		t.Fatalf("server's frame % x, want an unmasked close frame with 1002", head)
	}
}
