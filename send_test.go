package ws

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// rawClientFrame is a frame as the client put it on the wire.
type rawClientFrame struct {
	b0      byte // FIN, RSV, opcode
	masked  bool
	key     [4]byte
	payload []byte // unmasked
}

// readClientFrame reads one frame byte by byte as RFC 6455 section 5.2
// lays it out, without the protocol core, and checks the length is
// minimally encoded.
func readClientFrame(r io.Reader) (rawClientFrame, error) {
	var f rawClientFrame
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return f, err
	}
	f.b0, f.masked = h[0], h[1]&0x80 != 0
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, err
		}
		if n = uint64(binary.BigEndian.Uint16(ext[:])); n < 126 {
			return f, fmt.Errorf("length %d in 16 bits", n)
		}
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, err
		}
		if n = binary.BigEndian.Uint64(ext[:]); n <= 0xFFFF || n>>63 != 0 {
			return f, fmt.Errorf("length %d in 64 bits", n)
		}
	}
	if f.masked {
		if _, err := io.ReadFull(r, f.key[:]); err != nil {
			return f, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return f, err
	}
	for i := range f.payload {
		f.payload[i] ^= f.key[i%4]
	}
	return f, nil
}

func TestSentFramesMasked(t *testing.T) {
	sizes := []int{0, 1, 3, 125, 126, 127, 1000, 0xFFFF, 0x10000, 300 << 10}
	payload := func(i, size int) []byte {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(i + j)
		}
		return b
	}
	verdict := make(chan error, 1)
	url := scriptedServer(t, func(sc *scriptConn) {
		nc := sc.nc
		nc.SetReadDeadline(time.Now().Add(testTimeout))
		keys := map[[4]byte]bool{}
		check := func(wantB0 byte, want []byte) error {
			f, err := readClientFrame(nc)
			switch {
			case err != nil:
				return err
			case f.b0 != wantB0:
				return fmt.Errorf("first byte %#x, want %#x", f.b0, wantB0)
			case !f.masked:
				return fmt.Errorf("%#x frame not masked", f.b0)
			case keys[f.key]:
				return fmt.Errorf("masking key %x used twice", f.key)
			case !bytes.Equal(f.payload, want):
				return fmt.Errorf("%#x frame of %d bytes: payload differs from what was sent", f.b0, len(f.payload))
			}
			keys[f.key] = true
			return nil
		}
		for i, size := range sizes {
			if err := check(0x82, payload(i, size)); err != nil {
				verdict <- err
				return
			}
		}
		for _, want := range []struct {
			b0 byte
			p  string
		}{{0x81, "héllo"}, {0x89, "ping"}, {0x8A, "pong"}, {0x88, "\x03\xe8bye"}} {
			if err := check(want.b0, []byte(want.p)); err != nil {
				verdict <- err
				return
			}
		}
		verdict <- nil
		sc.closeWith(1000, "")
	})
	c := dial(t, url)
	send := func(f Frame) {
		t.Helper()
		if err := c.Send(f); err != nil {
			// The server hangs up on a bad frame: say why.
			wantVerdict(t, verdict)
			t.Fatalf("Send: %v", err)
		}
	}
	for i, size := range sizes {
		send(Binary(payload(i, size)))
	}
	for _, f := range []Frame{Text("héllo"), Ping([]byte("ping")), Pong([]byte("pong"))} {
		send(f)
	}
	if err := c.CloseWith(CloseNormal, "bye"); err != nil {
		t.Fatalf("CloseWith: %v", err)
	}
	wantVerdict(t, verdict)
}

func TestSendRefusesInvalidFrames(t *testing.T) {
	c := dial(t, echoServer(t), ReportControl(true))
	for _, f := range []Frame{
		Text("caf\xc3"),
		Text([]byte{0xed, 0xa0, 0x80}),
		Ping(make([]byte, 126)),
		Pong(make([]byte, 126)),
		{Kind: 0x3, Payload: []byte("reserved opcode")},
		{Kind: Kind(proto.OpClose), Payload: []byte{0x03, 0xe8}},
		{Kind: Kind(proto.OpContinuation)},
	} {
		if err := c.Send(f); err == nil {
			t.Errorf("Send(%v) succeeded", f)
		}
	}
	// Nothing was written: the connection goes on.
	for _, f := range []Frame{Text("still open"), Ping(make([]byte, 125))} {
		if err := c.Send(f); err != nil {
			t.Fatalf("Send(%v): %v", f, err)
		}
		if got := recvWithin(t, c); !bytes.Equal(got.Payload, f.Payload) {
			t.Fatalf("echo: %v", got)
		}
	}
}

// TestCloseWithValidatesFirst: an invalid code or reason is refused before
// anything is written, and the Conn stays open and usable.
func TestCloseWithValidatesFirst(t *testing.T) {
	codes := make(closeCodes, 1)
	reasons := make(chan string, 1)
	url := acceptServer(t, func(sc *Conn) {
		// Echo data until the close, whose code and reason are reported.
		defer sc.Close()
		for {
			f, err := sc.RecvTimeout(testTimeout)
			var ce *CloseError
			switch {
			case errors.As(err, &ce):
				reasons <- ce.Reason
				codes <- uint16(ce.Code)
				return
			case err != nil:
				codes <- 0
				return
			}
			sc.Send(f)
		}
	}, nil)
	c := dial(t, url)
	for _, bad := range []struct {
		code   CloseCode
		reason string
	}{
		{CloseNoStatusReceived, "a reason without a code"},
		{CloseAbnormal, ""},
		{CloseTLSHandshakeFailure, ""},
		{1004, ""},
		{999, ""},
		{0, ""},
		{1016, ""},
		{2999, ""},
		{5000, ""},
		{CloseNormal, strings.Repeat("r", 124)},
		{CloseNormal, "bad \xff reason"},
	} {
		if err := c.CloseWith(bad.code, bad.reason); err == nil {
			t.Fatalf("CloseWith(%d, %d-byte reason) succeeded", bad.code, len(bad.reason))
		}
		if err := c.Send(Text("open")); err != nil {
			t.Fatalf("Send after a refused CloseWith(%d): %v", bad.code, err)
		}
		if f := recvWithin(t, c); f.Text() != "open" {
			t.Fatalf("after a refused CloseWith(%d): %v", bad.code, f)
		}
	}
	reason := strings.Repeat("é", 61) + "!" // 123 bytes, the most that fits
	if err := c.CloseWith(CloseTryAgainLater, reason); err != nil {
		t.Fatalf("CloseWith(1013, 123-byte reason): %v", err)
	}
	codes.want(t, 1013)
	if got := <-reasons; got != reason {
		t.Fatalf("the server got reason %q", got)
	}
}

func TestCloseWithoutStatus(t *testing.T) {
	codes := make(closeCodes, 1)
	url := acceptServer(t, func(sc *Conn) {
		// The Conn answers with an empty close frame too.
		defer sc.Close()
		_, err := sc.RecvTimeout(testTimeout)
		var ce *CloseError
		if !errors.As(err, &ce) {
			codes <- 0
			return
		}
		codes <- uint16(ce.Code)
	}, nil)
	c := dial(t, url)
	if err := c.CloseWith(CloseNoStatusReceived, ""); err != nil {
		t.Fatalf("CloseWith(1005): %v", err)
	}
	codes.want(t, 1005) // an empty close frame
}

// TestFragmentSize checks the frames FragmentSize makes on the wire: full
// fragments of n bytes, the rest in the last, FIN only there, and control
// frames and messages of n bytes or less left whole.
func TestFragmentSize(t *testing.T) {
	type frame struct {
		b0 byte
		p  string
	}
	sends := []Frame{Text("añ€😀"), Binary([]byte("01234567")), Binary([]byte("0123")), Text(""), Ping([]byte("0123456789"))}
	want := []frame{
		{0x01, "a\xc3\xb1\xe2"}, {0x00, "\x82\xac\xf0\x9f"}, {0x80, "\x98\x80"},
		{0x02, "0123"}, {0x80, "4567"},
		{0x82, "0123"},
		{0x81, ""},
		{0x89, "0123456789"},
	}
	verdict := make(chan error, 1)
	url := scriptedServer(t, func(sc *scriptConn) {
		nc := sc.nc
		nc.SetReadDeadline(time.Now().Add(testTimeout))
		for i, w := range want {
			f, err := readClientFrame(nc)
			if err != nil {
				verdict <- fmt.Errorf("frame %d: %w", i, err)
				return
			}
			if f.b0 != w.b0 || string(f.payload) != w.p {
				verdict <- fmt.Errorf("frame %d: %#x %q, want %#x %q", i, f.b0, f.payload, w.b0, w.p)
				return
			}
		}
		verdict <- nil
	})
	c := dial(t, url, FragmentSize(4))
	for _, f := range sends {
		if err := c.Send(f); err != nil {
			wantVerdict(t, verdict)
			t.Fatalf("Send(%v): %v", f, err)
		}
	}
	wantVerdict(t, verdict)
}
