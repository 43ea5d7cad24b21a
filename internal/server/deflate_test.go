package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// TestDeflateUpgrade: the 101 answers the offer by ServerConfig's rules;
// without Options.Deflate the offer is ignored; a malformed header gets
// 400; an offer the server must decline gets a 101 without the extension.
func TestDeflateUpgrade(t *testing.T) {
	all := &Deflate{ServerConfig: deflate.ServerConfig{ServerNoContextTakeover: true, ClientMaxWindowBits: 10}}
	for _, tc := range []struct {
		name   string
		o      Options
		offer  string
		status int
		want   string
	}{
		{"accepted", Options{Deflate: &Deflate{}}, "permessage-deflate", 101, "permessage-deflate"},
		{"server's terms", Options{Deflate: all}, "permessage-deflate; client_max_window_bits",
			101, "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"},
		{"first acceptable offer", Options{Deflate: &Deflate{}}, "permessage-deflate; x, permessage-deflate; server_max_window_bits=9",
			101, "permessage-deflate; server_max_window_bits=9"},
		{"declined", Options{Deflate: &Deflate{}}, "permessage-deflate; server_max_window_bits=16", 101, ""},
		{"not configured", Options{}, "permessage-deflate", 101, ""},
		{"malformed", Options{Deflate: &Deflate{}}, "permessage-deflate; server_max_window_bits=\"9", http.StatusBadRequest, ""},
		{"invalid configuration", Options{Deflate: &Deflate{ServerConfig: deflate.ServerConfig{ServerMaxWindowBits: 16}}}, "permessage-deflate",
			http.StatusInternalServerError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := handshake(t, tc.o, "GET", append(upgrade, "Sec-WebSocket-Extensions: "+tc.offer)...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Values("Sec-Websocket-Extensions"); tc.want == "" && len(got) != 0 || tc.want != "" && (len(got) != 1 || got[0] != tc.want) {
				t.Fatalf("Sec-WebSocket-Extensions %q, want %q", got, tc.want)
			}
		})
	}
}

// countingListener counts the bytes its connections read and write, to
// tell compressed traffic from plain.
type countingListener struct {
	net.Listener
	read, written atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{nc, l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.written.Add(int64(n))
	return n, err
}

// deflateServer runs Handler with o and serve on a counting listener.
func deflateServer(t *testing.T, o Options, serve func(*Conn)) (string, *countingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(Handler(o, serve))
	l := &countingListener{Listener: srv.Listener}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), l
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDeflateEcho: Echo on a connection that compresses, against the ws
// client, both ways, with every combination of context takeover and
// windows from the smallest to the largest; messages compress on the wire
// (the server reads and writes far fewer bytes than the messages hold)
// and both ends agree
// on the parameters.
func TestDeflateEcho(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server deflate.ServerConfig
		client ws.Deflate
		want   deflate.Params
	}{
		{"defaults", deflate.ServerConfig{}, ws.Deflate{},
			deflate.Params{Client: deflate.Settings{WindowBits: 15}, Server: deflate.Settings{WindowBits: 15}}},
		{"no context takeover", deflate.ServerConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, ws.Deflate{},
			deflate.Params{Client: deflate.Settings{WindowBits: 15, NoContextTakeover: true}, Server: deflate.Settings{WindowBits: 15, NoContextTakeover: true}}},
		{"small windows set by the server", deflate.ServerConfig{ServerMaxWindowBits: 8, ClientMaxWindowBits: 8}, ws.Deflate{},
			deflate.Params{Client: deflate.Settings{WindowBits: 8}, Server: deflate.Settings{WindowBits: 8}}},
		{"windows asked by the client", deflate.ServerConfig{}, ws.Deflate{ClientMaxWindowBits: 9, ServerMaxWindowBits: 11, ClientNoContextTakeover: true},
			deflate.Params{Client: deflate.Settings{WindowBits: 9, NoContextTakeover: true}, Server: deflate.Settings{WindowBits: 11}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := make(chan *deflate.Params, 1)
			url, counter := deflateServer(t, Options{Deflate: &Deflate{ServerConfig: tc.server}}, func(c *Conn) {
				params <- c.Deflate
				Echo(c)
			})
			conn, err := ws.Connect(testCtx(t), url, ws.Compression(tc.client))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if p := <-params; p == nil || *p != tc.want {
				t.Fatalf("server's parameters %+v, want %+v", p, tc.want)
			}
			got, ok := conn.Compression()
			want := ws.Deflate{ClientNoContextTakeover: tc.want.Client.NoContextTakeover, ServerNoContextTakeover: tc.want.Server.NoContextTakeover,
				ClientMaxWindowBits: tc.want.Client.WindowBits, ServerMaxWindowBits: tc.want.Server.WindowBits}
			if !ok || got != want {
				t.Fatalf("client's parameters %+v, %t; want %+v", got, ok, want)
			}
			sent := 0
			for i, n := range []int{0, 1, 100, 1000, 64 << 10, 1 << 20, 1000, 64 << 10} {
				p := bytes.Repeat(fmt.Appendf(nil, "message %d of %d bytes; ", i, n), n/20+1)[:n]
				f := ws.Text(p)
				if i%2 == 1 {
					f = ws.Binary(p)
				}
				if err := conn.Send(f); err != nil {
					t.Fatal(err)
				}
				sent += n
				echo, err := conn.RecvTimeout(20 * time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if echo.Kind != f.Kind || !bytes.Equal(echo.Payload, p) {
					t.Fatalf("message %d: echo %v of %d bytes, want %v of %d", i, echo.Kind, len(echo.Payload), f.Kind, n)
				}
			}
			if err := conn.Close(); err != nil {
				t.Fatal(err)
			}
			if read, written := counter.read.Load(), counter.written.Load(); read > int64(sent/10) || written > int64(sent/10) {
				t.Fatalf("the server read %d bytes and wrote %d for %d bytes of messages each way: not compressed", read, written, sent)
			}
		})
	}
}

// rawDeflate connects by hand, offering offer, to a server running serve
// with o, and returns the connection and its reader after the 101.
func rawDeflate(t *testing.T, o Options, offer string, serve func(*Conn)) (net.Conn, *bufio.Reader) {
	t.Helper()
	srv := httptest.NewServer(Handler(o, serve))
	t.Cleanup(srv.Close)
	nc, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\nSec-WebSocket-Extensions: %s\r\n\r\n", strings.Join(upgrade, "\r\n"), offer)
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v", err)
	}
	return nc, br
}

var key4 = [4]byte{1, 2, 3, 4}

// clientFrame is a masked frame as a client sends it.
func clientFrame(h proto.Header, payload []byte) []byte {
	h.Masked, h.Key, h.Length = true, key4, int64(len(payload))
	b := proto.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	proto.Mask(key4, 0, b[start:])
	return b
}

// readFrame reads one frame the server sent.
func readFrame(t *testing.T, br *bufio.Reader) (proto.Header, []byte) {
	t.Helper()
	h, err := readHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(br, p); err != nil {
		t.Fatal(err)
	}
	return h, p
}

// TestDeflateReadFaults: compressed data that does not decompress gets
// close 1002, a message that decompresses past MaxMessage 1009, RSV1
// where RFC 7692 section 6.1 forbids it 1002; ReadFrame returns the
// Violation after the close frame is out.
func TestDeflateReadFaults(t *testing.T) {
	compress := func(p []byte) []byte {
		return deflate.NewCompressor(deflate.Settings{WindowBits: 15, NoContextTakeover: true}).Append(nil, p, true)
	}
	for _, tc := range []struct {
		name  string
		wire  []byte
		code  uint16
		limit int64
	}{
		{"not DEFLATE", clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpBinary}, []byte{0xff, 0xff, 0xff}), 1002, 0},
		{"truncated", clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpText}, compress(bytes.Repeat([]byte("abc"), 100))[:5]), 1002, 0},
		{"invalid UTF-8 once decompressed", clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpText}, compress([]byte("ok \xff"))), 1007, 0},
		{"over MaxMessage once decompressed", clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpBinary}, compress(make([]byte, 1<<20))), 1009, 64 << 10},
		{"RSV1 on a continuation", append(clientFrame(proto.Header{Op: proto.OpText}, []byte("a")),
			clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpContinuation}, compress([]byte("b")))...), 1002, 0},
		{"RSV1 on a ping", clientFrame(proto.Header{Fin: true, Rsv: 4, Op: proto.OpPing}, compress([]byte("p"))), 1002, 0},
		{"RSV2", clientFrame(proto.Header{Fin: true, Rsv: 2, Op: proto.OpText}, []byte("x")), 1002, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan error, 1)
			nc, br := rawDeflate(t, Options{Deflate: &Deflate{}, MaxMessage: tc.limit}, "permessage-deflate", func(c *Conn) {
				_, err := c.ReadFrame()
				got <- err
			})
			nc.Write(tc.wire)
			h, p := readFrame(t, br)
			if code, _, _ := proto.ParseClose(p); h.Op != proto.OpClose || code != tc.code {
				t.Fatalf("got %v %x, want close %d", h.Op, p, tc.code)
			}
			var v *proto.Violation
			if err := <-got; !errors.As(err, &v) || v.Code != tc.code {
				t.Fatalf("ReadFrame returned %v", err)
			}
		})
	}
}

// TestDeflateThreshold: messages below the threshold, and control frames,
// go uncompressed with RSV1 clear; the others compressed with RSV1, and
// the compressor keeps its context across the uncompressed ones (RFC 7692
// section 7.2.3.2), so the last message decompresses only with the
// window of the first.
func TestDeflateThreshold(t *testing.T) {
	long := bytes.Repeat([]byte("compressible "), 20)
	nc, br := rawDeflate(t, Options{Deflate: &Deflate{Threshold: 100}}, "permessage-deflate", func(c *Conn) {
		c.WriteFrame(proto.OpText, long)
		c.WriteFrame(proto.OpText, []byte("short"))
		c.WriteFrame(proto.OpPing, long[:100])
		c.WriteFrame(proto.OpBinary, long)
		c.CloseWith(1000, "")
		c.ReadFrame()
	})
	defer nc.Close()
	d := deflate.NewDecompressor(deflate.Settings{WindowBits: 15}, 0)
	defer d.Release()
	for i, want := range []struct {
		op         proto.Opcode
		compressed bool
		payload    []byte
	}{
		{proto.OpText, true, long},
		{proto.OpText, false, []byte("short")},
		{proto.OpPing, false, long[:100]},
		{proto.OpBinary, true, long},
	} {
		h, p := readFrame(t, br)
		if h.Rsv != 0 {
			if err := d.Write(p); err != nil {
				t.Fatal(err)
			}
			var err error
			if p, err = d.Finish(nil); err != nil {
				t.Fatal(err)
			}
		}
		if h.Op != want.op || (h.Rsv == 4) != want.compressed || h.Rsv&^4 != 0 || !bytes.Equal(p, want.payload) {
			t.Fatalf("frame %d: %+v %q, want %v compressed %t", i, h, p, want.op, want.compressed)
		}
	}
	if h, _ := readFrame(t, br); h.Op != proto.OpClose {
		t.Fatalf("got %v, want the close", h.Op)
	}
}

// TestDeflateCloseReleases: Close while a ReadFrame waits, and WriteFrame
// after Close, are safe (the race detector watches the compressor and
// decompressor): the read fails, the write returns net.ErrClosed.
func TestDeflateCloseReleases(t *testing.T) {
	type outcome struct{ read, write, readAfter error }
	done := make(chan outcome, 1)
	nc, br := rawDeflate(t, Options{Deflate: &Deflate{}}, "permessage-deflate", func(c *Conn) {
		c.WriteFrame(proto.OpText, []byte("ready"))
		read := make(chan error, 1)
		go func() {
			_, err := c.ReadFrame()
			read <- err
		}()
		// Most likely with ReadFrame inside the compressed message the
		// client sent; either order must be safe.
		time.Sleep(10 * time.Millisecond)
		c.Close()
		var o outcome
		o.read = <-read
		o.write = c.WriteFrame(proto.OpText, []byte("late"))
		_, o.readAfter = c.ReadFrame()
		done <- o
	})
	readFrame(t, br)
	// The first frame of a compressed message: the decompressor holds
	// state until the rest comes.
	comp := deflate.NewCompressor(deflate.Settings{WindowBits: 15})
	defer comp.Release()
	nc.Write(clientFrame(proto.Header{Rsv: 4, Op: proto.OpText}, comp.Append(nil, bytes.Repeat([]byte("x"), 1000), false)))
	o := <-done
	if o.read == nil || !errors.Is(o.write, net.ErrClosed) || !errors.Is(o.readAfter, net.ErrClosed) {
		t.Fatalf("after Close: ReadFrame under way %v, WriteFrame %v, ReadFrame %v", o.read, o.write, o.readAfter)
	}
}
