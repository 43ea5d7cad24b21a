package ws

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"testing"
)

// TestMaskingKeysAcrossConns checks that the keys of one Conn show no
// pattern of another's: no two keys in a row of one Conn appear in a row
// on another, as they would if the Conns shared a stream or a seed, or
// seeded from the clock. (TestSentFramesMasked checks that the keys of
// one Conn differ.) By chance, two random pairs of keys match with odds
// of 2^-64.
func TestMaskingKeysAcrossConns(t *testing.T) {
	const conns, frames = 8, 32
	type sent struct {
		keys [][4]byte
		err  error
	}
	got := make(chan sent, conns)
	url := scriptedServer(t, func(sc *scriptConn) {
		var s sent
		for range frames {
			f, err := readClientFrame(sc.nc)
			if err != nil {
				s.err = err
				break
			}
			s.keys = append(s.keys, f.key)
		}
		got <- s
	})
	for range conns {
		c := dial(t, url)
		for i := range frames {
			if err := c.Send(Binary(fmt.Appendf(nil, "frame %d", i))); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
	}
	pairs := map[uint64]int{} // two keys in a row: the Conn that sent them
	for i := range conns {
		s := <-got
		if s.err != nil {
			t.Fatalf("server: %v", s.err)
		}
		for j := 1; j < len(s.keys); j++ {
			pair := uint64(binary.BigEndian.Uint32(s.keys[j-1][:]))<<32 | uint64(binary.BigEndian.Uint32(s.keys[j][:]))
			if other, ok := pairs[pair]; ok && other != i {
				t.Fatalf("Conns %d and %d both sent keys %x then %x", other, i, s.keys[j-1], s.keys[j])
			}
			pairs[pair] = i
		}
	}
}

// BenchmarkMaskingKey is the cost of a key from a Conn's stream, against
// crypto/rand's, which it replaced.
func BenchmarkMaskingKey(b *testing.B) {
	b.Run("chacha8", func(b *testing.B) {
		var k keys
		for b.Loop() {
			k.next()
		}
	})
	b.Run("crypto-rand", func(b *testing.B) {
		var key [4]byte
		for b.Loop() {
			crand.Read(key[:])
		}
	})
}
