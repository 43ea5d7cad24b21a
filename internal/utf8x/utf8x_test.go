package utf8x

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// utf8Corpus holds valid and invalid inputs of every kind RFC 3629 tells
// apart; utf8.Valid is the judge of which is which.
var utf8Corpus = []string{
	"",
	"a",
	"Hello, world",
	"0123456789abcdefghijklmnopqrstuvwxyz", // long enough for the word-at-a-time path
	"\x00\x7F",
	// 2, 3 and 4 bytes, at the bounds of each form.
	"\xC2\x80", "\xDF\xBF", "é", "Ünïcödé",
	"\xE0\xA0\x80", "\xEF\xBF\xBF", "€", "\xED\x9F\xBF", "\xEE\x80\x80", "日本語のテキスト",
	"\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "𝄞", "😀👍🏽",
	"κόσμε ascii 日本 𝄞 mixed, then plain ASCII to finish off the line.",
	// Overlong forms.
	"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF",
	// Surrogates.
	"\xED\xA0\x80", "\xED\xBF\xBF", "\xED\xA0\x80\xED\xB0\x80",
	// Above U+10FFFF.
	"\xF4\x90\x80\x80", "\xF7\xBF\xBF\xBF",
	// Truncated sequences, at the end and before more text.
	"\xC2", "\xE2\x82", "\xE2", "\xF0\x9F\x98", "\xF0\x9F", "abc\xE2\x82", "\xE2\x82abc", "\xF0\x9F\x98a",
	// Lone and extra continuation bytes.
	"\x80", "\xBF", "a\x80b", "€\xAC", "é\x80",
	// Bytes that never appear in UTF-8.
	"\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF", "abcdefgh\xFF",
	// A bad byte after a long ASCII run, at each offset of a word.
	"abcdefghijklmnop\x80", "abcdefghijklmno\x80p", "abcdefghijklmn\xC0\xAFop", "abcdefghi\xEDzzzzzzzzz",
	// A valid character that ends right where the ASCII fast path begins.
	"€abcdefgh", "abcdefg€abcdefgh",
}

// feed writes the pieces to a fresh validator and returns the index of
// the piece on which Write failed (-1 if none) and whether the text ended
// whole.
func feed(pieces ...string) (failedAt int, complete bool) {
	var v Validator
	for i, p := range pieces {
		if !v.Write([]byte(p)) {
			return i, false
		}
	}
	return -1, v.Complete()
}

func bytewise(s string) []string {
	pieces := make([]string, len(s))
	for i := range len(s) {
		pieces[i] = s[i : i+1]
	}
	return pieces
}

func TestUTF8AgreesWithStdlib(t *testing.T) {
	for _, s := range utf8Corpus {
		want := utf8.ValidString(s)
		if got := Valid([]byte(s)); got != want {
			t.Errorf("Valid(%q) = %t, want %t", s, got, want)
		}
		check := func(how string, pieces ...string) {
			failed, complete := feed(pieces...)
			if got := failed < 0 && complete; got != want {
				t.Errorf("%q fed %s: valid = %t, want %t", s, how, got, want)
			}
		}
		check("whole", s)
		check("byte by byte", bytewise(s)...)
		for i := 0; i <= len(s); i++ {
			check("in two", s[:i], s[i:])
			for j := i; j <= len(s); j++ {
				check("in three", s[:i], s[i:j], s[j:])
			}
		}
	}
}

// validPrefix reports whether some valid UTF-8 text starts with p. No
// sequence is longer than 4 bytes and only the second byte's range depends
// on the first, so trying every second byte followed by plain continuation
// bytes covers every way to complete p.
func validPrefix(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	for c := 0x80; c <= 0xBF; c++ {
		q := append(append([]byte(nil), p...), byte(c))
		for range 3 {
			if utf8.Valid(q) {
				return true
			}
			q = append(q, 0x80)
		}
	}
	return false
}

// firstBadByte is the index of the byte that proves p invalid, or -1 when
// every prefix of p can still become valid.
func firstBadByte(p []byte) int {
	for k := range p {
		if !validPrefix(p[:k+1]) {
			return k
		}
	}
	return -1
}

func TestUTF8FailsFast(t *testing.T) {
	// The cases of RFC 6455 section 8.1 and Autobahn's fail-fast tests:
	// each fails on the piece holding the first impossible byte.
	tests := []struct {
		pieces []string
		failAt int // -1: every piece accepted
	}{
		{[]string{"\xED", "\xA0"}, 1},
		{[]string{"\xED", "\x9F", "\xBF"}, -1},
		{[]string{"\xF4", "\x90", "\x80", "\x80"}, 1},
		{[]string{"\xF4\x90", "\x80\x80"}, 0},
		{[]string{"\xE0", "\x80"}, 1},
		{[]string{"\xF0", "\x8F"}, 1},
		{[]string{"\xC0"}, 0},
		{[]string{"\xC1"}, 0},
		{[]string{"\xF5"}, 0},
		{[]string{"\xFF"}, 0},
		{[]string{"hello", "\x80", "world"}, 1},
		{[]string{"κόσμε", "\xCE", "\xBA\xE1\xBD", "\xB9\xCF\x83\xCE\xBC\xCE\xB5", "\xF4\x90\x80\x80", "edited"}, 4},
		{[]string{"\xE2\x82", "a"}, 1},
		{[]string{"\xF0\x9F\x98", ""}, -1},
	}
	for _, tt := range tests {
		if failed, _ := feed(tt.pieces...); failed != tt.failAt {
			t.Errorf("%q: Write failed on piece %d, want %d", tt.pieces, failed, tt.failAt)
		}
	}
	// Fed byte by byte, every invalid input fails exactly on the byte the
	// oracle finds.
	for _, s := range utf8Corpus {
		want := firstBadByte([]byte(s))
		if failed, _ := feed(bytewise(s)...); failed != want {
			t.Errorf("%q byte by byte: failed at byte %d, want %d", s, failed, want)
		}
		for i := 0; i <= len(s); i++ {
			wantPiece := -1
			switch {
			case want >= i:
				wantPiece = 1
			case want >= 0:
				wantPiece = 0
			}
			if failed, _ := feed(s[:i], s[i:]); failed != wantPiece {
				t.Errorf("%q split at %d: failed on piece %d, want %d", s, i, failed, wantPiece)
			}
		}
	}
}

func TestUTF8Reset(t *testing.T) {
	var v Validator
	if !v.Write([]byte("abc\xE2\x82")) || v.Complete() {
		t.Fatal("a truncated sequence should be accepted but incomplete")
	}
	v.Reset()
	if !v.Complete() {
		t.Fatal("Reset left a sequence pending")
	}
	// Without the Reset, 'x' would be a bad continuation byte.
	if !v.Write([]byte("x")) || !v.Complete() {
		t.Fatal("text after Reset is judged against the earlier sequence")
	}
}

func TestUTF8Long(t *testing.T) {
	long := strings.Repeat("plain ASCII and é and 日本 and 𝄞; ", 1000)
	if !Valid([]byte(long)) {
		t.Fatal("long valid text rejected")
	}
	for _, bad := range []string{"\xFF", "\xED\xA0\x80", "\xC0\x80"} {
		for _, at := range []int{0, 1, 7, 8, 9, len(long) / 2, len(long)} {
			s := long[:at] + bad + long[at:]
			if Valid([]byte(s)) != utf8.ValidString(s) {
				t.Errorf("%q inserted at %d: Valid disagrees with utf8.Valid", bad, at)
			}
		}
	}
}

// TestUTF8EveryLengthAndPosition writes each kind of sequence, valid at
// the bounds of its form or invalid by each rule of RFC 3629, over text of
// every length up to 200 bytes at every position, the end included, so
// that each lands at every place of a block and of a group of blocks and
// truncated at the very end.
func TestUTF8EveryLengthAndPosition(t *testing.T) {
	seqs := []string{
		"\xC2\x80", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF",
		"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xF0\x8F\xBF\xBF", // lone continuation, overlong
		"\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", // surrogate, above U+10FFFF
		"\xC3", "\xE2\x82", "\xF0\x9F\x98", // truncated
	}
	var p []byte
	for _, base := range []string{strings.Repeat("a", 200), mixedText(200)} {
		for n := range 201 {
			for _, seq := range seqs {
				for at := range n + 1 {
					p = append(append(p[:0], base[:at]...), seq...)
					if at+len(seq) < n {
						p = append(p, base[at+len(seq):n]...)
					}
					want := utf8.Valid(p)
					if got := Valid(p); got != want {
						t.Fatalf("Valid(%q) = %t, want %t", p, got, want)
					}
					if failed, complete := feed(string(p)); (failed < 0 && complete) != want {
						t.Fatalf("%q fed whole: valid = %t, want %t", p, !want, want)
					}
				}
			}
		}
	}
}

// randomText returns, in buf's memory, random text of under 300 bytes, so
// ending anywhere in a block, made of characters of every length; a
// quarter of the texts are mostly ASCII, for the paths that skip ASCII.
// Two in three have a byte changed, and one in four is cut short, often
// inside a character.
func randomText(rng *rand.Rand, buf []byte) []byte {
	chars := []string{"a", " ", "~", "é", "ß", "\u07FF", "€", "日", "\uFFFF", "\uD7FF", "\uE000", "𝄞", "😀", "\U0010FFFF"}
	buf = buf[:0]
	size := rng.IntN(300)
	ascii := rng.IntN(4) == 0
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
	if rng.IntN(4) == 0 {
		buf = buf[:rng.IntN(len(buf)+1)]
	}
	return buf
}
