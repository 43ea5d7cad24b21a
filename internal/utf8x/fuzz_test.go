package utf8x

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/testscale"
)

// FuzzUTF8 checks the validator against utf8.Valid whole, under every cut
// into two pieces, under the fuzzer's cut into three and byte by byte,
// and that it fails on the piece holding the first byte that proves the
// text invalid.
func FuzzUTF8(f *testing.F) {
	for _, s := range utf8Corpus {
		f.Add([]byte(s), uint(len(s)/3), uint(2*len(s)/3))
	}
	f.Fuzz(checkCuts)
}

// TestUTF8RandomCuts runs FuzzUTF8's checks on random texts
// (randomText) cut at random: the differential test for where the fuzzer
// cannot run, as under qemu-user (see .ci/run).
func TestUTF8RandomCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 2000
	if testscale.Full() {
		n = 50000
	}
	var buf []byte
	for range n {
		buf = randomText(rng, buf)
		checkCuts(t, buf, uint(rng.Uint32()), uint(rng.Uint32()))
	}
}

// checkCuts is the body of FuzzUTF8.
func checkCuts(t *testing.T, data []byte, i, j uint) {
	want := utf8.Valid(data)
	if got := Valid(data); got != want {
		t.Fatalf("Valid(%q) = %t, want %t", data, got, want)
	}
	s := string(data)
	for k := range len(s) + 1 {
		if failed, complete := feed(s[:k], s[k:]); (failed < 0 && complete) != want {
			t.Fatalf("%q cut at %d: valid = %t, want %t", data, k, !want, want)
		}
	}
	a := int(i % uint(len(data)+1))
	b := a + int(j%uint(len(data)-a+1))
	failed, complete := feed(s[:a], s[a:b], s[b:])
	if got := failed < 0 && complete; got != want {
		t.Fatalf("%q cut at %d and %d: valid = %t, want %t", data, a, b, got, want)
	}
	if failedBytewise, complete := feed(bytewise(s)...); (failedBytewise < 0 && complete) != want {
		t.Fatalf("%q byte by byte: valid = %t, want %t", data, !want, want)
	}
	if len(data) > 64 {
		return // the oracle below is quadratic
	}
	bad := firstBadByte(data)
	wantPiece := -1
	switch {
	case bad >= b:
		wantPiece = 2
	case bad >= a:
		wantPiece = 1
	case bad >= 0:
		wantPiece = 0
	}
	if failed != wantPiece {
		t.Fatalf("%q cut at %d and %d: failed on piece %d, want %d (first bad byte %d)", data, a, b, failed, wantPiece, bad)
	}
}
