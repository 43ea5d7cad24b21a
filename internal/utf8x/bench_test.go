package utf8x

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// mixedText is valid text of n bytes with characters of every length, as
// in a message mixing scripts, cut so that it ends on a whole character.
func mixedText(n int) string {
	s := strings.Repeat("aé€𝄞", n/10+1)
	for !utf8.ValidString(s[:n]) {
		n--
	}
	return s[:n]
}

var benchInputs = []struct {
	name string
	text []byte
}{
	{"ascii-16B", []byte("short ASCII text")},
	{"mixed-16B", []byte(mixedText(16))},
	{"ascii-64B", []byte(strings.Repeat("ascii ", 11)[:64])},
	{"mixed-64B", []byte(mixedText(64))},
	{"ascii-1KiB", []byte(strings.Repeat("plain ASCII text, as most JSON is. ", 30)[:1<<10])},
	{"mixed-1KiB", []byte(mixedText(1 << 10))},
	{"ascii-16KiB", []byte(strings.Repeat("plain ASCII text, as most JSON is. ", 500)[:16<<10])},
	{"mixed-16KiB", []byte(mixedText(16 << 10))},
	{"mostly-ascii-16KiB", []byte(strings.Repeat("a JSON string with an é or a € now and then, ", 400)[:16<<10-2])},
}

func benchValid(b *testing.B, valid func([]byte) bool) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.text)))
			for b.Loop() {
				if !valid(in.text) {
					b.Fatal("valid text rejected")
				}
			}
		})
	}
}

func BenchmarkValid(b *testing.B) { benchValid(b, Valid) }

// BenchmarkValidator is Valid in a Validator, as the Reader uses it.
func BenchmarkValidator(b *testing.B) {
	benchValid(b, func(p []byte) bool {
		var v Validator
		return v.Write(p) && v.Complete()
	})
}

// BenchmarkStdlib is unicode/utf8.Valid on the same inputs: the speed to
// beat, though it cannot take text in pieces.
func BenchmarkStdlib(b *testing.B) { benchValid(b, utf8.Valid) }
