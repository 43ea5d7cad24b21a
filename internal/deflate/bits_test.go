package deflate

// bitWriter builds DEFLATE streams bit by bit for tests, in the order of
// RFC 1951 section 3.1.1.
type bitWriter struct {
	b     []byte
	nbits uint
}

// bits writes the n low bits of v, least significant first, as DEFLATE
// writes everything but Huffman codes.
func (w *bitWriter) bits(v uint32, n uint) *bitWriter {
	for i := range n {
		if w.nbits%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.nbits % 8)
		w.nbits++
	}
	return w
}

// code writes a Huffman code of n bits, most significant bit first.
func (w *bitWriter) code(c uint32, n uint) *bitWriter {
	for i := n; i > 0; i-- {
		w.bits(c>>(i-1)&1, 1)
	}
	return w
}

// fixed writes symbols of the fixed literal/length code (section 3.2.6).
func (w *bitWriter) fixed(syms ...uint32) *bitWriter {
	for _, s := range syms {
		switch {
		case s < 144:
			w.code(0x30+s, 8)
		case s < 256:
			w.code(0x190+s-144, 9)
		case s < 280:
			w.code(s-256, 7)
		default:
			w.code(0xC0+s-280, 8)
		}
	}
	return w
}
