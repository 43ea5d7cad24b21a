package ws

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// readBufferSize is the size of the socket read buffer.
const readBufferSize = 16 << 10

// readLoop is the Conn's goroutine: it reads frames, answers pings and
// closes, and delivers the rest, blocking while nobody takes them. That
// block is the flow control: the socket is not read meanwhile.
func (c *Conn) readLoop() {
	defer close(c.done)
	defer c.nc.Close()
	for {
		f, err := c.readFrame()
		if err != nil {
			c.end(err)
			return
		}
		switch f.Op {
		case proto.OpPing:
			// Section 5.5.2: answer with the same payload. A failed write
			// surfaces as a read error soon after, as the socket is closed.
			c.w.write(proto.OpPong, true, f.Payload)
		case proto.OpClose:
			c.onClose(f.Payload)
			return
		}
		if c.cfg.hideControl && f.Op.IsControl() {
			continue
		}
		c.deliver(Event{Conn: c, Frame: Frame{Kind: Kind(f.Op), Payload: f.Payload}})
	}
}

// readFrame returns the next message or control frame. A breach of the
// protocol fails the connection with the close code it calls for.
func (c *Conn) readFrame() (proto.Frame, error) {
	for {
		if c.rpos < c.rend {
			n, f, ok, err := c.rd.Next(c.rbuf[c.rpos:c.rend])
			c.rpos += n
			if err != nil {
				return f, c.violated(err)
			}
			if ok {
				return f, nil
			}
		}
		// Next has taken everything but a partial header.
		if room := c.rd.PayloadBuffer(); c.rpos == c.rend && len(room) >= readBufferSize {
			// The rest of a large payload is read straight into its
			// message: no copy, and reads as large as the socket allows
			// (BenchmarkRecv).
			n, err := c.nc.Read(room)
			if n == 0 {
				if err != nil {
					return proto.Frame{}, readError(err)
				}
				continue
			}
			f, ok, err := c.rd.Commit(n)
			if err != nil {
				return f, c.violated(err)
			}
			if ok {
				return f, nil
			}
			continue
		}
		c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
		if len(c.rbuf) < readBufferSize {
			c.rbuf = append(c.rbuf, make([]byte, readBufferSize-len(c.rbuf))...)
		}
		n, err := c.nc.Read(c.rbuf[c.rend:])
		c.rend += n
		if n == 0 && err != nil {
			return proto.Frame{}, readError(err)
		}
	}
}

// violated fails the connection for a breach the Reader found.
func (c *Conn) violated(err error) error {
	v := err.(*proto.Violation)
	c.failWith(v.Code, v.Reason)
	return violationError(v)
}

// readError is the error that ends a connection whose socket failed.
func readError(err error) error {
	if errors.Is(err, io.EOF) {
		return &CloseError{Code: CloseAbnormal}
	}
	return fmt.Errorf("ws: read: %w", err)
}

// failWith sends a close frame for a connection the Conn fails (RFC 6455
// section 7.1.7); the read loop then closes the socket.
func (c *Conn) failWith(code uint16, reason string) {
	payload, _ := proto.AppendClose(nil, code, proto.TruncateReason(reason))
	c.w.nc.SetWriteDeadline(time.Now().Add(c.cfg.closeTimeout))
	c.w.write(proto.OpClose, true, payload)
}

// onClose handles the peer's close frame: the answer to ours, or the
// start of the close handshake, which the Conn answers by echoing the code
// (section 5.5.1). The client then waits, bounded, for the server to
// close the TCP connection first (section 7.1.1).
func (c *Conn) onClose(payload []byte) {
	code, reason, _ := proto.ParseClose(payload) // the Reader checked it
	var echo []byte
	if code != proto.CloseNoStatus {
		echo = payload[:2]
	}
	deadline := time.Now().Add(c.cfg.closeTimeout)
	c.w.nc.SetWriteDeadline(deadline)
	c.w.write(proto.OpClose, true, echo) // refused if our close frame went first
	c.end(&CloseError{Code: CloseCode(code), Reason: reason})
	c.nc.SetReadDeadline(deadline)
	io.Copy(io.Discard, c.nc)
}

// end records why the connection ended and tells the consumer: an active
// mode gets a last Event, Recv returns the error.
func (c *Conn) end(err error) {
	c.mu.Lock()
	c.ended, c.err = true, err
	c.mu.Unlock()
	c.deliver(Event{Conn: c, Err: err})
	if c.cfg.events == nil {
		close(c.events)
	}
	close(c.endedCh)
}

// deliver hands ev to the consumer of the current mode, waiting until it
// is taken, the mode changes or Close starts. A last event (ev.Err set)
// is delivered only in active modes; Recv finds it through endedCh.
//
// An active-once grant is spent when its event is offered, not once it is
// taken: the Conn is Passive before the consumer can see the event, so a
// Recv called right after receiving it gets the next message. The event
// stays offered on events until a SetActive (a new gen) says otherwise.
func (c *Conn) deliver(ev Event) {
	once, onceGen := false, uint64(0)
	for {
		c.mu.Lock()
		if once && c.gen != onceGen {
			once = false // the mode set since decides
		}
		if !once && c.mode == ActiveOnce {
			c.mode = Passive
			once, onceGen = true, c.gen
		}
		mode, closed := c.mode, c.closed
		c.mu.Unlock()
		if closed {
			return
		}
		if mode == Passive && !once {
			if ev.Err != nil {
				return
			}
			select {
			case c.recvCh <- ev.Frame:
				return
			case <-c.kick:
			case <-c.closing:
			}
			continue
		}
		select {
		case c.events <- ev:
			return
		case <-c.kick:
		case <-c.closing:
		}
	}
}
