package ws

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/hackney-go/ws/internal/proto"
)

// maxWriteChunk bounds the write buffer: larger payloads are masked and
// written in pieces of this size rather than copied whole.
const maxWriteChunk = 128 << 10

// writer is the sending half of a Conn: one frame at a time, whole.
type writer struct {
	nc net.Conn
	// message is held for the whole of a data message, so that the
	// fragments of two messages never interleave; control frames may go
	// between fragments (RFC 6455 section 5.4), so they take only mu.
	message sync.Mutex
	mu      sync.Mutex
	buf     []byte
	key     [4]byte // the masking key being drawn
	closed  bool    // a close frame was sent: nothing may follow (RFC 6455 section 5.5.1)
	err     error   // a failed write leaves the stream unusable
}

var errWriteAfterClose = errors.New("ws: close frame already sent")

// Send sends a frame (hackney's ws_send). It is safe to call from many
// goroutines at once: each frame is written whole, never interleaved with
// another. Text must be valid UTF-8 and ping and pong payloads at most
// 125 bytes: Send refuses anything the peer would have to reject, before
// writing a byte.
func (c *Conn) Send(f Frame) error {
	switch f.Kind {
	case TextFrame:
		if !proto.ValidUTF8(f.Payload) {
			return errors.New("ws: text is not valid UTF-8")
		}
	case BinaryFrame:
	case PingFrame, PongFrame:
		if len(f.Payload) > proto.MaxControlPayload {
			return fmt.Errorf("ws: %v payload of %d bytes exceeds 125", f.Kind, len(f.Payload))
		}
	default:
		return fmt.Errorf("ws: cannot send frame kind %d", f.Kind)
	}
	if f.Kind.control() {
		return c.sendError(c.w.write(proto.Opcode(f.Kind), true, f.Payload))
	}
	c.w.message.Lock()
	defer c.w.message.Unlock()
	op, p := proto.Opcode(f.Kind), f.Payload
	for n := c.cfg.fragment; n > 0 && len(p) > n; p = p[n:] {
		if err := c.w.write(op, false, p[:n]); err != nil {
			return c.sendError(err)
		}
		op = proto.OpContinuation
	}
	return c.sendError(c.w.write(op, true, p))
}

// sendError explains a failed write: once the connection is closed or
// has ended, it says why rather than how the socket failed.
func (c *Conn) sendError(err error) error {
	if err == nil {
		return nil
	}
	c.mu.Lock()
	if serr := c.stateErr(); serr != nil {
		err = serr
	}
	c.mu.Unlock()
	if err == errWriteAfterClose {
		err = ErrClosed
	}
	return err
}

// write sends one masked frame; fin false makes it a fragment of a
// message that more frames continue.
func (w *writer) write(op proto.Opcode, fin bool, p []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errWriteAfterClose
	}
	h := proto.Header{Fin: fin, Op: op, Masked: true, Length: int64(len(p))}
	// Each key must be unpredictable to the application (RFC 6455
	// sections 5.3 and 10.3). crypto/rand costs about 30 ns here (the
	// kernel's getrandom through the vDSO): nothing beside a write.
	// Read into the writer, which lives on the heap anyway: a slice of a
	// local would move it there, one allocation per frame.
	rand.Read(w.key[:])
	h.Key = w.key
	if need := min(proto.MaxHeaderSize+len(p), maxWriteChunk); cap(w.buf) < need {
		w.buf = make([]byte, 0, need)
	}
	buf := proto.AppendHeader(w.buf[:0], h)
	pos := 0
	for {
		n := min(len(p), cap(buf)-len(buf))
		start := len(buf)
		buf = append(buf, p[:n]...)
		pos = proto.Mask(h.Key, pos, buf[start:])
		p = p[n:]
		if _, err := w.nc.Write(buf); err != nil {
			// Part of the frame may be out: nothing can follow it.
			w.err = fmt.Errorf("ws: write: %w", err)
			w.nc.Close()
			return w.err
		}
		if len(p) == 0 {
			break
		}
		buf = buf[:0]
	}
	if op == proto.OpClose {
		w.closed = true
	}
	return nil
}
