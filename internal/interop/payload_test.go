package interop

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testscale"
)

// sizes are the message sizes the tests send: the edges of the three
// payload length encodings of RFC 6455 section 5.2 (7 bits up to 125, 16
// bits up to 65535, 64 bits beyond), then a large message that spans many
// reads and writes.
var sizes = []int{0, 1, 125, 126, 65535, 65536, 1 << 20}

// echoSizes are the sizes testEcho sends: sizes, and at the full scale
// (WS_TEST_FULL=1) a 16 MiB message too, seconds of the peers' time each.
func echoSizes() []int {
	if testscale.Full() {
		return append(sizes[:len(sizes):len(sizes)], 16<<20)
	}
	return sizes
}

// payloadRand is a generator seeded by the size, so that every run sends
// the same bytes and messages of different sizes differ.
func payloadRand(n int) *rand.Rand {
	var seed [32]byte
	seed[0], seed[1], seed[2], seed[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return rand.New(rand.NewChaCha8(seed))
}

// binaryPayload returns n pseudo-random bytes.
func binaryPayload(n int) []byte {
	b := make([]byte, n)
	r := payloadRand(n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// textPayload returns n bytes of valid UTF-8 mixing sequences of 1 to 4
// bytes, so that a peer that splits the message at byte offsets cuts
// some of them in two.
func textPayload(n int) []byte {
	r := payloadRand(n)
	b := make([]byte, 0, n)
	for len(b) < n {
		var c rune
		switch r.IntN(4) {
		case 0:
			c = 'a' + r.Int32N(26)
		case 1:
			c = 0x80 + r.Int32N(0x800-0x80)
		case 2:
			c = 0xE000 + r.Int32N(0x10000-0xE000) // above the surrogates
		default:
			c = 0x10000 + r.Int32N(0x110000-0x10000)
		}
		if utf8.RuneLen(c) > n-len(b) {
			c = '.'
		}
		b = utf8.AppendRune(b, c)
	}
	return b
}

// message builds a text or binary message of n bytes.
func message(kind ws.Kind, n int) ws.Frame {
	if kind == ws.TextFrame {
		return ws.Text(textPayload(n))
	}
	return ws.Binary(binaryPayload(n))
}

// checkFrame fails the test unless got is want, describing a difference in
// a large payload by its position rather than printing it.
func checkFrame(t *testing.T, got, want ws.Frame) {
	t.Helper()
	if got.Kind != want.Kind {
		t.Fatalf("got a %v frame of %d bytes, want a %v frame of %d bytes", got.Kind, len(got.Payload), want.Kind, len(want.Payload))
	}
	if bytes.Equal(got.Payload, want.Payload) {
		return
	}
	if len(got.Payload) != len(want.Payload) {
		t.Fatalf("%v payload: got %d bytes, want %d", got.Kind, len(got.Payload), len(want.Payload))
	}
	i := 0
	for got.Payload[i] == want.Payload[i] {
		i++
	}
	t.Fatalf("%v payload of %d bytes differs first at byte %d: got %#x, want %#x", got.Kind, len(got.Payload), i, got.Payload[i], want.Payload[i])
}
