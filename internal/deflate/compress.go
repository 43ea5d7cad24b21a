package deflate

import (
	"sync"

	"github.com/klauspost/compress/flate"
)

// Compressor compresses the messages one direction of a connection sends
// (RFC 7692 section 7.2.1): a client's compresses what it sends, with
// Params.Client. Frames carrying its output have RSV1 set on the first
// frame of the message only (section 6).
//
// It uses github.com/klauspost/compress/flate: the fastest level
// (BestSpeed) with the full 32 KiB window, and its window-limited encoder
// with a window of exactly 1<<WindowBits bytes otherwise, so that every
// match stays within the window the peer agreed to keep.
//
// With context takeover the encoder, history and tables, is kept from one
// message to the next (0.83 MB at 15 window bits, 1.09 MB below, whatever
// the window: the encoder's tables do not shrink with it). With
// no context takeover an encoder comes from a pool for each message, so
// an idle connection holds none.
type Compressor struct {
	bits     int
	takeover bool
	w        *flate.Writer // the encoder, while one is held
	sink     sink
}

// sink collects the encoder's output in the caller's buffer.
type sink struct{ b []byte }

// Write appends p; it cannot fail, so neither can the encoder, whose only
// errors are its output's.
func (s *sink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// writers pools encoders by window bits.
var writers [MaxWindowBits + 1]sync.Pool

// NewCompressor returns a Compressor that compresses within s.
func NewCompressor(s Settings) *Compressor {
	return &Compressor{bits: s.WindowBits, takeover: !s.NoContextTakeover}
}

// Append appends to dst the compressed form of p, the next bytes of the
// message being sent, and returns the extended slice; fin marks the last
// bytes of the message. A message sent whole takes one call with fin set,
// and an empty one gives the single byte 00 (section 7.2.3.6).
//
// Each call ends its output at a byte boundary with an empty stored block,
// so that what it returns can go into frames at once; for the last bytes
// of a message the block's final 00 00 FF FF is removed (section 7.2.1,
// which keeps it on the fragments before).
//
// With context takeover the message is in the compressor's window once
// Append returns, and the peer's decompressor must see it there: the
// output must be sent, even when it came out larger than the message.
// Only whether to compress a message at all may be decided by its size
// beforehand.
func (c *Compressor) Append(dst, p []byte, fin bool) []byte {
	if c.w == nil {
		c.w = getWriter(c.bits)
		c.w.Reset(&c.sink)
	}
	c.sink.b = dst
	c.w.Write(p)
	c.w.Flush()
	out := c.sink.b
	c.sink.b = nil
	if !fin {
		return out
	}
	if !c.takeover {
		// Section 7.2.1: the next message must start with an empty window.
		c.putWriter()
	}
	return out[:len(out)-len(tail)]
}

// Release returns the Compressor's encoder to the pool, at the end of the
// connection. The Compressor must not be used after.
func (c *Compressor) Release() {
	if c.w != nil {
		c.putWriter()
	}
}

func (c *Compressor) putWriter() {
	c.w.Reset(nil)
	writers[c.bits].Put(c.w)
	c.w = nil
}

func getWriter(bits int) *flate.Writer {
	if w, ok := writers[bits].Get().(*flate.Writer); ok {
		return w
	}
	var w *flate.Writer
	if bits == MaxWindowBits {
		w, _ = flate.NewWriter(nil, flate.BestSpeed)
	} else {
		w, _ = flate.NewWriterWindow(nil, 1<<bits)
	}
	return w
}
