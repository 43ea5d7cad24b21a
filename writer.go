package ws

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// Write buffers come from pools and go back once a write is done, so that
// an idle Conn holds none. Small frames take a small buffer; a large
// payload is masked and written in pieces of the large size rather than
// copied whole.
const (
	smallWriteBuffer = 4 << 10
	largeWriteBuffer = 128 << 10
)

var smallBuffers, largeBuffers sync.Pool

// getBuffer returns an empty pooled buffer of the size class for n bytes.
func getBuffer(n int) *[]byte {
	pool, size := &smallBuffers, smallWriteBuffer
	if n > smallWriteBuffer {
		pool, size = &largeBuffers, largeWriteBuffer
	}
	if b, ok := pool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, size)
	return &b
}

// putBuffer returns b to its pool, unless appends have grown it.
func putBuffer(b *[]byte) {
	switch cap(*b) {
	case smallWriteBuffer:
		*b = (*b)[:0]
		smallBuffers.Put(b)
	case largeWriteBuffer:
		*b = (*b)[:0]
		largeBuffers.Put(b)
	}
}

// coalesceMax bounds the frames a Send adds to the queue of another
// goroutine's write; larger ones wait to be written by their own
// goroutine.
const coalesceMax = smallWriteBuffer

// out is a frame to write; rsv goes on its first fragment.
type out struct {
	op  proto.Opcode
	fin bool
	p   []byte
	rsv uint8
}

// writer is the sending half of a Conn. One goroutine at a time writes
// (the owner); frames that other goroutines send meanwhile are masked
// into a queue, which is written in one go after the owner's own frames:
// under load, many frames per system call.
type writer struct {
	nc net.Conn
	// message is held shared by Send and SendAll, which write their
	// frames in one go, and exclusively by SendFrom, whose fragments
	// span many writes: no data frame may go between them, while control
	// frames may (RFC 6455 section 5.4), so they do not take it.
	message sync.RWMutex

	mu      sync.Mutex
	cond    sync.Cond // on mu; signals the changes of busy, flushed
	busy    bool      // an owner is writing
	queue   *[]byte   // frames for the owner to write next
	queued  uint64    // batches of frames queued so far
	flushed uint64    // batches written or failed
	written uint64    // batches written
	ownKey  [4]byte   // the owner's masking key being drawn
	queKey  [4]byte   // the same for frames queued, under mu
	closed  bool      // a close frame was sent: nothing may follow (RFC 6455 section 5.5.1)
	err     error     // a failed write leaves the stream unusable

	// permessage-deflate, when negotiated: messages of threshold bytes
	// or more are compressed, under message held exclusively.
	deflater     *deflate.Compressor
	deflaterGone bool // released: the Conn is closed
	threshold    int
}

var errWriteAfterClose = errors.New("ws: close frame already sent")

// write sends one frame; fin false makes it a fragment of a message that
// more frames continue.
func (w *writer) write(op proto.Opcode, fin bool, p []byte) error {
	return w.send([]out{{op, fin, p, 0}}, 0)
}

// send writes frames in order, none of them interleaved with others,
// splitting data payloads longer than frag (if positive) into fragments.
// It returns once they are written.
func (w *writer) send(frames []out, frag int) error {
	size := 0
	for _, f := range frames {
		size += proto.MaxHeaderSize + len(f.p)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy && size <= coalesceMax {
		if err := w.admit(frames); err != nil {
			return err
		}
		if w.queue == nil {
			w.queue = getBuffer(coalesceMax)
		}
		*w.queue = w.encode(*w.queue, &w.queKey, frames, frag, false)
		w.queued++
		ticket := w.queued
		for w.flushed < ticket {
			if !w.busy { // the owner left: write the queue ourselves
				w.busy = true
				w.flush()
				w.leave()
				continue
			}
			w.cond.Wait()
		}
		if w.written < ticket {
			return w.err
		}
		return nil
	}
	for w.busy {
		w.cond.Wait()
	}
	if err := w.admit(frames); err != nil {
		return err
	}
	w.busy = true
	buf := getBuffer(size)
	w.mu.Unlock()
	*buf = w.encode(*buf, &w.ownKey, frames, frag, true)
	var err error
	if len(*buf) > 0 {
		_, err = w.nc.Write(*buf)
	}
	putBuffer(buf)
	w.mu.Lock()
	if err != nil {
		w.fail(err)
		err = w.err
	} else if w.err != nil {
		err = w.err // a write in encode failed
	}
	w.flush()
	w.leave()
	return err
}

// admit refuses frames once the stream is broken or closed, and marks it
// closed when they hold a close frame. w.mu is held.
func (w *writer) admit(frames []out) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errWriteAfterClose
	}
	for _, f := range frames {
		if f.op == proto.OpClose {
			w.closed = true
		}
	}
	return nil
}

// flush writes what is queued, once. w.mu is held, by the owner.
func (w *writer) flush() {
	if w.queue == nil || len(*w.queue) == 0 {
		return
	}
	batch, ticket := w.queue, w.queued
	w.queue = nil
	var err error
	if w.err == nil {
		w.mu.Unlock()
		_, err = w.nc.Write(*batch)
		w.mu.Lock()
	}
	putBuffer(batch)
	if err != nil {
		w.fail(err)
	}
	if w.err == nil {
		w.written = ticket
	}
	w.flushed = ticket
}

// leave ends the owner's turn; a goroutine whose frames were queued since
// the flush takes over. w.mu is held.
func (w *writer) leave() {
	w.busy = false
	w.cond.Broadcast()
}

// fail records a failed write: part of a frame may be out, so nothing can
// follow it. w.mu is held.
func (w *writer) fail(err error) {
	if w.err == nil {
		// The socket stays open for reading: what the peer sent before
		// the failure, often the close frame that explains it, is still
		// to be read. Close, or the reader meeting the end, closes it.
		w.err = fmt.Errorf("ws: write: %w", err)
	}
}

// encode appends frames to buf, masked, splitting data payloads longer
// than frag. With direct, buf is written out whenever it is full, outside
// w.mu, by the owner; otherwise it grows.
func (w *writer) encode(buf []byte, key *[4]byte, frames []out, frag int, direct bool) []byte {
	for _, f := range frames {
		op, p, rsv := f.op, f.p, f.rsv
		for {
			n := len(p)
			if frag > 0 && n > frag && !op.IsControl() {
				n = frag
			}
			last := n == len(p)
			fin := f.fin && last
			// Each key must be unpredictable to the application (RFC 6455
			// sections 5.3 and 10.3). crypto/rand costs about 30 ns here
			// (the kernel's getrandom through the vDSO). key points into
			// the writer, on the heap anyway: a local's slice would move
			// it there, one allocation per frame.
			rand.Read(key[:])
			h := proto.Header{Fin: fin, Rsv: rsv, Op: op, Masked: true, Length: int64(n), Key: *key}
			if direct && cap(buf)-len(buf) < proto.MaxHeaderSize {
				if buf = w.writeOut(buf); buf == nil {
					return nil
				}
			}
			buf = proto.AppendHeader(buf, h)
			pos := 0
			for q := p[:n]; ; {
				k := len(q)
				if direct {
					k = min(k, cap(buf)-len(buf))
				}
				start := len(buf)
				buf = append(buf, q[:k]...)
				pos = proto.Mask(h.Key, pos, buf[start:])
				q = q[k:]
				if len(q) == 0 {
					break
				}
				if buf = w.writeOut(buf); buf == nil {
					return nil
				}
			}
			p = p[n:]
			if last {
				break
			}
			op, rsv = proto.OpContinuation, 0
		}
	}
	return buf
}

// writeOut writes a full buffer for encode and returns it emptied, or nil
// after a failure, which it records.
func (w *writer) writeOut(buf []byte) []byte {
	if _, err := w.nc.Write(buf); err != nil {
		w.mu.Lock()
		w.fail(err)
		w.mu.Unlock()
		return nil
	}
	return buf[:0]
}
