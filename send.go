package ws

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/utf8x"
)

// Send sends a frame (hackney's ws_send). It is safe to call from many
// goroutines at once: each frame is written whole, never interleaved with
// another, and frames that several goroutines send at the same moment go
// out together in one write. Send returns once its frame is written. Text
// must be valid UTF-8 and ping and pong payloads at most 125 bytes: Send
// refuses anything the peer would have to reject, before writing a byte.
func (c *Conn) Send(f Frame) error {
	if err := check(f); err != nil {
		return err
	}
	frames := [1]out{{proto.Opcode(f.Kind), true, f.Payload, 0}}
	var bufs [1]*[]byte
	if f.Kind.control() {
		return c.sendFrames(c.sendBound(), frames[:], nil) // never compressed
	}
	return c.sendFrames(c.sendBound(), frames[:], bufs[:])
}

// SendAll sends frames in order, in as few writes as the write buffer
// allows: one, for small frames, instead of one per frame. It checks
// every frame as Send does before writing any. Frames sent by other
// goroutines meanwhile come before or after the batch, not inside it.
func (c *Conn) SendAll(frames ...Frame) error {
	for i, f := range frames {
		if err := check(f); err != nil {
			return fmt.Errorf("ws: SendAll: frame %d: %w", i, err)
		}
	}
	bp := outBatches.Get().(*[]out)
	batch := (*bp)[:0]
	for _, f := range frames {
		batch = append(batch, out{proto.Opcode(f.Kind), true, f.Payload, 0})
	}
	var bufs []*[]byte
	if c.w.deflater != nil {
		bufs = make([]*[]byte, len(batch))
	}
	err := c.sendFrames(c.sendBound(), batch, bufs)
	clear(batch) // the payloads are the caller's
	*bp = batch[:0]
	outBatches.Put(bp)
	return err
}

// outBatches keeps SendAll's lists of frames between calls, which nothing
// holds once sendFrames returns: made anew, the list of a batch of 64
// small frames was 2.7 KB of pointers for the collector to scan, a
// quarter of SendAll's time (BenchmarkSendAllMem).
var outBatches = sync.Pool{New: func() any { return new([]out) }}

// sendFrames writes frames for Send and SendAll. With permessage-deflate
// negotiated and bufs given (one per frame, to hold compressed payloads)
// the data frames are compressed first, under the message lock held
// exclusively: the compressor's context must follow the order of the
// messages on the wire. Otherwise the lock is shared, and frames of
// concurrent calls coalesce in the writer.
//
// b bounds the wait for the message lock and the writer, and the write.
func (c *Conn) sendFrames(b *bound, frames []out, bufs []*[]byte) error {
	exclusive := c.w.deflater != nil && bufs != nil
	if err := c.w.message.lock(b, exclusive); err != nil {
		return err
	}
	err := c.sendLocked(b, frames, bufs, exclusive)
	c.w.message.unlock(exclusive)
	return err
}

// sendLocked is sendFrames once the message lock is held.
func (c *Conn) sendLocked(b *bound, frames []out, bufs []*[]byte, compress bool) error {
	if compress {
		defer putBuffers(bufs)
		if err := c.w.compress(frames, bufs); err != nil {
			return err
		}
	}
	return c.sendError(c.w.send(b, frames, c.cfg.fragment))
}

// check refuses a frame the peer would have to reject.
func check(f Frame) error {
	switch f.Kind {
	case TextFrame:
		if !utf8x.Valid(f.Payload) {
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
	return nil
}

// sendError explains a failed write: once the connection is closed or
// has ended, it says why rather than how the socket failed.
func (c *Conn) sendError(err error) error {
	if err == nil {
		return nil
	}
	if err == errSendCut {
		c.dropAfterCut()
		return err
	}
	if _, ok := err.(*timeoutError); ok || err == context.Canceled {
		return err // the bound passed before a byte went: the Conn is usable
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
