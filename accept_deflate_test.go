package ws

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// byteCounter counts the bytes its listener's connections read and
// write, to tell compressed traffic from plain.
type byteCounter struct {
	net.Listener
	read, written atomic.Int64
}

func (l *byteCounter) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{nc, l}, nil
}

type countedConn struct {
	net.Conn
	l *byteCounter
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.read.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.written.Add(int64(n))
	return n, err
}

// TestAcceptDeflateEcho: a server Conn that compresses echoes to a client
// Conn, both ways, with context takeover on and off and windows from the
// smallest to the largest, set by the server or asked by the client;
// both ends agree on the parameters, and the messages are compressed on
// the wire (the server reads and writes far fewer bytes than they hold).
// It carries the old test server's deflate echo test over to Accept.
func TestAcceptDeflateEcho(t *testing.T) {
	for _, tc := range []struct {
		name           string
		server, client Deflate
		want           Deflate // as both ends report it
	}{
		{"defaults", Deflate{}, Deflate{},
			Deflate{ClientMaxWindowBits: 15, ServerMaxWindowBits: 15}},
		{"no context takeover", Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Deflate{},
			Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ClientMaxWindowBits: 15, ServerMaxWindowBits: 15}},
		{"small windows set by the server", Deflate{ServerMaxWindowBits: 8, ClientMaxWindowBits: 8}, Deflate{},
			Deflate{ClientMaxWindowBits: 8, ServerMaxWindowBits: 8}},
		{"windows asked by the client", Deflate{}, Deflate{ClientMaxWindowBits: 9, ServerMaxWindowBits: 11, ClientNoContextTakeover: true},
			Deflate{ClientMaxWindowBits: 9, ServerMaxWindowBits: 11, ClientNoContextTakeover: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := make(chan Deflate, 1)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sc, err := Accept(w, r, Compression(tc.server))
				if err != nil {
					return
				}
				p, ok := sc.Compression()
				if !ok {
					p = Deflate{Threshold: -1} // a mark: none negotiated
				}
				params <- p
				echoConn(sc)
			}))
			counter := &byteCounter{Listener: srv.Listener}
			srv.Listener = counter
			srv.Start()
			t.Cleanup(srv.Close)
			c := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http"), Compression(tc.client))
			if p := <-params; p != tc.want {
				t.Fatalf("server's parameters %+v, want %+v", p, tc.want)
			}
			if got, ok := c.Compression(); !ok || got != tc.want {
				t.Fatalf("client's parameters %+v, %t; want %+v", got, ok, tc.want)
			}
			sent := 0
			for i, n := range []int{0, 1, 100, 1000, 64 << 10, 1 << 20, 1000, 64 << 10} {
				p := bytes.Repeat(fmt.Appendf(nil, "message %d of %d bytes; ", i, n), n/20+1)[:n]
				f := Text(p)
				if i%2 == 1 {
					f = Binary(p)
				}
				if err := c.Send(f); err != nil {
					t.Fatal(err)
				}
				sent += n
				if echo := recvWithin(t, c); echo.Kind != f.Kind || !bytes.Equal(echo.Payload, p) {
					t.Fatalf("message %d: echo %v of %d bytes, want %v of %d", i, echo.Kind, len(echo.Payload), f.Kind, n)
				}
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if read, written := counter.read.Load(), counter.written.Load(); read > int64(sent/10) || written > int64(sent/10) {
				t.Fatalf("the server read %d bytes and wrote %d for %d bytes of messages each way: not compressed", read, written, sent)
			}
		})
	}
}
