package ws

import (
	"errors"
	"fmt"
	"io"
)

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
	w, err := c.openMessage(kind, "SendFrom")
	if err != nil {
		return err
	}
	for {
		n, rerr := io.ReadFull(r, w.room())
		last := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !last {
			return w.abort(fmt.Errorf("ws: SendFrom: read: %w", rerr))
		}
		if err := w.fill(n); err != nil {
			return err
		}
		if err := w.fragment(last); err != nil || last {
			return err
		}
	}
}

// errSend marks the errors of a streamed message that the connection's
// failure caused, after which there is nothing left to close.
var errSend = errors.New("ws: sending a streamed message")
