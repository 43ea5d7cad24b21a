package deflate

import (
	"encoding/binary"

	"github.com/hackney-go/ws/internal/proto"
)

// An inflater decodes the DEFLATE data (RFC 1951) of one message as it
// arrives in pieces of any size. Its steps (a block header, one symbol, a
// run of stored bytes) either complete or leave no trace, so that a piece
// that ends inside a step is resumed, with the next piece, from the
// step's start: run consumes whole steps and reports how far it got, and
// write keeps the rest, never more than one step's worth, for the next
// piece.
//
// Unlike a decoder of a single DEFLATE stream it does not stop at a block
// with BFINAL set: RFC 7692 section 7.2.1 lets blocks follow one, from
// the next byte boundary.
type inflater struct {
	// The bits read and not yet used, the next one lowest. Above nbits
	// the buffer may hold bits of bytes not yet counted as read, which
	// are always those bytes' own bits.
	bits  uint64
	nbits uint

	state  blockState
	final  bool // the current block has BFINAL set
	stored int  // bytes left in the current stored block
	// atEnd reports that the last step ended an empty stored block: the
	// end of a message's data with its 00 00 ff ff appended, where
	// nothing else may end it (RFC 7692 section 7.2.1).
	atEnd bool

	lit, dist       *huffman // the tables of the current block
	dynLit, dynDist huffman
	codeLens        huffman
	lens            [maxLitCodes + maxDistCodes]uint8

	// stash holds the bytes of an unfinished step between two writes.
	stash []byte
	// read counts the compressed bytes consumed, for error messages.
	read int64

	out   []byte
	limit int // out's length, and dropped, may not pass it; 0 for none
	// A streamed message's output is taken as it comes (Take): taken is
	// how much of out was, dropped how much was cut from out's start,
	// keeping the window that matches may reach.
	taken, dropped int
	hint           int // the capacity to give out when it first grows
	window         int // the farthest back a match may reach
	hist           *history
}

type blockState uint8

const (
	atHeader blockState = iota
	inStored
	inCoded
)

// The sizes of RFC 1951 section 3.2.5 to 3.2.7.
const (
	maxLitCodes    = 286 // literal/length codes a dynamic block may define
	maxDistCodes   = 30  // distance codes one may define
	maxLitSymbols  = 288 // literal/length symbols of the fixed code
	maxDistSymbols = 32  // distance symbols of the fixed code
	endOfBlock     = 256
	maxPrimaryBits = 10 // primary table bits of the literal/length tables
	distPrimary    = 8  // and of the distance tables
	codeLenBits    = 7  // the longest code of the code length alphabet
)

// stashChunk is how many bytes of a new piece write appends to a stash at
// a time: more than the longest step, a dynamic block header (at most
// 14+19*3+316*14 bits, under 600 bytes).
const stashChunk = 1024

// The lengths and distances of RFC 1951 section 3.2.5, by symbol: base
// value and number of extra bits.
var lengthBase, lengthExtra, distBase, distExtra [32]uint32

var fixedLit, fixedDist huffman

// codeLenOrder is the order of the code length code lengths in a dynamic
// block header (section 3.2.7).
var codeLenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

func init() {
	base := uint32(3)
	for i := range 28 {
		if i >= 8 {
			lengthExtra[i] = uint32(i/4 - 1)
		}
		lengthBase[i] = base
		base += 1 << lengthExtra[i]
	}
	lengthBase[28] = 258 // symbol 285 is 258, not the 259 the pattern would give
	base = 1
	for i := range 30 {
		if i >= 4 {
			distExtra[i] = uint32(i/2 - 1)
		}
		distBase[i] = base
		base += 1 << distExtra[i]
	}

	// Section 3.2.6.
	var lens [maxLitSymbols]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	fixedLit.init(lens[:], maxPrimaryBits)
	for i := range maxDistSymbols {
		lens[i] = 5
	}
	fixedDist.init(lens[:maxDistSymbols], distPrimary)
}

// compactMin is how much taken output a streamed message's inflater
// gathers before it cuts it from out, so that the window it keeps is
// copied once per compactMin bytes at most.
const compactMin = 64 << 10

// compact cuts the output taken from out, but for the window that
// matches may reach back into. out's capacity stays within the limit,
// which is checked only when it is used up.
func (f *inflater) compact() {
	cut := f.taken - f.window
	if cut < compactMin {
		return
	}
	n := copy(f.out, f.out[cut:])
	f.out = f.out[:n]
	f.taken -= cut
	f.dropped += cut
	if f.limit > 0 && cap(f.out) > f.limit-f.dropped {
		f.out = f.out[:n:max(n, f.limit-f.dropped)]
	}
}

// write decodes p, the next piece of the message's data.
func (f *inflater) write(p []byte) *proto.Violation {
	for len(p) > 0 {
		if len(f.stash) == 0 {
			n, v := f.run(p)
			if v != nil {
				return v
			}
			f.stash = append(f.stash, p[n:]...)
			return nil
		}
		old := len(f.stash)
		k := min(len(p), stashChunk)
		f.stash = append(f.stash, p[:k]...)
		n, v := f.run(f.stash)
		if v != nil {
			return v
		}
		if n >= old {
			// The stash is used up: go on in p itself.
			p = p[n-old:]
			f.stash = f.stash[:0]
		} else {
			p = p[k:]
			f.stash = f.stash[:copy(f.stash, f.stash[n:])]
		}
	}
	return nil
}

// run decodes whole steps from the start of in until the next one needs
// more input or an error stops it, and returns how many bytes it took.
func (f *inflater) run(in []byte) (int, *proto.Violation) {
	pos := 0
	defer func() { f.read += int64(pos) }()
	for {
		var ok bool
		var v *proto.Violation
		switch f.state {
		case atHeader:
			pos, ok, v = f.header(in, pos)
		case inStored:
			pos, ok, v = f.copyStored(in, pos)
		default:
			pos, ok, v = f.decode(in, pos)
		}
		if v != nil || !ok {
			return pos, v
		}
	}
}

// bitReader reads bits for the steps that are not worth a fast path: it
// takes input a byte at a time, and the step commits what it read only
// once it is complete.
type bitReader struct {
	in    []byte
	pos   int
	bits  uint64
	nbits uint
}

// need makes n bits available, reporting false when the input ends first.
func (r *bitReader) need(n uint) bool {
	for r.nbits < n {
		if r.pos == len(r.in) {
			return false
		}
		r.bits |= uint64(r.in[r.pos]) << r.nbits
		r.pos++
		r.nbits += 8
	}
	return true
}

func (r *bitReader) take(n uint) uint32 {
	v := uint32(r.bits & (1<<n - 1))
	r.bits >>= n
	r.nbits -= n
	return v
}

// sym decodes a symbol of h, reporting ok false when the input ends
// before the code does.
func (r *bitReader) sym(h *huffman) (sym uint32, ok bool, bad bool) {
	r.need(h.maxLen)
	e := h.lookup(r.bits)
	n := uint(e & lenMask)
	if n == 0 {
		return 0, false, r.nbits >= h.maxLen
	}
	if n > r.nbits {
		return 0, false, false
	}
	r.bits >>= n
	r.nbits -= n
	return e >> entryShift, true, false
}

func (f *inflater) corrupt(pos int, reason string) *proto.Violation {
	return corrupt(f.read+int64(pos), reason)
}

// header reads a block header (RFC 1951 section 3.2.3), with the lengths
// of a stored block (section 3.2.4) or the code of a dynamic one
// (section 3.2.7).
func (f *inflater) header(in []byte, pos int) (int, bool, *proto.Violation) {
	r := bitReader{in: in, pos: pos, bits: f.bits, nbits: f.nbits}
	if !r.need(3) {
		return pos, false, nil
	}
	final := r.take(1) == 1
	switch r.take(2) {
	case 0:
		r.take(r.nbits & 7)
		if !r.need(32) {
			return pos, false, nil
		}
		n, nn := r.take(16), r.take(16)
		if n != ^nn&0xFFFF {
			return pos, false, f.corrupt(r.pos, "stored block length does not match its complement")
		}
		f.stored = int(n)
		f.state = inStored
		if n == 0 {
			f.state = atHeader
		}
	case 1:
		f.lit, f.dist = &fixedLit, &fixedDist
		f.state = inCoded
	case 2:
		ok, v := f.dynamic(&r)
		if !ok {
			return pos, false, v
		}
		f.lit, f.dist = &f.dynLit, &f.dynDist
		f.state = inCoded
	default:
		return pos, false, f.corrupt(r.pos, "reserved block type")
	}
	f.final = final
	f.atEnd = f.state == atHeader
	f.bits, f.nbits = r.bits, r.nbits
	return r.pos, true, nil
}

// dynamic reads the code definitions of a dynamic block (section 3.2.7).
func (f *inflater) dynamic(r *bitReader) (bool, *proto.Violation) {
	if !r.need(14) {
		return false, nil
	}
	nlit := int(r.take(5)) + 257
	ndist := int(r.take(5)) + 1
	nclen := int(r.take(4)) + 4
	if nlit > maxLitCodes || ndist > maxDistCodes {
		return false, f.corrupt(r.pos, "too many literal/length or distance codes")
	}
	if !r.need(uint(3 * nclen)) {
		// At most 57 bits: more than the buffer's 64 cannot be asked for.
		return false, nil
	}
	var clens [19]uint8
	for _, i := range codeLenOrder[:nclen] {
		clens[i] = uint8(r.take(3))
	}
	if !f.codeLens.init(clens[:], codeLenBits) {
		return false, f.corrupt(r.pos, "invalid code length code")
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		s, ok, bad := r.sym(&f.codeLens)
		if bad {
			return false, f.corrupt(r.pos, "invalid code length")
		}
		if !ok {
			return false, nil
		}
		if s < 16 {
			lens[i] = uint8(s)
			i++
			continue
		}
		var rep int
		var val uint8
		switch s {
		case 16:
			if i == 0 {
				return false, f.corrupt(r.pos, "repeat of no code length")
			}
			if !r.need(2) {
				return false, nil
			}
			rep, val = 3+int(r.take(2)), lens[i-1]
		case 17:
			if !r.need(3) {
				return false, nil
			}
			rep = 3 + int(r.take(3))
		default:
			if !r.need(7) {
				return false, nil
			}
			rep = 11 + int(r.take(7))
		}
		if i+rep > len(lens) {
			return false, f.corrupt(r.pos, "code lengths repeated past the last code")
		}
		for range rep {
			lens[i] = val
			i++
		}
	}
	if lens[endOfBlock] == 0 {
		return false, f.corrupt(r.pos, "no end-of-block code")
	}
	if !f.dynLit.init(lens[:nlit], maxPrimaryBits) || !f.dynDist.init(lens[nlit:], distPrimary) {
		return false, f.corrupt(r.pos, "invalid literal/length or distance code")
	}
	return true, nil
}

// copyStored copies a stored block's bytes: first the whole bytes the bit
// buffer holds, then input.
func (f *inflater) copyStored(in []byte, pos int) (int, bool, *proto.Violation) {
	for f.stored > 0 && f.nbits >= 8 {
		if v := f.reserve(1); v != nil {
			return pos, false, v
		}
		f.out = append(f.out, byte(f.bits))
		f.bits >>= 8
		f.nbits -= 8
		f.stored--
	}
	n := min(f.stored, len(in)-pos)
	if n > 0 {
		if v := f.reserve(n); v != nil {
			return pos, false, v
		}
		f.out = append(f.out, in[pos:pos+n]...)
		pos += n
		f.stored -= n
	}
	if f.stored > 0 {
		return pos, false, nil
	}
	f.state = atHeader
	f.afterBlock()
	return pos, true, nil
}

// afterBlock skips the padding after a final block: RFC 7692 section 7.2.1
// has the next block start at a byte boundary.
func (f *inflater) afterBlock() {
	if f.final {
		drop := f.nbits & 7
		f.bits >>= drop
		f.nbits -= drop
	}
}

// decode decodes the symbols of a compressed block (section 3.2.5) up to
// its end-of-block code. While 8 bytes of input remain it loads 7 at a
// time, more than the 48 bits a symbol, its length, distance and extra
// bits can take; near the end of the input it loads what there is and
// undoes a symbol that needs more.
func (f *inflater) decode(in []byte, pos int) (int, bool, *proto.Violation) {
	bits, nbits := f.bits, f.nbits
	lit, dist := f.lit, f.dist
	for {
		startBits, startN, startPos := bits, nbits, pos
		if len(in)-pos >= 8 {
			bits |= binary.LittleEndian.Uint64(in[pos:]) << nbits
			pos += int(63-nbits) >> 3
			nbits |= 56
		} else {
			for nbits <= 56 && pos < len(in) {
				bits |= uint64(in[pos]) << nbits
				pos++
				nbits += 8
			}
		}

		e := lit.lookup(bits)
		n := uint(e & lenMask)
		if n == 0 || n > nbits {
			if n == 0 && nbits >= lit.maxLen {
				return pos, false, f.corrupt(pos, "invalid literal/length code")
			}
			f.bits, f.nbits = startBits, startN
			return startPos, false, nil
		}
		bits >>= n
		nbits -= n
		sym := e >> entryShift
		if sym < endOfBlock {
			if len(f.out) == cap(f.out) {
				if v := f.reserve(1); v != nil {
					return pos, false, v
				}
			}
			f.out = append(f.out, byte(sym))
			continue
		}
		if sym == endOfBlock {
			// The fast load leaves bits of the next input bytes above
			// nbits; a stored block takes those bytes from the input
			// instead, so they must not stay behind to be ORed with
			// what follows it.
			f.bits, f.nbits = bits&(1<<nbits-1), nbits
			f.state = atHeader
			f.afterBlock()
			return pos, true, nil
		}
		sym -= endOfBlock + 1
		if sym >= 29 {
			return pos, false, f.corrupt(pos, "invalid length symbol")
		}
		xn := uint(lengthExtra[sym])
		if xn > nbits {
			f.bits, f.nbits = startBits, startN
			return startPos, false, nil
		}
		length := int(lengthBase[sym] + uint32(bits&(1<<xn-1)))
		bits >>= xn
		nbits -= xn

		e = dist.lookup(bits)
		n = uint(e & lenMask)
		if n == 0 || n > nbits {
			if n == 0 && nbits >= dist.maxLen {
				return pos, false, f.corrupt(pos, "invalid distance code")
			}
			f.bits, f.nbits = startBits, startN
			return startPos, false, nil
		}
		bits >>= n
		nbits -= n
		sym = e >> entryShift
		if sym >= 30 {
			return pos, false, f.corrupt(pos, "invalid distance symbol")
		}
		xn = uint(distExtra[sym])
		if xn > nbits {
			f.bits, f.nbits = startBits, startN
			return startPos, false, nil
		}
		d := int(distBase[sym] + uint32(bits&(1<<xn-1)))
		bits >>= xn
		nbits -= xn
		if v := f.copyMatch(d, length, pos); v != nil {
			return pos, false, v
		}
	}
}

// copyMatch appends length bytes from d bytes back, which may reach into
// the history of earlier messages.
func (f *inflater) copyMatch(d, length, pos int) *proto.Violation {
	if d > f.window {
		return f.corrupt(pos, "distance beyond the negotiated window")
	}
	if len(f.out)+length > cap(f.out) {
		if v := f.reserve(length); v != nil {
			return v
		}
	}
	o := len(f.out)
	if d > o {
		back := d - o
		if f.hist == nil || back > f.hist.n {
			return f.corrupt(pos, "distance before the start of the data")
		}
		n := min(length, back)
		f.out = f.hist.appendFrom(f.out, back, n)
		length -= n
		o += n
	}
	// An overlapping match repeats its d bytes: each copy doubles the
	// source, keeping its length a multiple of d.
	f.out = f.out[:o+length]
	for src := o - d; o < len(f.out); {
		o += copy(f.out[o:], f.out[src:o])
	}
	return nil
}

// reserve makes room in out for n more bytes, failing once out would pass
// the limit: checked before every byte of output is written, this stops a
// small compressed message from decompressing to much more.
func (f *inflater) reserve(n int) *proto.Violation {
	need := len(f.out) + n
	if f.limit > 0 && f.dropped+need > f.limit {
		return tooBig(int64(f.limit), int64(f.dropped+need))
	}
	if need <= cap(f.out) {
		return nil
	}
	c := max(2*cap(f.out), need, f.hint)
	if f.limit > 0 {
		c = min(c, f.limit-f.dropped)
	}
	out := make([]byte, len(f.out), c)
	copy(out, f.out)
	f.out = out
	return nil
}
