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
