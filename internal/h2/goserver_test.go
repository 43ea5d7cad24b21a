package h2_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/h2"
	"github.com/hackney-go/ws/internal/testscale"
)

// connect opens a Conn to the peer's path over HTTP/2 (required).
func (p *goPeer) connect(t testing.TB, path string, opts ...ws.Option) *ws.Conn {
	t.Helper()
	c, err := p.dial(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (p *goPeer) dial(path string, opts ...ws.Option) (*ws.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	opts = append([]ws.Option{ws.HTTP2(ws.HTTP2Require), ws.TLSConfig(p.tls), ws.RecvTimeout(testTimeout)}, opts...)
	return ws.Connect(ctx, p.base+path, opts...)
}

// echo sends a message and checks that it comes back.
func echo(t testing.TB, c *ws.Conn, f ws.Frame) {
	t.Helper()
	if err := c.Send(f); err != nil {
		t.Fatal(err)
	}
	got, err := c.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != f.Kind || !bytes.Equal(got.Payload, f.Payload) {
		t.Fatalf("echo: got %v, want %v", got, f)
	}
}

// TestEcho: over TLS (ALPN h2) and h2c with prior knowledge, the Conn
// opens on a stream (Proto), negotiates its subprotocol, echoes text,
// binary and a message larger than a stream's window, and closes
// cleanly.
func TestEcho(t *testing.T) {
	for _, h2c := range []bool{false, true} {
		t.Run(fmt.Sprintf("h2c=%v", h2c), func(t *testing.T) {
			p := startGoPeer(t, h2c, 0)
			c := p.connect(t, "/echo", ws.Protocols("x", "chat"))
			if got := c.Proto(); got != "HTTP/2.0" {
				t.Fatalf("Proto() = %q", got)
			}
			if got := c.Subprotocol(); got != "chat" {
				t.Fatalf("Subprotocol() = %q", got)
			}
			echo(t, c, ws.Text("hello"))
			echo(t, c, ws.Binary(bytes.Repeat([]byte{7}, 100)))
			echo(t, c, ws.Binary(bytes.Repeat([]byte("big"), 2<<20))) // 6 MiB: past the 4 MiB stream window
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// TestCompression: permessage-deflate is negotiated in the extended
// CONNECT's headers and messages go compressed both ways.
func TestCompression(t *testing.T) {
	p := startGoPeer(t, false, 0)
	c := p.connect(t, "/echo", ws.Compression(ws.Deflate{}))
	if _, ok := c.Compression(); !ok {
		t.Fatal("permessage-deflate not negotiated over HTTP/2")
	}
	echo(t, c, ws.Text(bytes.Repeat([]byte("compress me "), 10000)))
	echo(t, c, ws.Text("short"))
}

// TestRefusal: a non-2xx answer is an *HTTPError with its body.
func TestRefusal(t *testing.T) {
	p := startGoPeer(t, false, 0)
	_, err := p.dial("/refuse")
	var he *ws.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 403 || !bytes.Contains(he.Body, []byte("no entry")) {
		t.Fatalf("err = %v, want a 403 HTTPError with its body", err)
	}
	// The connection stays for the next Conn.
	echo(t, p.connect(t, "/echo"), ws.Text("after"))
}

// TestShared: Conns to one server share one connection up to the
// server's SETTINGS_MAX_CONCURRENT_STREAMS, then a new one is dialed.
func TestShared(t *testing.T) {
	p := startGoPeer(t, false, 3)
	var conns []*ws.Conn
	for range 4 {
		conns = append(conns, p.connect(t, "/echo"))
	}
	for i, c := range conns {
		echo(t, c, ws.Text(fmt.Sprint(i)))
	}
	addr := conns[0].LocalAddr().String()
	for i, c := range conns[1:3] {
		if got := c.LocalAddr().String(); got != addr {
			t.Fatalf("Conn %d on %s, Conn 0 on %s: not shared", i+1, got, addr)
		}
	}
	if got := conns[3].LocalAddr().String(); got == addr {
		t.Fatalf("a fourth Conn shares the connection whose server allows 3 streams")
	}
	// Closing one Conn ends its stream alone.
	conns[0].Close()
	echo(t, conns[1], ws.Text("still here"))
	echo(t, p.connect(t, "/echo"), ws.Text("in the freed slot"))
}

// TestSlowReader: a Conn that does not read, while its server sends it
// far more than a stream's window, holds back no other Conn on the
// connection.
func TestSlowReader(t *testing.T) {
	p := startGoPeer(t, false, 0)
	slow := p.connect(t, "/flood?n=200") // 12.5 MiB it does not read
	fast := p.connect(t, "/echo")
	if slow.LocalAddr().String() != fast.LocalAddr().String() {
		t.Fatal("the two Conns do not share a connection")
	}
	for i := range 50 {
		echo(t, fast, ws.Binary(bytes.Repeat([]byte{byte(i)}, 32<<10)))
	}
	for range 200 {
		f, err := slow.Recv()
		if err != nil || len(f.Payload) != 64<<10 {
			t.Fatalf("flood: %v, %d bytes", err, len(f.Payload))
		}
	}
	echo(t, slow, ws.Text("caught up"))
}

// TestReset: the server's RST_STREAM in the middle of a message ends the
// Conn as a TCP reset would: 1006, with the reset as the cause.
func TestReset(t *testing.T) {
	p := startGoPeer(t, false, 0)
	c := p.connect(t, "/reset")
	_, err := c.Recv()
	var ce *ws.CloseError
	var re *h2.ResetError
	if !errors.As(err, &ce) || ce.Code != ws.CloseAbnormal || !errors.As(err, &re) {
		t.Fatalf("Recv: %v, want a 1006 CloseError caused by the stream's reset", err)
	}
	echo(t, p.connect(t, "/echo"), ws.Text("the connection lives on"))
}

// TestGoAway: the server's GOAWAY, then its close of the connection,
// end the Conns on it with ErrGoAway; new Conns go to a new connection.
func TestGoAway(t *testing.T) {
	p := startGoPeer(t, false, 0)
	a := p.connect(t, "/echo")
	b := p.connect(t, "/goaway")
	_, err := a.Recv()
	if !errors.Is(err, ws.ErrGoAway) {
		t.Fatalf("Recv after GOAWAY: %v, want ErrGoAway", err)
	}
	var ce *ws.CloseError
	if !errors.As(err, &ce) || ce.Code != ws.CloseAbnormal {
		t.Fatalf("Recv after GOAWAY: %v, want a 1006 CloseError", err)
	}
	b.Close()
	c := p.connect(t, "/echo")
	if c.LocalAddr().String() == a.LocalAddr().String() {
		t.Fatal("a new Conn went to the connection that had GOAWAY")
	}
	echo(t, c, ws.Text("new connection"))
}

// TestDeadlines: a Recv's timeout interrupts the stream's read, and the
// Conn reads again afterwards (the stream's deadlines are a socket's).
func TestDeadlines(t *testing.T) {
	p := startGoPeer(t, false, 0)
	c := p.connect(t, "/echo")
	if _, err := c.RecvTimeout(10 * time.Millisecond); !errors.Is(err, ws.ErrTimeout) {
		t.Fatalf("RecvTimeout: %v, want ErrTimeout", err)
	}
	echo(t, c, ws.Text("after the timeout"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.RecvContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvContext: %v", err)
	}
	echo(t, c, ws.Text("after the cancel"))
}

// TestManyConns: many Conns echo at once over one HTTP/2 connection
// (1,000 at full scale).
func TestManyConns(t *testing.T) {
	n := 100
	if testscale.Full() {
		n = 1000
	}
	p := startGoPeer(t, false, 2000)
	conns := make([]*ws.Conn, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.dial("/echo")
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			msg := fmt.Sprintf("conn %d", i)
			if err := c.Send(ws.Text(msg)); err != nil {
				errs <- err
				return
			}
			f, err := c.Recv()
			if err != nil || f.Text() != msg {
				errs <- fmt.Errorf("conn %d: %v %v", i, f, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, c := range conns {
		if c != nil && c.LocalAddr().String() != conns[0].LocalAddr().String() {
			t.Errorf("Conns on %s and %s: not one connection", c.LocalAddr(), conns[0].LocalAddr())
			break
		}
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}
