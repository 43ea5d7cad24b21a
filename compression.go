package ws

import (
	"fmt"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// Deflate configures permessage-deflate (RFC 7692), the compression of
// each message, which Compression offers in the handshake. The zero
// Deflate offers the extension with context takeover both ways and lets
// the server limit the client's window.
//
// For Accept, the fields are the server's terms, added to what the
// client's offer asks: the NoContextTakeover fields impose the parameter
// on that side whether the client asked or not; ServerMaxWindowBits caps
// the server's window; ClientMaxWindowBits limits the client's window
// when the client offered client_max_window_bits (a client that did not
// keeps its full window rather than losing compression). The zero Deflate
// accepts any offer on the client's terms. Of several offers, the first
// that is valid is taken.
//
// Memory: with context takeover a Conn keeps a compressor (about 1 MB,
// from its first compressed message on) and a window of the server's
// size (up to 32 KiB) between messages; without it, both come from pools
// for the time of one message.
type Deflate struct {
	// Threshold is the size below which a message is sent uncompressed:
	// small payloads gain little and cost a compression each.
	Threshold int
	// ClientNoContextTakeover compresses every message sent on its own
	// (section 7.1.1.2): worse compression, no compressor kept.
	ClientNoContextTakeover bool
	// ServerNoContextTakeover asks the server to compress each message on
	// its own (section 7.1.1.1), so that no window is kept between
	// messages received. A server that accepts must agree.
	ServerNoContextTakeover bool
	// ClientMaxWindowBits, 8 to 15, bounds the window of the messages
	// sent to 1<<ClientMaxWindowBits bytes; zero offers the parameter
	// without a value, which lets the server choose (section 7.1.2.2).
	ClientMaxWindowBits int
	// ServerMaxWindowBits, 8 to 15, asks the server to compress with a
	// window of at most 1<<ServerMaxWindowBits bytes (section 7.1.2.1);
	// zero asks nothing.
	ServerMaxWindowBits int
}

// Compression offers permessage-deflate (RFC 7692) as d describes, or for
// Accept, accepts the client's offer on d's terms. Whether the extension
// was agreed, and with what, is Conn.Compression's; a response that RFC
// 7692 forbids fails Connect with a *HandshakeError. Text is validated as
// UTF-8 once inflated.
func Compression(d Deflate) Option { return func(c *config) { c.deflate = &d } }

// Compression returns the permessage-deflate parameters agreed in the
// handshake, and false if the server declined or none was offered.
func (c *Conn) Compression() (Deflate, bool) {
	if c.params == nil {
		return Deflate{}, false
	}
	return Deflate{
		Threshold:               c.cfg.deflate.Threshold,
		ClientNoContextTakeover: c.params.Client.NoContextTakeover,
		ServerNoContextTakeover: c.params.Server.NoContextTakeover,
		ClientMaxWindowBits:     c.params.Client.WindowBits,
		ServerMaxWindowBits:     c.params.Server.WindowBits,
	}, true
}

// offer is the permessage-deflate offer d makes.
func (d *Deflate) offer() (deflate.Offer, error) {
	o := deflate.Offer{
		ServerNoContextTakeover: d.ServerNoContextTakeover,
		ClientNoContextTakeover: d.ClientNoContextTakeover,
		ServerMaxWindowBits:     d.ServerMaxWindowBits,
		ClientMaxWindow:         true,
		ClientMaxWindowBits:     d.ClientMaxWindowBits,
	}
	if err := o.Validate(); err != nil {
		return o, fmt.Errorf("ws: Compression: %w", err)
	}
	return o, nil
}

// startCompression sets up the Conn for the parameters negotiated: the
// reader inflates what RSV1 marks, Send compresses.
func (c *Conn) startCompression(p *deflate.Params) {
	// Each side compresses with its own settings and inflates with the
	// peer's (RFC 7692 section 7).
	own, peer := p.Client, p.Server
	if c.cfg.server {
		own, peer = peer, own
	}
	c.params = p
	c.inflater = deflate.NewDecompressor(peer, c.cfg.maxMessage)
	c.rd.Inflater = c.inflater
	c.w.deflater = deflate.NewCompressor(own)
	c.w.threshold = c.cfg.deflate.Threshold
}

// compress replaces the payloads of the data frames of at least the
// threshold with their compressed form, marked with RSV1 (RFC 7692
// section 6), in pooled buffers it puts in bufs for the caller to give
// back. The message lock must be held exclusively: the compressor's
// context must follow the order of the messages on the wire.
func (w *writer) compress(frames []out, bufs []*[]byte) error {
	if w.deflaterGone {
		return ErrClosed
	}
	for i := range frames {
		f := &frames[i]
		if f.op.IsControl() || len(f.p) < w.threshold {
			continue
		}
		b := getBuffer(len(f.p) + proto.MaxHeaderSize)
		*b = w.deflater.Append(*b, f.p, true)
		bufs[i] = b
		f.p, f.rsv = *b, rsv1
	}
	return nil
}

// stopCompression gives the compression state back to its pools once the
// Conn is closed. A SendFrom may still hold the message lock, waiting on
// its reader, which nothing here bounds: then the state is left to the
// garbage collector rather than Close waiting.
func (c *Conn) stopCompression() {
	if c.w.deflater == nil || !c.w.message.tryLock() {
		return
	}
	c.w.deflater.Release()
	c.w.deflaterGone = true
	c.w.message.unlock(true)
}

// rsv1 marks a compressed message's first frame (RFC 7692 section 6).
const rsv1 = 0x4

// putBuffers gives back the buffers compress took.
func putBuffers(bufs []*[]byte) {
	for _, b := range bufs {
		if b != nil {
			putBuffer(b)
		}
	}
}
