package ws

import (
	"errors"
	"fmt"
	"io"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/utf8x"
)

// streamFragment is the payload size of the fragments SendFrom writes.
const streamFragment = 64 << 10

// SendFrom sends everything r yields, until io.EOF, as one text or binary
// message, without holding it whole: it is read and sent in fragments
// (RFC 6455 section 5.4), so a message can be larger than memory, and r
// is read only as fast as the peer takes the data. Other messages wait
// until it is done; pongs and the close frame may go between fragments.
//
// If r fails, or text from r turns out not to be valid UTF-8, before the
// first fragment is sent, SendFrom returns the error and the Conn stays
// usable. Later, a message already begun cannot be taken back: SendFrom
// closes the connection with 1011 (internal error) and returns the error.
func (c *Conn) SendFrom(kind Kind, r io.Reader) error {
	if kind != TextFrame && kind != BinaryFrame {
		return fmt.Errorf("ws: SendFrom sends text or binary, not %v", kind)
	}
	started, err := c.stream(kind, r)
	if started && err != nil && !errors.Is(err, errSend) {
		c.CloseWith(CloseInternalError, "message abandoned")
	}
	return err
}

// errSend marks the errors of stream that the connection's failure
// caused, after which there is nothing left to close.
var errSend = errors.New("ws: SendFrom")

// stream sends r's message, holding other messages back. started says
// whether a fragment went out before an error.
func (c *Conn) stream(kind Kind, r io.Reader) (started bool, err error) {
	if err := c.w.message.lock(c.sendBound(), true); err != nil {
		return false, err
	}
	defer c.w.message.unlock(true)
	buf := make([]byte, streamFragment)
	var zbuf *[]byte
	if c.w.deflater != nil {
		if c.w.deflaterGone {
			return false, ErrClosed
		}
		zbuf = getBuffer(streamFragment + proto.MaxHeaderSize)
		defer putBuffer(zbuf)
	}
	var text utf8x.Validator
	op := proto.Opcode(kind)
	for {
		n, rerr := io.ReadFull(r, buf)
		last := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !last {
			return started, fmt.Errorf("ws: SendFrom: read: %w", rerr)
		}
		if kind == TextFrame && (!text.Write(buf[:n]) || last && !text.Complete()) {
			return started, errors.New("ws: SendFrom: text is not valid UTF-8")
		}
		f := out{op, last, buf[:n], 0}
		if zbuf != nil {
			// The message is compressed as it streams, RSV1 on its first
			// frame (RFC 7692 section 6), whatever the threshold.
			*zbuf = c.w.deflater.Append((*zbuf)[:0], f.p, last)
			f.p = *zbuf
			if op != proto.OpContinuation {
				f.rsv = rsv1
			}
		}
		if err := c.w.send(c.sendBound(), []out{f}, 0); err != nil {
			err = c.sendError(err)
			if _, ok := err.(*timeoutError); ok {
				return started, err // nothing of the fragment is out: 1011 may follow
			}
			return started, fmt.Errorf("%w: %w", errSend, err)
		}
		started = true
		if last {
			return started, nil
		}
		op = proto.OpContinuation
	}
}
