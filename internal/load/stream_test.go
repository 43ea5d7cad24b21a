package load

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"unicode/utf8"

	"github.com/hackney-go/ws"
)

// A stream is the seeded sequence of frames one connection sends. The
// sender and the checker each run their own copy, so the checker knows
// what every echo must hold without sharing anything with the sender:
// any loss, duplicate, reordering or corruption is a mismatch.
type stream struct {
	conn, seq int
	r         *rand.Rand
	small     bool // payloads up to smallStreamMax, none large
}

func newStream(seed uint64, conn int) *stream {
	return &stream{conn: conn, r: rand.New(rand.NewPCG(seed, uint64(conn)))}
}

// newSmallStream returns a stream of messages up to smallStreamMax bytes:
// many connections with many messages each, in little memory and time.
func newSmallStream(seed uint64, conn int) *stream {
	s := newStream(seed, conn)
	s.small = true
	return s
}

// Payload sizes: most up to 4 KiB, some up to 256 KiB (several writes,
// several reads, read straight into the message), pings up to 125 bytes.
const (
	smallMax = 4 << 10
	largeMax = 256 << 10
	largePct = 1
	// smallStreamMax bounds the payloads of newSmallStream.
	smallStreamMax = 1 << 10
	pingPct        = 4
	textPct        = 48
	labelSize      = len("c0000 s00000000;")
)

// pools are the bytes payloads are cut from: random bytes, and text mixing
// runes of one to four bytes. Each is twice the largest payload, so that
// one can start anywhere in its first half.
var binPool, textPool = pools()

func pools() (bin, text []byte) {
	r := rand.New(rand.NewPCG(6455, 7))
	bin = make([]byte, 2*largeMax)
	for i := range bin {
		bin[i] = byte(r.Uint32())
	}
	runes := []rune("abcdefghij klmnopqrstuvwxyz é ß € ✓ 世界 😀 🎉")
	for len(text) < 2*largeMax {
		text = utf8.AppendRune(text, runes[r.IntN(len(runes))])
	}
	return bin, text
}

// next returns the next frame to send and the frame its echo must be.
func (s *stream) next() (send, echo ws.Frame) {
	kind, n := ws.BinaryFrame, s.r.IntN(smallMax+1)
	switch p := s.r.IntN(100); {
	case p < pingPct:
		kind, n = ws.PingFrame, s.r.IntN(126)
	case p < pingPct+textPct:
		kind = ws.TextFrame
	}
	if kind != ws.PingFrame && s.r.IntN(100) < largePct {
		n = smallMax + 1 + s.r.IntN(largeMax-smallMax)
	}
	if s.small && kind != ws.PingFrame {
		n %= smallStreamMax + 1
	}
	// Every payload starts with its connection and sequence number, as
	// much of them as fits; the rest is cut from a pool.
	p := make([]byte, n)
	copy(p, fmt.Sprintf("c%04d s%08d;", s.conn, s.seq))
	if n > labelSize {
		fill(p[labelSize:], kind == ws.TextFrame, s.r.IntN(largeMax))
	}
	s.seq++
	send = ws.Frame{Kind: kind, Payload: p}
	echo = send
	if kind == ws.PingFrame {
		echo.Kind = ws.PongFrame
	}
	return send, echo
}

// fill copies into b the pool's bytes from about off; text is cut on rune
// boundaries and padded with '~', so that it stays valid UTF-8.
func fill(b []byte, text bool, off int) {
	if !text {
		copy(b, binPool[off:])
		return
	}
	for !utf8.RuneStart(textPool[off]) {
		off++
	}
	end := off + len(b)
	for !utf8.RuneStart(textPool[end]) {
		end--
	}
	n := copy(b, textPool[off:end])
	for i := n; i < len(b); i++ {
		b[i] = '~'
	}
}

// mismatch describes how got differs from want, "" if it does not. The
// labels tell a loss (a later number) from a duplicate or reordering (an
// earlier one) and from corruption (the right number).
func mismatch(got, want ws.Frame) string {
	if got.Kind == want.Kind && bytes.Equal(got.Payload, want.Payload) {
		return ""
	}
	return fmt.Sprintf("got %v of %d bytes %q, want %v of %d bytes %q",
		got.Kind, len(got.Payload), label(got.Payload), want.Kind, len(want.Payload), label(want.Payload))
}

func label(p []byte) []byte { return p[:min(len(p), labelSize)] }
