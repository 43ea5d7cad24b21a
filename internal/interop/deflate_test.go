package interop

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws"
)

// deflateSetting is a permessage-deflate negotiation with a peer: the
// peer's setting (?deflate=NAME, "" for its default), the client's offer,
// and what both ends must agree on; or the HTTP status the peer refuses
// the offer with.
type deflateSetting struct {
	name    string
	setting string
	offer   ws.Deflate
	want    ws.Deflate
	refused int
}

// agreed is a ws.Deflate with window sizes, as Conn.Compression reports.
func agreed(cnct, snct bool, cbits, sbits int) ws.Deflate {
	return ws.Deflate{ClientNoContextTakeover: cnct, ServerNoContextTakeover: snct, ClientMaxWindowBits: cbits, ServerMaxWindowBits: sbits}
}

// nodeDeflate are settings of Node's ws (perMessageDeflate), which sends
// messages under 1 KiB uncompressed unless its threshold is 0, and
// refuses with 400 an offer none of whose parameters it can meet.
var nodeDeflate = []deflateSetting{
	{"default", "default", ws.Deflate{}, agreed(false, false, 15, 15), 0},
	{"default-windows-asked", "default", ws.Deflate{ClientMaxWindowBits: 12, ServerMaxWindowBits: 11}, agreed(false, false, 12, 11), 0},
	{"default-small-windows-asked", "default", ws.Deflate{ClientMaxWindowBits: 8, ServerMaxWindowBits: 9}, agreed(false, false, 8, 9), 0},
	{"default-no-context-takeover-asked", "default", ws.Deflate{ClientNoContextTakeover: true, ServerNoContextTakeover: true}, agreed(true, true, 15, 15), 0},
	{"default-client-threshold-256", "default", ws.Deflate{Threshold: 256}, agreed(false, false, 15, 15), 0},
	{"no-context-takeover", "no-context-takeover", ws.Deflate{}, agreed(true, true, 15, 15), 0},
	{"server-window-10", "server-window-10", ws.Deflate{}, agreed(false, false, 15, 10), 0},
	{"server-window-10-asked-9", "server-window-10", ws.Deflate{ServerMaxWindowBits: 9}, ws.Deflate{}, 400},
	{"client-window-9", "client-window-9", ws.Deflate{}, agreed(false, false, 9, 15), 0},
	{"threshold-0", "threshold-0", ws.Deflate{}, agreed(false, false, 15, 15), 0},
}

// pythonDeflate are settings of Python's websockets, which compresses
// every message; its default limits both windows to 12 bits.
var pythonDeflate = []deflateSetting{
	{"default", "", ws.Deflate{}, agreed(false, false, 12, 12), 0},
	{"default-windows-asked", "", ws.Deflate{ClientMaxWindowBits: 10, ServerMaxWindowBits: 9}, agreed(false, false, 10, 9), 0},
	{"default-no-context-takeover-asked", "", ws.Deflate{ClientNoContextTakeover: true, ServerNoContextTakeover: true}, agreed(true, true, 12, 12), 0},
	{"default-client-threshold-256", "", ws.Deflate{Threshold: 256}, agreed(false, false, 12, 12), 0},
	{"no-context-takeover", "no-context-takeover", ws.Deflate{}, agreed(true, true, 15, 15), 0},
	{"server-window-10", "server-window-10", ws.Deflate{}, agreed(false, false, 15, 10), 0},
	{"client-window-9", "client-window-9", ws.Deflate{}, agreed(false, false, 9, 15), 0},
}

func TestNodeDeflate(t *testing.T) {
	t.Parallel()
	testDeflate(t, node, nodeDeflate)
}

func TestPythonDeflate(t *testing.T) {
	t.Parallel()
	testDeflate(t, python, pythonDeflate)
}

// testDeflate runs each setting against the peer through a proxy that
// counts the bytes, then the first setting over wss://.
func testDeflate(t *testing.T, spec peerSpec, settings []deflateSetting) {
	t.Run("ws", func(t *testing.T) {
		p := startPeer(t, spec, nil)
		for _, s := range settings {
			t.Run(s.name, func(t *testing.T) {
				x := startProxy(t, p)
				connect := func(pathQuery string, opts ...ws.Option) (*ws.Conn, error) {
					ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
					defer cancel()
					return ws.Connect(ctx, x.url(pathQuery), opts...)
				}
				deflateEcho(t, s, connect, x, deflateMessages())
			})
		}
	})
	t.Run("wss", func(t *testing.T) {
		certs := newCerts(t)
		c := &conns{peer: startPeer(t, spec, certs), opts: []ws.Option{ws.TLSConfig(&tls.Config{RootCAs: certs.roots})}}
		deflateEcho(t, settings[0], func(pathQuery string, opts ...ws.Option) (*ws.Conn, error) {
			return c.connect(t, pathQuery, opts...)
		}, nil, deflateMessages())
	})
}

// peerParams are the parameters the peer reports it agreed to.
type peerParams struct {
	ServerNoContextTakeover bool `json:"server_no_context_takeover"`
	ClientNoContextTakeover bool `json:"client_no_context_takeover"`
	ServerMaxWindowBits     int  `json:"server_max_window_bits"`
	ClientMaxWindowBits     int  `json:"client_max_window_bits"`
}

// deflateEcho connects with the setting's offer, checks that both ends
// agreed on its parameters, and has the peer echo msgs; through a proxy,
// checks that the messages went compressed both ways.
func deflateEcho(t *testing.T, s deflateSetting, connect func(string, ...ws.Option) (*ws.Conn, error), x *countingProxy, msgs []ws.Frame) {
	query := "/deflate?id=" + newID()
	if s.setting != "" {
		query += "&deflate=" + s.setting
	}
	c, err := connect(query, ws.Compression(s.offer))
	if s.refused != 0 {
		var he *ws.HTTPError
		if err == nil {
			c.Close()
		}
		if !errors.As(err, &he) || he.StatusCode != s.refused {
			t.Fatalf("Connect: %v, want a *ws.HTTPError %d", err, s.refused)
		}
		return
	}
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	defer c.Close()
	want := s.want
	want.Threshold = s.offer.Threshold
	if got, ok := c.Compression(); !ok || got != want {
		t.Fatalf("Compression() = %+v, %t; want %+v", got, ok, want)
	}
	var pp *peerParams
	if f := recv(t, c); json.Unmarshal(f.Payload, &pp) != nil || pp == nil ||
		*pp != (peerParams{s.want.ServerNoContextTakeover, s.want.ClientNoContextTakeover, s.want.ServerMaxWindowBits, s.want.ClientMaxWindowBits}) {
		t.Fatalf("the peer agreed to %s, want %+v", f.Payload, s.want)
	}
	sent := 0
	for _, m := range msgs {
		send(t, c, m)
		checkFrame(t, recv(t, c), m)
		sent += len(m.Payload)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if x == nil {
		return
	}
	// The incompressible bytes, 97 KiB, go as they are; the others
	// shrink tenfold or more.
	if up, down := x.up.Load(), x.down.Load(); up > int64(sent)/4 || down > int64(sent)/4 {
		t.Fatalf("%d bytes of messages each way took %d bytes up, %d down: not compressed", sent, up, down)
	}
}

// deflateMessages are the messages deflateEcho sends: compressible text
// and binary of every size around the length encodings and the peers'
// thresholds, random binary that compresses to stored blocks, and a
// message compressible in its first half only, which zlib compresses into
// Huffman-coded blocks followed by stored ones.
func deflateMessages() []ws.Frame {
	var msgs []ws.Frame
	for _, n := range []int{0, 1, 100, 255, 256, 1023, 1024, 4 << 10, 64 << 10, 1 << 20} {
		msgs = append(msgs, ws.Text(compressibleText(n)), ws.Binary(compressibleBinary(n)))
	}
	mixed := append(compressibleBinary(32<<10), binaryPayload(32<<10)...)
	return append(msgs, ws.Binary(binaryPayload(1000)), ws.Binary(binaryPayload(64<<10)), ws.Binary(mixed), ws.Text(compressibleText(200)))
}

// compressibleText returns n bytes of UTF-8 lines that repeat themselves
// with small changes, as logs and JSON do.
func compressibleText(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "line %d of %d: the quick brown fox jumps over the lazy dog, κόσμε, 日本語\n", i, n)
	}
	b = b[:n]
	for len(b) > 0 && !utf8.Valid(b) {
		b[len(b)-1] = '.'
	}
	return b
}

// compressibleBinary returns n bytes of records that repeat themselves
// with a counter.
func compressibleBinary(n int) []byte {
	var b []byte
	for i := uint32(0); len(b) < n; i++ {
		b = binary.LittleEndian.AppendUint32(b, i)
		b = append(b, []byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 1, 2, 3, 4}...)
	}
	return b[:n]
}
