package deflate

// history is the window a decompressor keeps between messages while the
// sender takes over its context (RFC 7692 section 7.2.2): the last bytes
// of the messages decompressed so far, in a ring of the window's size,
// allocated with the first message.
type history struct {
	buf  []byte
	size int
	end  int // where the next byte goes
	n    int // how many bytes it holds, at most size
}

// add appends a message's bytes.
func (h *history) add(p []byte) {
	if h.buf == nil {
		h.buf = make([]byte, h.size)
	}
	if len(p) >= h.size {
		copy(h.buf, p[len(p)-h.size:])
		h.end, h.n = 0, h.size
		return
	}
	k := copy(h.buf[h.end:], p)
	copy(h.buf, p[k:])
	h.end = (h.end + len(p)) % h.size
	h.n = min(h.n+len(p), h.size)
}

// appendFrom appends to dst the n bytes that start back bytes before the
// end; back is at most h.n and n at most back.
func (h *history) appendFrom(dst []byte, back, n int) []byte {
	start := h.end - back
	if start < 0 {
		start += h.size
	}
	if start+n <= h.size {
		return append(dst, h.buf[start:start+n]...)
	}
	dst = append(dst, h.buf[start:]...)
	return append(dst, h.buf[:n-(h.size-start)]...)
}
