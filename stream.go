package ws

import (
	"errors"
	"fmt"
	"io"

	"github.com/hackney-go/ws/internal/proto"
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
	c.w.message.Lock()
	defer c.w.message.Unlock()
	buf := make([]byte, streamFragment)
	var text proto.UTF8
	op := proto.Opcode(kind)
	for {
		n, rerr := io.ReadFull(r, buf)
		last := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		var err error
		if rerr != nil && !last {
			err = fmt.Errorf("ws: SendFrom: read: %w", rerr)
		} else if kind == TextFrame && (!text.Write(buf[:n]) || last && !text.Complete()) {
			err = errors.New("ws: SendFrom: text is not valid UTF-8")
		}
		if err != nil {
			if op == proto.OpContinuation {
				c.CloseWith(CloseInternalError, "message abandoned")
			}
			return err
		}
		if err := c.w.write(op, last, buf[:n]); err != nil {
			return c.sendError(err)
		}
		if last {
			return nil
		}
		op = proto.OpContinuation
	}
}
