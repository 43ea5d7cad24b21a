package conformance

import (
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// These tests hold ServeDeflate to its word, with a client written by
// hand that compresses with the standard library, so that it can break
// RFC 7692 exactly.

// rawDeflateClient is a hand-written client of a ServeDeflate server.
type rawDeflateClient struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
	// Its compressor, with context takeover; the standard library's
	// encoder always has the 32 KiB window.
	w   *flate.Writer
	out bytes.Buffer
	// Its decompressor's window, the last 32 KiB received.
	dict []byte
}

// dialDeflate connects, offers offer and returns the client with the
// server's Sec-WebSocket-Extensions answer.
func dialDeflate(t *testing.T, srv *Server, offer string) (*rawDeflateClient, string) {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(caseTimeout))
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: %s\r\n\r\n", offer)
	c := &rawDeflateClient{t: t, nc: nc, br: bufio.NewReader(nc)}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake answer %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	c.w, _ = flate.NewWriter(&c.out, flate.BestCompression)
	return c, resp.Header.Get("Sec-WebSocket-Extensions")
}

// compress compresses a message with context takeover.
func (c *rawDeflateClient) compress(p []byte) []byte {
	c.w.Write(p)
	c.w.Flush()
	z := bytes.Clone(c.out.Bytes())
	c.out.Reset()
	return z[:len(z)-4]
}

func (c *rawDeflateClient) send(frames ...Frame) {
	c.t.Helper()
	for _, f := range frames {
		if _, err := c.nc.Write(f.WithMask(clientKey).Bytes()); err != nil {
			c.t.Fatal(err)
		}
	}
}

// recv reads one frame and returns its header and payload.
func (c *rawDeflateClient) recv() (proto.Header, []byte) {
	c.t.Helper()
	h, frame, err := readFrame(c.br)
	if err != nil {
		c.t.Fatal(err)
	}
	return h, frame[len(frame)-int(h.Length):]
}

// inflate decompresses the payload of a compressed message with context
// takeover.
func (c *rawDeflateClient) inflate(p []byte) []byte {
	c.t.Helper()
	// An empty stored block with BFINAL set ends the stream cleanly.
	r := flate.NewReaderDict(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})), c.dict)
	out, err := io.ReadAll(r)
	if err != nil {
		c.t.Fatalf("decompress %x: %v", p, err)
	}
	c.dict = append(c.dict, out...)
	c.dict = c.dict[max(0, len(c.dict)-32<<10):]
	return out
}

// deflateOutcome runs a script against the hand-written client and
// returns the server's verdict.
func deflateOutcome(t *testing.T, answer DeflateAnswer, script func(*Deflate) []Step, client func(c *rawDeflateClient)) error {
	t.Helper()
	srv, err := ServeDeflate(300*time.Millisecond, answer, script)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, _ := dialDeflate(t, srv, "permessage-deflate; client_max_window_bits")
	client(c)
	return srv.Wait(caseTimeout)
}

var (
	fullWindow  = deflate.Params{Client: deflate.Settings{WindowBits: 15}, Server: deflate.Settings{WindowBits: 15}}
	smallClient = deflate.Params{Client: deflate.Settings{WindowBits: 8}, Server: deflate.Settings{WindowBits: 15}}
	smallServer = deflate.Params{Client: deflate.Settings{WindowBits: 15}, Server: deflate.Settings{WindowBits: 10}}
	clientNCT   = deflate.Params{Client: deflate.Settings{WindowBits: 15, NoContextTakeover: true}, Server: deflate.Settings{WindowBits: 15}}
)

func TestDeflateScriptVerdicts(t *testing.T) {
	hello := []byte("hello, hello, hello")
	// far repeats its first 300 bytes 300 bytes back: a match beyond an
	// 8-bit window.
	far := binaryOf(300)
	far = append(far, far...)
	for _, e := range []struct {
		name   string
		params *deflate.Params
		script func(d *Deflate) []Step
		client func(c *rawDeflateClient)
		want   string // in the error; "" for a script that passes
	}{
		{"compressed", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, true)} },
			func(c *rawDeflateClient) { c.send(Text(string(c.compress(hello))).WithRsv(rsv1)) }, ""},
		{"not compressed", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, true)} },
			func(c *rawDeflateClient) { c.send(Text(string(hello))) }, "RSV1 false, want true"},
		{"compressed unexpectedly", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, false)} },
			func(c *rawDeflateClient) { c.send(Text(string(c.compress(hello))).WithRsv(rsv1)) }, "RSV1 true, want false"},
		{"compressed in fragments", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpBinary, hello, true)} },
			func(c *rawDeflateClient) {
				frames := FragmentsOf(proto.OpBinary, c.compress(hello), 3)
				frames[0].Rsv = rsv1
				c.send(frames...)
			}, ""},
		{"context taken over", &fullWindow, func(*Deflate) []Step {
			return []Step{ExpectDeflated(proto.OpText, hello, true), ExpectDeflated(proto.OpText, hello, true)}
		}, func(c *rawDeflateClient) {
			c.send(Text(string(c.compress(hello))).WithRsv(rsv1), Text(string(c.compress(hello))).WithRsv(rsv1))
		}, ""},
		{"context taken over against client_no_context_takeover", &clientNCT, func(*Deflate) []Step {
			return []Step{ExpectDeflated(proto.OpText, hello, true), ExpectDeflated(proto.OpText, hello, true)}
		}, func(c *rawDeflateClient) {
			c.send(Text(string(c.compress(hello))).WithRsv(rsv1), Text(string(c.compress(hello))).WithRsv(rsv1))
		}, "does not decompress"},
		{"window passed", &smallClient, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpBinary, far, true)} },
			func(c *rawDeflateClient) { c.send(Binary(c.compress(far)).WithRsv(rsv1)) }, "distance beyond the negotiated window"},
		{"RSV1 on a continuation", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, false)} },
			func(c *rawDeflateClient) { c.send(Text("hel").More(), Cont([]byte("lo")).WithRsv(rsv1)) }, "RSV1 on a continuation frame"},
		{"RSV1 on a ping", &fullWindow, func(*Deflate) []Step { return []Step{ExpectPong(nil)} },
			func(c *rawDeflateClient) { c.send(Pong(nil).WithRsv(rsv1)) }, "RSV1 on a control frame"},
		{"RSV1 without compression", nil, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, true)} },
			func(c *rawDeflateClient) { c.send(Text(string(c.compress(hello))).WithRsv(rsv1)) }, "reserved bits"},
		{"invalid UTF-8 once decompressed", &fullWindow, func(*Deflate) []Step { return []Step{ExpectDeflated(proto.OpText, hello, true)} },
			func(c *rawDeflateClient) { c.send(Text(string(c.compress([]byte("\xff")))).WithRsv(rsv1)) }, "invalid UTF-8"},
		{"the server's messages", &fullWindow, serverMessages(hello), checkServerMessages(t, hello), ""},
		{"the server's messages in a small window", &smallServer, serverMessages(hello), checkServerMessages(t, hello), ""},
	} {
		t.Run(strings.ReplaceAll(e.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			err := deflateOutcome(t, DeflateAnswer{Header: "permessage-deflate", Params: e.params}, e.script, e.client)
			switch {
			case e.want == "" && err != nil:
				t.Fatalf("script failed: %v", err)
			case e.want != "" && (err == nil || !strings.Contains(err.Error(), e.want)):
				t.Fatalf("script outcome %v, want an error with %q", err, e.want)
			}
		})
	}
}

// TestDeflateScriptHandshake: the server answers with the header given
// and hands the client's offer to the script.
func TestDeflateScriptHandshake(t *testing.T) {
	offer := make(chan []string, 1)
	srv, err := ServeDeflate(caseTimeout, DeflateAnswer{Header: "permessage-deflate; x=1"}, func(d *Deflate) []Step {
		offer <- d.Offer
		return []Step{ExpectEOF()}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, answer := dialDeflate(t, srv, "permessage-deflate; server_max_window_bits=9")
	if answer != "permessage-deflate; x=1" {
		t.Fatalf("answer %q", answer)
	}
	c.nc.Close()
	if err := srv.Wait(caseTimeout); err != nil {
		t.Fatal(err)
	}
	if got := <-offer; len(got) != 1 || got[0] != "permessage-deflate; server_max_window_bits=9" {
		t.Fatalf("offer %q", got)
	}
}

// serverMessages sends p twice, compressed, the second time in fragments
// with a ping after the first, then expects p twice in one message.
func serverMessages(p []byte) func(d *Deflate) []Step {
	return func(d *Deflate) []Step {
		return []Step{
			d.Send(Compressed{Op: proto.OpText, Payload: p}),
			d.Send(Compressed{Op: proto.OpText, Payload: p, FrameSize: 2, Between: []Frame{Ping(nil)}, WriteSize: 5}),
			ExpectDeflated(proto.OpText, append(p, p...), false),
		}
	}
}

func checkServerMessages(t *testing.T, want []byte) func(c *rawDeflateClient) {
	return func(c *rawDeflateClient) {
		h, z := c.recv()
		if got := c.inflate(z); h.Rsv != rsv1 || !h.Fin || !bytes.Equal(got, want) {
			t.Errorf("first message: %+v %q", h, got)
		}
		z = nil
		for i := 0; ; i++ {
			h, p := c.recv()
			if i == 1 && h.Op != proto.OpPing || i == 0 && h.Rsv != rsv1 || i > 0 && h.Rsv != 0 {
				t.Errorf("frame %d of the second message: %+v", i, h)
			}
			if h.Op == proto.OpPing {
				continue
			}
			z = append(z, p...)
			if h.Fin {
				break
			}
		}
		if got := c.inflate(z); !bytes.Equal(got, want) {
			t.Errorf("second message %q", got)
		}
		c.send(Text(string(append(want, want...))))
	}
}
