package deflate

import (
	"math"
	"sync"

	"github.com/hackney-go/ws/internal/proto"
)

// Decompressor decompresses the compressed messages of one direction of a
// connection (RFC 7692 sections 6.2 and 7.2.2): a client's reads what the
// server sends, with Params.Server. A message's payload is fed with Write
// as its frames arrive, in pieces of any size, and Finish ends it. The
// output of a message is produced, and its size checked against the
// limit, as each piece is decoded.
//
// Errors are *proto.Violation: code 1009 (message too big) when the
// decompressed size would pass the limit, 1002 (protocol error) when the
// payload is not what section 7.2.1 makes of a message. After one the
// Decompressor returns it again; the connection must be failed.
//
// Between messages a Decompressor holds only the sender's window, and
// that only when the sender takes over its context; the decoding state of
// a message (about 7 kB) comes from a pool while the message is read.
type Decompressor struct {
	window int
	limit  int
	hist   *history // nil when every message starts with an empty window
	f      *inflater
	err    *proto.Violation
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// tail is what section 7.2.2 appends to a message's payload: the LEN and
// NLEN of the empty stored block that the sender's section 7.2.1 removed.
var tail = []byte{0x00, 0x00, 0xFF, 0xFF}

// NewDecompressor returns a Decompressor for messages compressed with s,
// limited to maxMessage bytes once decompressed (zero or less for no
// limit). A match reaching farther back than 1<<s.WindowBits bytes fails
// the message.
func NewDecompressor(s Settings, maxMessage int64) *Decompressor {
	size := 1 << s.WindowBits
	d := &Decompressor{window: size, limit: int(min(max(maxMessage, 0), math.MaxInt))}
	if !s.NoContextTakeover {
		d.hist = &history{size: size}
	}
	return d
}

// Write decompresses p, the next bytes of the current message's payload.
func (d *Decompressor) Write(p []byte) error {
	if d.err != nil {
		return d.err
	}
	if d.f == nil {
		d.begin(len(p))
	}
	d.f.compact()
	if v := d.f.write(p); v != nil {
		return d.fail(v)
	}
	return nil
}

// Finish ends the current message and returns it, decompressed: appended
// to dst when dst is not nil, so that a caller reusing one buffer takes
// messages without allocating (the Decompressor keeps its own output
// memory for the next message, up to keptOutput bytes); with dst nil, in
// a slice handed over to the caller.
func (d *Decompressor) Finish(dst []byte) ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.f == nil {
		d.begin(0)
	}
	f := d.f
	if v := f.write(tail); v != nil {
		return nil, d.fail(v)
	}
	switch {
	case len(f.stash) > 0 || f.state != atHeader:
		return nil, d.fail(corrupt(f.read, "compressed message ends inside a block"))
	case !f.atEnd || f.nbits != 0:
		return nil, d.fail(corrupt(f.read, "compressed message does not end with an empty stored block"))
	}
	out := f.out
	if d.hist != nil {
		d.hist.add(out) // its last window's worth, whatever was taken
	}
	out = out[f.taken:]
	if dst != nil {
		out = append(dst, out...)
		if cap(f.out) > keptOutput {
			f.out = nil
		}
	} else {
		f.out = nil // handed over
		if out == nil {
			out = []byte{}
		}
	}
	d.release()
	return out, nil
}

// Take returns the output of the current message's Writes that no Take
// returned yet, valid until the next Write: a streamed message is handed
// on as it is decoded, the Decompressor keeping only the window that
// later matches may reach. Finish then returns the rest.
func (d *Decompressor) Take() []byte {
	if d.f == nil {
		return nil
	}
	p := d.f.out[d.f.taken:]
	d.f.taken = len(d.f.out)
	return p
}

// keptOutput bounds the output memory a pooled inflater keeps between
// messages.
const keptOutput = 256 << 10

// Release returns the Decompressor's state to the pool, at the end of the
// connection. The Decompressor must not be used after.
func (d *Decompressor) Release() {
	d.release()
	d.hist = nil
}

// begin takes decoding state from the pool for a message whose payload
// starts with n bytes.
func (d *Decompressor) begin(n int) {
	f := inflaters.Get().(*inflater)
	f.limit, f.window, f.hist = d.limit, d.window, d.hist
	// The output's capacity is the limit's check (reserve runs only when
	// it is used up): output kept from a message of another connection
	// must not hold more than this one's limit.
	if f.limit > 0 && cap(f.out) > f.limit {
		f.out = f.out[:0:f.limit]
	}
	// A payload given whole gets room for a typical ratio at once; the
	// limit caps it like any growth.
	f.hint = max(4*n, 256)
	d.f = f
}

func (d *Decompressor) fail(v *proto.Violation) *proto.Violation {
	d.err = v
	d.release()
	return v
}

func (d *Decompressor) release() {
	if d.f == nil {
		return
	}
	d.f.reset()
	inflaters.Put(d.f)
	d.f = nil
}

// reset readies an inflater for another message, keeping the memory of
// its tables, stash and output.
func (f *inflater) reset() {
	*f = inflater{
		dynLit:   f.dynLit,
		dynDist:  f.dynDist,
		codeLens: f.codeLens,
		stash:    f.stash[:0],
		out:      f.out[:0],
	}
}
