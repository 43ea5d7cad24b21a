package conformance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/proto"
)

// textPattern mixes characters of one to four bytes, so that cuts of a
// long text fall inside some, with mostly ASCII: under the race detector,
// checking megabytes of UTF-8 costs seconds, far less when it is ASCII.
var textPattern = "µ@ßöäüàá κόσμε 𝄞 ∑ 日本語 " + strings.Repeat("Hello, UTF-8! ", 16)

// textOf returns n bytes of valid UTF-8, the same for the same n.
func textOf(n int) []byte {
	b := bytes.Repeat([]byte(textPattern), n/len(textPattern)+1)[:n]
	// The last character may be cut: replace what is left of it with
	// ASCII.
	i := n - 1
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	if i >= 0 && !utf8.FullRune(b[i:]) {
		for j := i; j < n; j++ {
			b[j] = '.'
		}
	}
	return b
}

// binaryOf returns n pseudo-random bytes, the same for the same n.
func binaryOf(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}).Read(b)
	return b
}

// payloadOf returns a payload of n bytes for a message of op. Payloads
// of a MiB or more are made once and shared by the cases of every receive
// path, which only read them.
func payloadOf(op proto.Opcode, n int) []byte {
	gen := binaryOf
	if op == proto.OpText {
		gen = textOf
	}
	if n < 1<<20 {
		return gen(n)
	}
	key := payloadKey{op, n}
	if p, ok := bigPayloads.Load(key); ok {
		return p.([]byte)
	}
	p, _ := bigPayloads.LoadOrStore(key, gen(n))
	return p.([]byte)
}

type payloadKey struct {
	op proto.Opcode
	n  int
}

var bigPayloads sync.Map

// bytewise returns a step that writes b one byte at a time. For b over
// 4 KiB, only the first and last KiB go byte by byte (the first holding
// the header), the middle in one write: delivering megabytes a byte at a
// time takes minutes under the race detector, and the parser is in the
// same state at every byte of a payload's middle. Only a short b gets a
// pause between bytes.
func bytewise(b []byte) Step {
	pause := time.Duration(0)
	if len(b) <= 512 {
		pause = bytePause
	}
	if len(b) <= 4<<10 {
		return Chunked(b, 1, pause)
	}
	head, tail := b[:1<<10], b[len(b)-1<<10:]
	steps := []Step{Chunked(head, 1, 0), Write(b[len(head) : len(b)-len(tail)]), Chunked(tail, 1, 0)}
	return Step{fmt.Sprintf("write %d bytes, the first and last KiB one byte at a time", len(b)), func(s *Session) error {
		return runSteps(s, steps)
	}}
}

// lazy returns a step that builds its steps only when it runs: a big
// case holds its megabytes only while it runs.
func lazy(name string, build func() []Step) Step {
	return Step{name, func(s *Session) error { return runSteps(s, build()) }}
}

func runSteps(s *Session, steps []Step) error {
	for _, st := range steps {
		if err := st.Run(s); err != nil {
			return fmt.Errorf("%s: %w", st.Name, err)
		}
	}
	return nil
}
