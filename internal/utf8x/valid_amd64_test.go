//go:build !purego

package utf8x

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/testscale"
)

// The tests of this file check the AVX2 validator itself against
// utf8.Valid, at the block edges where its state passes from one block
// to the next and into the padded tail; the other tests check it through
// Valid and the Validator, and under -tags purego check the pure-Go path.

func needAVX2(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
}

// TestAVX2EverySequence puts every sequence of up to three bytes across
// the edge between two blocks, between a block and the tail, and at the
// very end, in ASCII and after a multibyte character (at the default
// scale, three-byte ones only with the third among the bytes that tell
// apart the kinds of byte), and four-byte ones across one edge.
func TestAVX2EverySequence(t *testing.T) {
	needAVX2(t)
	// A place is text whose bytes from at on are overwritten with the
	// sequence; the text runs to end, or to the end of the sequence if
	// end is 0. Before at, the text is valid but may end in a character
	// cut short; after the sequence, it is ASCII.
	type place struct {
		buf     []byte
		at, end int
	}
	var places []place
	for _, base := range []string{strings.Repeat("a", 200), mixedText(200)} {
		for _, at := range []int{30, 31, 32, 126, 127, 128} {
			// blocks, then the tail
			places = append(places, place{[]byte(base[:at] + strings.Repeat("a", 36)), at, at + 36})
		}
		for _, at := range []int{125, 126, 127} {
			// then a group of four blocks, all ASCII
			places = append(places, place{[]byte(base[:at] + strings.Repeat("a", 160)), at, at + 160})
		}
		for _, at := range []int{0, 32, 61, 64, 124, 157} {
			// at the very end
			places = append(places, place{[]byte(base[:at] + "aaaa"), at, 0})
		}
	}
	check := func(pl place, seq ...byte) {
		copy(pl.buf[pl.at:], seq)
		end := pl.end
		if end == 0 {
			end = pl.at + len(seq)
		}
		// Before its last character, buf[:at] needs no second look.
		from := max(pl.at-1, 0)
		for from > 0 && !utf8.RuneStart(pl.buf[from]) {
			from--
		}
		if got, want := validAVX2(pl.buf[:end]), utf8.Valid(pl.buf[from:end]); got != want {
			t.Fatalf("%x at %d of %d bytes: validAVX2 = %t, want %t", seq, pl.at, end, got, want)
		}
	}
	for _, pl := range places {
		orig := append([]byte(nil), pl.buf...)
		for c0 := range 256 {
			for c1 := range 256 {
				check(pl, byte(c0), byte(c1))
			}
		}
		copy(pl.buf, orig)
	}
	// Three and four bytes: the first and third from all bytes, or from
	// those that tell apart the kinds of byte, the second from all bytes.
	kinds := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF}
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	third := kinds
	if testscale.Full() {
		third = every
	}
	for _, pl := range []place{places[0], places[len(places)/2]} {
		orig := append([]byte(nil), pl.buf...)
		for _, c0 := range every {
			for _, c1 := range every {
				for _, c2 := range third {
					check(pl, c0, c1, c2)
				}
			}
		}
		for _, c0 := range kinds {
			for _, c1 := range every {
				for _, c2 := range kinds {
					for _, c3 := range kinds {
						check(pl, c0, c1, c2, c3)
					}
				}
			}
		}
		copy(pl.buf, orig)
	}
}

// TestAVX2Random checks random texts of characters of every length, most
// of them with a byte changed, at lengths that end anywhere in a block.
func TestAVX2Random(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(1, 2))
	chars := []string{"a", " ", "~", "é", "ß", "\u07FF", "€", "日", "\uFFFF", "\uD7FF", "\uE000", "𝄞", "😀", "\U0010FFFF"}
	n := 20000
	if testscale.Full() {
		n = 500000
	}
	var buf []byte
	for range n {
		buf = buf[:0]
		size := rng.IntN(300)
		ascii := rng.IntN(4) == 0 // long ASCII runs take the skipping path
		for len(buf) < size {
			if ascii && rng.IntN(50) != 0 {
				buf = append(buf, 'x')
				continue
			}
			buf = append(buf, chars[rng.IntN(len(chars))]...)
		}
		if len(buf) > 0 && rng.IntN(3) != 0 {
			buf[rng.IntN(len(buf))] = byte(rng.Uint32())
		}
		if got, want := validAVX2(buf), utf8.Valid(buf); got != want {
			t.Fatalf("%q: validAVX2 = %t, want %t", buf, got, want)
		}
	}
}
