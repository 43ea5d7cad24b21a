package deflate

import "slices"

// A huffman table decodes one prefix code of RFC 1951 section 3.2.2. The
// stream carries a code's bits first bit first from the least significant
// bit of each byte (section 3.1.1), so a table is indexed by the next bits
// of the stream as they sit in the bit buffer: codes of up to pbits bits
// in one lookup in primary, longer ones through a link to a second-level
// table in sub.
//
// An entry holds, in its low 4 bits, the length of the code it decodes,
// with the symbol above entryShift; 0 marks bits that start no code. A
// link has linkFlag set, the number of further bits that index its table
// in the low 4 bits, and the table's offset in sub above entryShift.
type huffman struct {
	primary []uint32
	sub     []uint32
	pbits   uint
	pmask   uint64
	// maxLen is the longest code: bits that start no code are an error
	// only once at least this many are there, until then they may be the
	// start of a longer code.
	maxLen uint
}

const (
	lenMask    = 0xF
	linkFlag   = 0x10
	entryShift = 5
	maxCodeLen = 15 // RFC 1951 section 3.2.7
)

// lookup returns the entry for the code at the start of bits.
func (h *huffman) lookup(bits uint64) uint32 {
	e := h.primary[bits&h.pmask]
	if e&linkFlag != 0 {
		e = h.sub[uint64(e>>entryShift)+(bits>>h.pbits)&(1<<(e&lenMask)-1)]
	}
	return e
}

// init builds the table of the code with these lengths, one a symbol, 0
// for a symbol without a code, each at most maxCodeLen, using pbits for
// the primary table. It reports false for lengths that describe no prefix
// code: more codes of some length than fit (over-subscribed), or too few
// to cover every sequence of bits (incomplete) unless the whole code is a
// single code of one bit, which RFC 1951 section 3.2.7 allows for a block
// with one distance code and every decoder in use accepts. A code with no
// symbol at all builds a table that decodes nothing.
func (h *huffman) init(lens []uint8, pbits uint) bool {
	var count [maxCodeLen + 1]int
	h.maxLen = 0
	for _, l := range lens {
		count[l]++
		h.maxLen = max(h.maxLen, uint(l))
	}
	count[0] = 0
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
	}
	if left > 0 && h.maxLen > 1 {
		return false
	}

	size := 1 << pbits
	if cap(h.primary) < size {
		h.primary = make([]uint32, size)
	}
	h.primary = h.primary[:size]
	clear(h.primary)
	h.pbits, h.pmask = pbits, uint64(size-1)

	// The first code of each length (section 3.2.2, step 2).
	var next [maxCodeLen + 1]uint32
	code := uint32(0)
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}

	// Codes longer than pbits share a second-level table per primary
	// index, sized for the longest code through it.
	var subLen [1 << maxPrimaryBits]uint8
	var rev [maxLitSymbols]uint32
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		rev[sym] = reverse(next[l], uint(l))
		next[l]++
		if uint(l) > pbits {
			i := rev[sym] & uint32(h.pmask)
			subLen[i] = max(subLen[i], l-uint8(pbits))
		}
	}
	h.sub = h.sub[:0]
	for i, k := range subLen[:size] {
		if k != 0 {
			n := len(h.sub)
			h.primary[i] = uint32(n)<<entryShift | linkFlag | uint32(k)
			h.sub = slices.Grow(h.sub, 1<<k)[:n+1<<k]
			clear(h.sub[n:])
		}
	}
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		e := uint32(sym)<<entryShift | uint32(l)
		r := rev[sym]
		if uint(l) <= pbits {
			for i := r; i < uint32(size); i += 1 << l {
				h.primary[i] = e
			}
			continue
		}
		link := h.primary[r&uint32(h.pmask)]
		t := h.sub[link>>entryShift : link>>entryShift+1<<(link&lenMask)]
		for i := r >> pbits; i < uint32(len(t)); i += 1 << (uint(l) - pbits) {
			t[i] = e
		}
	}
	return true
}

// reverse returns the n low bits of c in reverse order.
func reverse(c uint32, n uint) uint32 {
	r := uint32(0)
	for range n {
		r = r<<1 | c&1
		c >>= 1
	}
	return r
}
