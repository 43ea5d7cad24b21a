//go:build !purego && (amd64 || arm64)

package utf8x

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/testscale"
)

// The tests of this file check the vector validator itself (AVX2 or
// NEON) against utf8.Valid, at the block edges where its state passes
// from one block to the next, to and from a group of four blocks, and
// into the padded tail; the other tests check it through Valid and the
// Validator, and under -tags purego check the pure-Go path.

func needSIMD(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 on this CPU")
	}
}

// TestSIMDEverySequence puts every sequence of up to three bytes across
// the edge between two blocks, between the blocks of a group of four
// (taken at once), between a group and a block, between a block and the
// tail, and at the very end, in ASCII and after a multibyte character (at
// the default scale, three-byte ones only with the third among the bytes
// that tell apart the kinds of byte), and longer ones in two places:
// across the edge between two blocks, and before a group of ASCII blocks,
// where only the check for a character left unfinished sees what is
// missing.
func TestSIMDEverySequence(t *testing.T) {
	needSIMD(t)
	// A place is text whose bytes from at on are overwritten with the
	// sequence; the text runs to end, or to the end of the sequence if
	// end is 0. Before at, the text is valid but may end in a character
	// cut short; after the sequence, it is ASCII.
	type place struct {
		buf     []byte
		at, end int
	}
	b, g := blockSize, 4*blockSize // a block, and a group of four
	var places []place
	var deep []place // the places for longer sequences
	ascii := func(base string, at, end int) place {
		return place{[]byte(base[:at] + strings.Repeat("a", end-at)), at, end}
	}
	for _, base := range []string{strings.Repeat("a", 200), mixedText(200)} {
		for _, at := range []int{b - 2, b - 1, b} {
			// blocks, then the tail
			pl := ascii(base, at, at+b+4)
			places = append(places, pl)
			if at == b-2 {
				deep = append(deep, pl)
			}
		}
		for _, at := range []int{b - 1, 2*b - 1, 3*b - 1, g - 2, g - 1, g} {
			// a group, then a block and the tail
			places = append(places, ascii(base, at, g+b+4))
		}
		for _, at := range []int{g - 3, g - 2, g - 1} {
			// then a group of four blocks, all ASCII
			pl := ascii(base, at, at+5*b)
			places = append(places, pl)
			if at == g-3 {
				deep = append(deep, pl)
			}
		}
		for _, at := range []int{0, b, 2*b - 3, 2 * b, g - 4, g + b - 3} {
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
		if got, want := validSIMD(pl.buf[:end]), utf8.Valid(pl.buf[from:end]); got != want {
			t.Fatalf("%x at %d of %d bytes: validSIMD = %t, want %t", seq, pl.at, end, got, want)
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
	for _, pl := range deep {
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

// TestSIMDRandom checks random texts (randomText) against utf8.Valid.
func TestSIMDRandom(t *testing.T) {
	needSIMD(t)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testscale.Full() {
		n = 500000
	}
	var buf []byte
	for range n {
		buf = randomText(rng, buf)
		if got, want := validSIMD(buf), utf8.Valid(buf); got != want {
			t.Fatalf("%q: validSIMD = %t, want %t", buf, got, want)
		}
	}
}
