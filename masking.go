package ws

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
)

// keys draws the masking keys of one stream of frames. RFC 6455 section
// 10.3 asks for keys the application and anyone on the path cannot
// predict, not for a system call per frame: a ChaCha8 stream seeded from
// crypto/rand gives them for a few nanoseconds each, where crypto/rand
// costs a getrandom per key (BenchmarkMaskingKey). Each stream has a seed
// of its own, so what one Conn's keys show says nothing of another's.
//
// The stream is made on the first key, so that a Conn that never sends
// carries none. A keys is not safe for concurrent use: its owner says
// what serializes the draws.
type keys struct {
	r *rand.ChaCha8
}

// next returns a new key.
func (k *keys) next() [4]byte {
	if k.r == nil {
		var seed [32]byte
		crand.Read(seed[:])
		k.r = rand.NewChaCha8(seed)
	}
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], uint32(k.r.Uint64()))
	return key
}
