package ws

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/proto"
)

// header builds a frame header byte by byte: b0 holds FIN, RSV and the
// opcode, b1 the mask bit and the 7-bit length; then come the extended
// length and key, if any.
func header(b0, b1 byte, rest ...byte) []byte { return append([]byte{b0, b1}, rest...) }

// closePayload returns a close frame with any 2-byte code and reason, even
// ones a correct endpoint would refuse to send.
func closePayload(code uint16, reason string) []byte {
	return wire(proto.OpClose, true, append(binary.BigEndian.AppendUint16(nil, code), reason...))
}

// violations are server frames that break RFC 6455, with the close code
// the client must send back.
var violations = []struct {
	name  string
	frame []byte
	code  uint16
}{
	{"masked frame", cat(header(0x81, 0x80|2, 1, 2, 3, 4), []byte{'h' ^ 1, 'i' ^ 2}), 1002},
	{"RSV1", header(0x80|0x40|0x1, 0), 1002},
	{"RSV2", header(0x80|0x20|0x2, 0), 1002},
	{"RSV3", header(0x80|0x10|0x1, 0), 1002},
	{"reserved data opcode 0x3", header(0x83, 0), 1002},
	{"reserved control opcode 0xB", header(0x8B, 0), 1002},
	{"fragmented ping", header(0x09, 0), 1002},
	{"fragmented close", header(0x08, 2, 0x03, 0xE8), 1002},
	{"ping of 126 bytes", cat(header(0x89, 126, 0, 126), make([]byte, 126)), 1002},
	{"pong of 126 bytes announced", header(0x8A, 126, 0, 126), 1002},
	{"continuation without a message", header(0x80, 1, 'x'), 1002},
	{"new message inside a fragmented one", cat(wire(proto.OpText, false, []byte("a")), wire(proto.OpBinary, true, []byte("b"))), 1002},
	{"text inside a fragmented text", cat(wire(proto.OpText, false, []byte("a")), wire(proto.OpText, true, []byte("b"))), 1002},
	{"length not minimally encoded", cat(header(0x82, 126, 0, 5), make([]byte, 5)), 1002},
	{"64-bit length with its top bit set", header(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0), 1002},
	{"close payload of 1 byte", header(0x88, 1, 0x03), 1002},
	{"close code 999", closePayload(999, ""), 1002},
	{"close code 1004", closePayload(1004, ""), 1002},
	{"close code 1005 on the wire", closePayload(1005, ""), 1002},
	{"close code 1006 on the wire", closePayload(1006, ""), 1002},
	{"close code 1015 on the wire", closePayload(1015, ""), 1002},
	{"close code 1016", closePayload(1016, ""), 1002},
	{"close code 2999", closePayload(2999, ""), 1002},
	{"close code 5000", closePayload(5000, ""), 1002},
	{"close reason not UTF-8", closePayload(1000, "bad \xff reason"), 1007},
	{"text not UTF-8", wire(proto.OpText, true, []byte("caf\xc3")), 1007},
	{"text with a surrogate", wire(proto.OpText, true, []byte("\xed\xa0\x80")), 1007},
	{"text with an overlong form", wire(proto.OpText, true, []byte("\xc0\xaf")), 1007},
	{"invalid sequence across fragments", cat(wire(proto.OpText, false, []byte("\xe2\x82")), wire(proto.OpContinuation, true, []byte("("))), 1007},
	{"text ends inside a sequence", cat(wire(proto.OpText, false, []byte("ok \xe2")), wire(proto.OpContinuation, true, []byte("\x82"))), 1007},
	// The rest of the frame never comes: the client must fail on the bad
	// byte, not wait for the end of the frame (RFC 6455 section 8.1).
	{"invalid byte in a frame still arriving", cat(header(0x81, 100), []byte("abc\xffdef")), 1007},
	{"invalid byte in a fragment still arriving", cat(wire(proto.OpText, false, []byte("abc")), header(0x80, 100), []byte("\xf5")), 1007},
}

func TestProtocolViolations(t *testing.T) {
	for _, v := range violations {
		t.Run(v.name, func(t *testing.T) {
			// Two messages come before the violation, in the same write:
			// they are delivered first.
			url, codes := scriptServer(t, cat(
				wire(proto.OpText, true, []byte("before")),
				wire(proto.OpBinary, false, []byte("frag")), wire(proto.OpContinuation, true, []byte("ments")),
				v.frame,
			))
			c := dial(t, url)
			if f := recvWithin(t, c); f.Text() != "before" {
				t.Fatalf("first Recv: %v, want the message sent before the violation", f)
			}
			if f := recvWithin(t, c); f.Kind != BinaryFrame || string(f.Payload) != "fragments" {
				t.Fatalf("second Recv: %v, want the message sent before the violation", f)
			}
			_, err := c.RecvTimeout(testTimeout)
			checkViolationError(t, err, v.code)
			codes.want(t, v.code)
			waitDone(t, c)
			// The error stays: every later call reports it.
			if _, again := c.Recv(); again != err {
				t.Fatalf("Recv after the violation: %v, want %v again", again, err)
			}
			// Every call says the Conn is over, and why (issue 10, item 6).
			sendErr := c.Send(Text("x"))
			if !errors.Is(sendErr, ErrClosed) {
				t.Fatalf("Send after the violation: %v, want an error matching ErrClosed", sendErr)
			}
			checkViolationError(t, sendErr, v.code)
			if err := c.SetActive(Active); !errors.Is(err, ErrClosed) {
				t.Fatalf("SetActive after the violation: %v, want an error matching ErrClosed", err)
			}
		})
	}
}

// checkViolationError checks that err is the typed error for close code.
func checkViolationError(t *testing.T, err error, code uint16) {
	t.Helper()
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("%v (%T) does not match ErrClosed: the Conn is over", err, err)
	}
	var (
		pe *ProtocolError
		ue *InvalidUTF8Error
		me *MessageTooBigError
	)
	switch code {
	case 1002:
		if !errors.As(err, &pe) || pe.Code != CloseProtocolError {
			t.Fatalf("Recv: %v (%T), want *ProtocolError with code 1002", err, err)
		}
	case 1007:
		if !errors.As(err, &ue) {
			t.Fatalf("Recv: %v (%T), want *InvalidUTF8Error", err, err)
		}
	case 1009:
		if !errors.As(err, &me) {
			t.Fatalf("Recv: %v (%T), want *MessageTooBigError", err, err)
		}
	default:
		t.Fatalf("no typed error for code %d", code)
	}
}

// TestInvalidUTF8SplitAcrossWrites: a text message whose bad byte comes
// in a later TCP write than the start of its sequence, after the client
// has surely read that start (it delivered the message before it).
func TestInvalidUTF8SplitAcrossWrites(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first, second []byte
		code          uint16 // 0 for valid text
	}{
		{"valid, cut inside a character", cat(wire(proto.OpText, true, []byte("ready")), header(0x81, 9), []byte("1 \xe2\x82")), []byte("\xac €"), 0},
		{"valid, cut between fragments", cat(wire(proto.OpText, true, []byte("ready")), wire(proto.OpText, false, []byte("1 \xf0\x9f"))), wire(proto.OpContinuation, true, []byte("\x98\x80 €")), 0},
		{"invalid, cut inside a frame", cat(wire(proto.OpText, true, []byte("ready")), header(0x81, 6), []byte("1 \xe2\x82")), []byte("(x"), 1007},
		{"invalid, cut between fragments", cat(wire(proto.OpText, true, []byte("ready")), wire(proto.OpText, false, []byte("1 \xf0\x9f"))), wire(proto.OpContinuation, true, []byte("\x98x")), 1007},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := make(chan struct{})
			codes := make(closeCodes, 1)
			url := scriptedServer(t, func(sc *scriptConn) {
				if sc.writeRaw(tc.first) != nil {
					return
				}
				select {
				case <-next:
				case <-time.After(testTimeout):
					return
				}
				sc.writeRaw(tc.second)
				code, _, _ := sc.readClose()
				if code != 0 {
					sc.closeWith(code, "")
				}
				codes <- code
			})
			c := dial(t, url)
			if f := recvWithin(t, c); f.Text() != "ready" {
				t.Fatalf("got %v", f)
			}
			close(next)
			if tc.code == 0 {
				if f := recvWithin(t, c); !utf8.Valid(f.Payload) || f.Kind != TextFrame {
					t.Fatalf("got %v, want valid text", f)
				}
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				codes.want(t, 1000)
				return
			}
			_, err := c.RecvTimeout(testTimeout)
			checkViolationError(t, err, tc.code)
			codes.want(t, tc.code)
		})
	}
}

// TestValidPeerCloseCodes: registered codes like 1012-1014 and the
// 3000-4999 range are valid; the client reports and echoes them.
func TestValidPeerCloseCodes(t *testing.T) {
	for _, code := range []uint16{1000, 1001, 1003, 1008, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		t.Run(CloseCode(code).String(), func(t *testing.T) {
			url, codes := scriptServer(t, cat(wire(proto.OpText, true, []byte("before")), closeFrame(code, "see you")))
			c := dial(t, url)
			if f := recvWithin(t, c); f.Text() != "before" {
				t.Fatalf("got %v", f)
			}
			_, err := c.RecvTimeout(testTimeout)
			var ce *CloseError
			if !errors.As(err, &ce) || uint16(ce.Code) != code || ce.Reason != "see you" {
				t.Fatalf("Recv: %v, want *CloseError{%d, \"see you\"}", err, code)
			}
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("%v does not match ErrClosed", err)
			}
			codes.want(t, code)
			waitDone(t, c)
		})
	}
}

// TestPeerCloseWithoutCode: a close frame without a payload is answered
// with one without a payload, and reported as 1005.
func TestPeerCloseWithoutCode(t *testing.T) {
	url, codes := scriptServer(t, wire(proto.OpClose, true, nil))
	c := dial(t, url)
	_, err := c.RecvTimeout(testTimeout)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseNoStatusReceived || ce.Reason != "" {
		t.Fatalf("Recv: %v, want *CloseError{1005}", err)
	}
	codes.want(t, 1005)
}

// TestUTF8ByteByByte: text written one byte per TCP write, fragmented
// inside characters, is checked as it comes, whatever the split.
func TestUTF8ByteByByte(t *testing.T) {
	text := []byte("héllo wörld € 𝄞 ✓")
	valid := cat(wire(proto.OpText, false, text[:2]), wire(proto.OpContinuation, false, text[2:14]), wire(proto.OpContinuation, true, text[14:]))
	bad := cat(wire(proto.OpText, false, []byte("ok \xf0\x9d")), wire(proto.OpContinuation, true, []byte("\x84x")))
	codes := make(closeCodes, 1)
	url := scriptedServer(t, func(sc *scriptConn) {
		for _, b := range cat(valid, bad) {
			if sc.writeRaw([]byte{b}) != nil {
				codes <- 0
				return
			}
		}
		code, _, _ := sc.readClose()
		codes <- code
	})
	c := dial(t, url)
	if f := recvWithin(t, c); f.Kind != TextFrame || string(f.Payload) != string(text) {
		t.Fatalf("got %v, want %q", f, text)
	}
	_, err := c.RecvTimeout(testTimeout)
	checkViolationError(t, err, 1007)
	codes.want(t, 1007)
}
