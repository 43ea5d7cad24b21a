package deflate

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The ring gives back the same bytes as the whole output kept in full,
// for every reach and length, across its wrap-around.
func TestHistory(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{256, 512, 32768} {
		h := &history{size: size}
		var all []byte
		for range 200 {
			p := make([]byte, r.IntN(size*3/2))
			for i := range p {
				p[i] = byte(r.Uint32())
			}
			h.add(p)
			all = append(all, p...)
			if want := min(len(all), size); h.n != want {
				t.Fatalf("size %d: holds %d bytes, want %d", size, h.n, want)
			}
			for range 20 {
				if h.n == 0 {
					break
				}
				back := 1 + r.IntN(h.n)
				n := 1 + r.IntN(back)
				got := h.appendFrom([]byte("x"), back, n)
				want := all[len(all)-back : len(all)-back+n]
				if got[0] != 'x' || !bytes.Equal(got[1:], want) {
					t.Fatalf("size %d, %d bytes from %d back: wrong bytes", size, n, back)
				}
			}
		}
	}
}
