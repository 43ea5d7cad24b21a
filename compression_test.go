package ws

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// countingInflater counts the messages that came compressed.
type countingInflater struct {
	*deflate.Decompressor
	messages int
}

func (c *countingInflater) Finish(dst []byte) ([]byte, error) {
	c.messages++
	return c.Decompressor.Finish(dst)
}

// deflateServer accepts permessage-deflate with the given response and
// settings, echoes every message (compressed with RSV1 when compress is
// set) and reports how many messages came compressed when the client
// closes.
func deflateServer(t *testing.T, response string, p deflate.Params, compress bool) (string, chan int) {
	counts := make(chan int, 1)
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		if _, err := nc.Write([]byte(switching(r, "Sec-WebSocket-Extensions: "+response+"\r\n"))); err != nil {
			return
		}
		nc.SetDeadline(time.Now().Add(testTimeout))
		in := &countingInflater{Decompressor: deflate.NewDecompressor(p.Client, 0)}
		rd := proto.Reader{Server: true, Inflater: in}
		out := deflate.NewCompressor(p.Server)
		buf := make([]byte, 64<<10)
		for {
			n, err := nc.Read(buf)
			for b := buf[:n]; len(b) > 0; {
				used, f, ok, verr := rd.Next(b)
				if verr != nil {
					t.Errorf("server: %v", verr)
					return
				}
				b = b[used:]
				if !ok {
					continue
				}
				switch f.Op {
				case proto.OpClose:
					nc.Write(closeFrame(1000, ""))
					counts <- in.messages
					return
				case proto.OpText, proto.OpBinary:
					h := proto.Header{Fin: true, Op: f.Op}
					payload := f.Payload
					if compress {
						h.Rsv, payload = rsv1, out.Append(nil, f.Payload, true)
					}
					h.Length = int64(len(payload))
					nc.Write(append(proto.AppendHeader(nil, h), payload...))
				}
			}
			if err != nil {
				return
			}
		}
	})
	return url, counts
}

func TestCompressionEcho(t *testing.T) {
	for _, tc := range []struct {
		name     string
		offer    Deflate
		response string
		params   deflate.Params
		want     Deflate
	}{
		{"takeover", Deflate{Threshold: 32}, "permessage-deflate",
			deflate.Params{Client: deflate.Settings{WindowBits: 15}, Server: deflate.Settings{WindowBits: 15}},
			Deflate{Threshold: 32, ClientMaxWindowBits: 15, ServerMaxWindowBits: 15}},
		{"no takeover, small windows", Deflate{Threshold: 32, ClientNoContextTakeover: true, ServerNoContextTakeover: true, ServerMaxWindowBits: 9},
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8",
			deflate.Params{Client: deflate.Settings{WindowBits: 8, NoContextTakeover: true}, Server: deflate.Settings{WindowBits: 9, NoContextTakeover: true}},
			Deflate{Threshold: 32, ClientNoContextTakeover: true, ServerNoContextTakeover: true, ClientMaxWindowBits: 8, ServerMaxWindowBits: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, counts := deflateServer(t, tc.response, tc.params, true)
			c := dial(t, url, Compression(tc.offer), FragmentSize(1000))
			if got, ok := c.Compression(); !ok || got != tc.want {
				t.Fatalf("Compression() = %+v, %t; want %+v", got, ok, tc.want)
			}
			msgs := []Frame{Text("short"), Text(strings.Repeat("héllo wörld ", 500)), Binary(bytes.Repeat([]byte{1, 2, 3, 4}, 10000)), Binary(nil), Text(strings.Repeat("again ", 50))}
			for _, m := range msgs {
				if err := c.Send(m); err != nil {
					t.Fatal(err)
				}
				if f := recvWithin(t, c); f.Kind != m.Kind || !bytes.Equal(f.Payload, m.Payload) {
					t.Fatalf("echo of %v came back as %v", m, f)
				}
			}
			if err := c.SendFrom(TextFrame, strings.NewReader(strings.Repeat("streamed ", 20000))); err != nil {
				t.Fatal(err)
			}
			if f := recvWithin(t, c); f.Text() != strings.Repeat("streamed ", 20000) {
				t.Fatalf("streamed message came back as %v", f)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			// All but the two below the threshold went compressed.
			if got := <-counts; got != 4 {
				t.Fatalf("the server got %d compressed messages, want 4", got)
			}
		})
	}
}

func TestCompressionDeclinedOrRefused(t *testing.T) {
	// A server that ignores the offer: no compression, and RSV1 from it is
	// a protocol error.
	url, _ := scriptServer(t, wire(proto.OpText, true, []byte("plain")))
	c := dial(t, url, Compression(Deflate{}))
	if _, ok := c.Compression(); ok {
		t.Fatal("Compression() reports an extension the server did not accept")
	}
	if f := recvWithin(t, c); f.Text() != "plain" {
		t.Fatalf("got %v", f)
	}
	rsv1Frame := append(proto.AppendHeader(nil, proto.Header{Fin: true, Rsv: rsv1, Op: proto.OpText, Length: 1}), 'x')
	url, codes := scriptServer(t, rsv1Frame)
	c = dial(t, url, Compression(Deflate{}))
	var pe *ProtocolError
	if _, err := c.RecvTimeout(testTimeout); !errors.As(err, &pe) {
		t.Fatalf("RSV1 without the extension: %v, want a *ProtocolError", err)
	}
	codes.want(t, 1002)
	for response, want := range map[string]error{
		"permessage-deflate; foo":                         ErrUnknownParameter,
		"permessage-deflate, permessage-deflate":          ErrDuplicateExtension,
		"permessage-deflate; server_max_window_bits=16":   ErrInvalidValue,
		"permessage-deflate; server_no_context_takeover;": ErrExtensionSyntax,
		"x-webkit-deflate-frame":                          ErrUnofferedExtension,
	} {
		url := rawServer(t, func(nc net.Conn, r *http.Request) {
			nc.Write([]byte(switching(r, "Sec-WebSocket-Extensions: "+response+"\r\n")))
		})
		c, err := Connect(testCtx(t), url, Compression(Deflate{}))
		var he *HandshakeError
		if err == nil {
			c.Close()
		}
		if !errors.As(err, &he) || he.Header != "Sec-WebSocket-Extensions" || !errors.Is(err, want) {
			t.Fatalf("response %q: %v, want a *HandshakeError about Sec-WebSocket-Extensions matching %v", response, err, want)
		}
	}
	if _, err := Connect(testCtx(t), url, Compression(Deflate{ServerMaxWindowBits: 7})); err == nil {
		t.Fatal("Connect offered a window of 7 bits")
	}
}
