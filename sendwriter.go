package ws

import (
	"fmt"
	"io"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/utf8x"
)

// streamFragment is the payload size of the fragments SendFrom and
// SendWriter's writer send.
const streamFragment = 64 << 10

// SendWriter starts a text or binary message and returns a writer of its
// payload, the push twin of SendFrom: what is written goes out in
// fragments (RFC 6455 section 5.4) of 64 KiB, gathered from small Writes
// and cut from large ones, each sent once the next byte is written, so
// that the message is never held whole; Close sends the last fragment,
// which ends the message, and must be called. With permessage-deflate the
// message is compressed as it streams.
//
// Other messages wait until Close; pongs and the close frame may go
// between fragments. The wait for the other messages before this one,
// and the sending of each fragment, are bounded by the SendTimeout option
// as Send is.
//
// Text is checked as it is written. If a Write fails, or its text is not
// valid UTF-8, before the first fragment is sent, the message is dropped
// and the Conn stays usable. Later, a message already begun cannot be
// taken back: the Conn closes the connection with 1011 (internal error).
// Either way every later Write and Close returns the error. The writer
// must not be used by two goroutines at once.
func (c *Conn) SendWriter(kind Kind) (io.WriteCloser, error) {
	return c.openMessage(kind, "SendWriter")
}

// A msgWriter sends a message in fragments, holding the message lock from
// its start to its end: SendWriter's writer, and SendFrom's.
type msgWriter struct {
	c       *Conn
	name    string // SendWriter or SendFrom, for errors
	kind    Kind
	op      proto.Opcode // of the next fragment
	buf     *[]byte      // the next fragment's payload, from the pool
	n       int          // how much of buf it holds
	zbuf    *[]byte      // its compressed form
	text    utf8x.Validator
	started bool  // a fragment went out
	err     error // why the message ended early
	done    bool
}

// openMessage takes the message lock and starts a message of kind.
func (c *Conn) openMessage(kind Kind, name string) (*msgWriter, error) {
	if kind != TextFrame && kind != BinaryFrame {
		return nil, fmt.Errorf("ws: %s sends text or binary, not %v", name, kind)
	}
	if err := c.w.message.lock(c.sendBound(), true); err != nil {
		return nil, err
	}
	if c.w.deflater != nil && c.w.deflaterGone {
		c.w.message.unlock(true)
		return nil, ErrClosed
	}
	w := &msgWriter{c: c, name: name, kind: kind, op: proto.Opcode(kind), buf: getBuffer(streamFragment)}
	if c.w.deflater != nil {
		w.zbuf = getBuffer(streamFragment + proto.MaxHeaderSize)
	}
	return w, nil
}

// room is the free part of the next fragment.
func (w *msgWriter) room() []byte { return (*w.buf)[w.n:streamFragment] }

// fill takes n bytes just put in room, checking text.
func (w *msgWriter) fill(n int) error {
	p := (*w.buf)[w.n : w.n+n]
	w.n += n
	if w.kind == TextFrame && !w.text.Write(p) {
		return w.abort(fmt.Errorf("ws: %s: text is not valid UTF-8", w.name))
	}
	return nil
}

// Write adds p to the message.
func (w *msgWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.done {
		return 0, fmt.Errorf("ws: %s: write after Close", w.name)
	}
	written := 0
	for len(p) > 0 {
		if w.n == streamFragment {
			// Full, and more follows: it is not the last.
			if err := w.fragment(false); err != nil {
				return written, err
			}
		}
		k := copy(w.room(), p)
		if err := w.fill(k); err != nil {
			return written, err
		}
		p, written = p[k:], written+k
	}
	return written, nil
}

// Close sends the last fragment, ending the message, and lets other
// messages go. A Close after the first does nothing.
func (w *msgWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return nil
	}
	return w.fragment(true)
}

// fragment sends what the buffer holds as the next fragment; last ends
// the message, and the writer.
func (w *msgWriter) fragment(last bool) error {
	c := w.c
	if last && w.kind == TextFrame && !w.text.Complete() {
		return w.abort(fmt.Errorf("ws: %s: text ends inside a UTF-8 sequence", w.name))
	}
	f := out{w.op, last, (*w.buf)[:w.n], 0}
	if w.zbuf != nil {
		// The message is compressed as it streams, RSV1 on its first
		// frame (RFC 7692 section 6), whatever the threshold.
		*w.zbuf = c.w.deflater.Append((*w.zbuf)[:0], f.p, last)
		f.p = *w.zbuf
		if w.op != proto.OpContinuation {
			f.rsv = rsv1
		}
	}
	if err := c.w.send(c.sendBound(), []out{f}, 0); err != nil {
		err = c.sendError(err)
		if _, ok := err.(*timeoutError); ok {
			return w.abort(err) // nothing of the fragment is out: 1011 may follow
		}
		w.started = false // the connection is over: nothing to close
		return w.abort(fmt.Errorf("%w: %w", errSend, err))
	}
	w.started, w.op, w.n = true, proto.OpContinuation, 0
	if last {
		w.done = true
		w.release()
	}
	return nil
}

// abort ends a message that cannot be completed with err: one that has
// begun is failed with 1011, as it cannot be taken back.
func (w *msgWriter) abort(err error) error {
	w.err = err
	w.release()
	if w.started {
		w.c.CloseWith(CloseInternalError, "message abandoned")
	}
	return err
}

// release gives back the buffers and the message lock.
func (w *msgWriter) release() {
	if w.buf == nil {
		return
	}
	putBuffer(w.buf)
	if w.zbuf != nil {
		putBuffer(w.zbuf)
	}
	w.buf, w.zbuf = nil, nil
	w.c.w.message.unlock(true)
}
