package ws

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

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
//
// The frames the reader owes the peer, a pong and the close frame, are
// replies: posted without waiting (reply), written by the owner with its
// next frames, between the fragments of its message if need be, or by a
// goroutine of their own (drain) when nobody is writing. A reader never
// waits on the writer: a peer that stops reading, or a Send blocked on
// one, must not hold a Recv past its bound nor stop the reading that
// would let the peer go on.
//
// Bounds: every wait on cond ends when the owner's write does, which the
// peer's reading bounds, or the socket's write deadline once Close or the
// end of the connection sets it (CloseTimeout, limit), or the socket's
// close; a bounded send's (SendContext, SendTimeout) also ends at its
// bound, and its own write too: the socket's deadline is the bound's
// while the owner writes its frames.
type writer struct {
	nc  net.Conn
	tls bool // nc is TLS: a write cut short breaks it, even before its first byte
	// vectored says nc writes net.Buffers in one system call (writev);
	// vec and its array are the owner's, kept here so that such a write
	// allocates nothing.
	vectored bool
	vec      net.Buffers
	vecArr   [2][]byte
	// message is the message lock (gate): no data frame may go between
	// the fragments of a message, while control frames may (RFC 6455
	// section 5.4), so they do not take it.
	message gate

	mu      sync.Mutex
	cond    sync.Cond // on mu; signals the changes of busy, flushed
	busy    bool      // an owner is writing
	queue   *[]byte   // frames for the owner to write next
	queued  uint64    // batches of frames and replies posted so far
	flushed uint64    // batches written or failed
	written uint64    // batches written
	ownKeys keys      // the owner's masking keys
	queKeys keys      // the same for frames queued and replies, under mu
	server  bool      // the Conn is a server's: its frames go unmasked (RFC 6455 section 5.1)
	closed  bool      // a close frame was sent: nothing may follow (RFC 6455 section 5.5.1)
	err     error     // a failed write leaves the stream unusable
	taken   uint64    // batches a flush has taken from the queue
	// marks are where the frames of bounded sends end in the queue, so
	// that one whose bound passes before the queue is taken can leave it.
	marks []mark

	// Write deadlines, under mu: hard is the one Close or the end of the
	// connection sets; turn is the bound of the owner's own frames, and
	// cut says its context ended. The socket's deadline is the earlier.
	hard    time.Time
	turn    time.Time
	turnID  uint64
	cut     bool
	wrote   int  // bytes the owner wrote in its turn, outside mu
	timedUp bool // the owner's bound cut its first write before a byte: nothing is out

	// replies holds the replies due, masked, under mu: pongs up to
	// pongEnd, then maybe the close frame. due says whether there are
	// any, for the owner to look between fragments without taking mu.
	replies *[]byte
	pongEnd int
	due     atomic.Bool
	drains  sync.WaitGroup // the drain goroutines

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
	return w.send(nil, []out{{op, fin, p, 0}}, 0)
}

// mark is where a bounded send's frames end in the queue.
type mark struct {
	ticket uint64
	end    int
}

// send writes frames in order, none of them interleaved with others but
// replies between fragments, splitting data payloads longer than frag (if
// positive) into fragments. It returns once they are written, or, when b
// passes first, b's error with nothing written, or errSendCut with part
// of them out.
func (w *writer) send(b *bound, frames []out, frag int) error {
	size := 0
	for _, f := range frames {
		size += proto.MaxHeaderSize + len(f.p)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy && size <= coalesceMax {
		return w.join(b, frames, frag)
	}
	if w.busy && b.bounded() {
		defer b.watch(&w.mu, &w.cond)()
	}
	for w.busy {
		if b.bounded() && b.expired() {
			return b.err()
		}
		w.cond.Wait()
	}
	if err := w.admit(frames); err != nil {
		return err
	}
	w.busy = true
	bounded := b.bounded()
	if bounded {
		defer w.startTurn(b)()
	}
	buf := getBuffer(size)
	w.wrote, w.timedUp = 0, false
	w.mu.Unlock()
	out, cut := w.encode(*buf, frames, frag)
	if len(out) > 0 {
		w.writeOut(out)
	}
	*buf = out
	putBuffer(buf)
	w.mu.Lock()
	var err error
	switch {
	case w.timedUp:
		err = b.err()
	case w.err != nil:
		err = w.err
		if w.ownCut() {
			err = errSendCut
		}
	case cut:
		err = errWriteAfterClose
	}
	if bounded {
		w.endTurn()
	}
	w.flush()
	w.leave()
	return err
}

// join adds small frames to the queue that the owner writes next, and
// waits until they are written. A bounded send whose bound passes while
// its frames are still queued takes them out; once they are being
// written, it cuts the write short (errSendCut). w.mu is held.
func (w *writer) join(b *bound, frames []out, frag int) error {
	if err := w.admit(frames); err != nil {
		return err
	}
	if w.queue == nil {
		w.queue = getBuffer(coalesceMax)
	}
	start := len(*w.queue)
	*w.queue = w.encodeQueued(*w.queue, frames, frag)
	w.queued++
	ticket := w.queued
	if b.bounded() {
		w.marks = append(w.marks, mark{ticket, len(*w.queue)})
		defer b.watch(&w.mu, &w.cond)()
	}
	for w.flushed < ticket {
		if !w.busy { // the owner left: write the queue ourselves
			w.busy = true
			w.flush()
			w.leave()
			continue
		}
		if b.bounded() && b.expired() {
			if ticket > w.taken {
				w.unqueue(ticket, start)
				return b.err()
			}
			// Being written: the stream cannot wait for it.
			w.nc.SetWriteDeadline(time.Unix(1, 0))
			for w.flushed < ticket {
				w.cond.Wait()
			}
			if w.written < ticket {
				return errSendCut
			}
			w.applyDeadline() // the write was done before the cut
			return nil
		}
		w.cond.Wait()
	}
	if w.written < ticket {
		return w.err
	}
	return nil
}

// unqueue takes the frames of a bounded send, from start to its mark,
// out of the queue. w.mu is held.
func (w *writer) unqueue(ticket uint64, start int) {
	for i, m := range w.marks {
		if m.ticket != ticket {
			continue
		}
		q := *w.queue
		n := copy(q[start:], q[m.end:])
		*w.queue = q[:start+n]
		cutLen := m.end - start
		w.marks = append(w.marks[:i], w.marks[i+1:]...)
		for j := i; j < len(w.marks); j++ {
			w.marks[j].end -= cutLen
		}
		return
	}
}

// startTurn bounds the owner's own writes by b, and returns the func
// that ends the bound. w.mu is held.
func (w *writer) startTurn(b *bound) (stop func()) {
	w.turnID++
	id := w.turnID
	w.turn, w.cut = b.deadline, false
	w.applyDeadline()
	if b.ctx == nil {
		return func() {}
	}
	cancel := context.AfterFunc(b.ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.turnID == id {
			w.cut = true
			w.applyDeadline()
		}
	})
	return func() { cancel() }
}

// endTurn lifts the owner's bound: the writes that follow are others'
// frames and replies. w.mu is held.
func (w *writer) endTurn() {
	w.turn, w.cut = time.Time{}, false
	w.applyDeadline()
	w.turnID++
}

// limit sets the write deadline that Close or the end of the connection
// imposes on every write from now on. It bounds settle and the waits on
// cond. w.mu must not be held.
func (w *writer) limit(deadline time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hard = deadline
	w.applyDeadline()
}

// applyDeadline sets the socket's write deadline to the earliest of the
// hard deadline and the owner's bound. w.mu is held.
func (w *writer) applyDeadline() {
	d := w.hard
	if w.cut {
		d = time.Unix(1, 0)
	} else if !w.turn.IsZero() && (d.IsZero() || w.turn.Before(d)) {
		d = w.turn
	}
	w.nc.SetWriteDeadline(d)
}

// ownCut says whether the owner's own bound, not the hard deadline, cut
// its write short. w.mu is held.
func (w *writer) ownCut() bool {
	now := time.Now()
	own := w.cut || !w.turn.IsZero() && !now.Before(w.turn)
	return own && (w.hard.IsZero() || now.Before(w.hard))
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

// reply posts a pong or a close frame that the reader owes the peer, or
// the keepalive's ping, and returns at once, with the ticket that flushed reaches once it is
// written or has failed (0 when nothing can be sent any more).
// Pongs wait in one small buffer: when it is full, the older ones are
// dropped, as RFC 6455 section 5.5.3 allows (an endpoint may answer only
// the most recent of the pings it has not answered yet), so that a flood
// of pings takes no more memory. Nothing follows a close frame.
func (w *writer) reply(op proto.Opcode, p []byte) (ticket uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.closed {
		return 0
	}
	if w.replies == nil {
		w.replies = getBuffer(0)
	}
	if op == proto.OpPong && len(*w.replies)+2*(proto.MaxHeaderSize+proto.MaxControlPayload) > smallWriteBuffer {
		*w.replies = keepPings(*w.replies)
	}
	*w.replies = w.appendFrame(*w.replies, proto.Header{Fin: true, Op: op}, p)
	if op == proto.OpClose {
		w.closed = true
	} else {
		w.pongEnd = len(*w.replies)
	}
	w.due.Store(true)
	w.queued++
	if !w.busy {
		w.busy = true
		w.startDrain()
	}
	return w.queued
}

// keepPings drops the pongs from replies, keeping the keepalive's pings
// (an unanswered one would fail the connection), in place.
func keepPings(replies []byte) []byte {
	kept := 0
	for rest := replies; len(rest) > 0; {
		h, n, _ := proto.ParseHeader(rest) // written by appendFrame: whole
		size := n + int(h.Length)
		if h.Op == proto.OpPing {
			kept += copy(replies[kept:], rest[:size])
		}
		rest = rest[size:]
	}
	return replies[:kept]
}

// takeReplies returns the replies due and where their pongs end: a
// close frame follows when pongEnd is short of their length. w.mu is
// held.
func (w *writer) takeReplies() (r *[]byte, pongEnd int) {
	r, pongEnd = w.replies, w.pongEnd
	w.replies, w.pongEnd = nil, 0
	w.due.Store(false)
	return r, pongEnd
}

// settle waits until everything up to ticket is written or has failed.
// The caller bounds it by setting the socket's write deadline first.
func (w *writer) settle(ticket uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.flushed < ticket {
		w.cond.Wait()
	}
}

// startDrain starts a goroutine that writes the replies due, as the
// owner: busy is set, w.mu held.
func (w *writer) startDrain() {
	w.drains.Add(1)
	go func() {
		defer w.drains.Done()
		w.mu.Lock()
		defer w.mu.Unlock()
		w.flush()
		w.leave()
	}()
}

// flush writes what is queued and the replies due, once: the pongs
// first, so that a pong goes before every frame sent after its ping was
// received (a peer may wait for it before it goes on), then the queue,
// then the close frame, after which nothing may go. w.mu is held, by the
// owner.
func (w *writer) flush() {
	ticket := w.queued
	if w.queue == nil && w.replies == nil {
		// Everything posted has been written, or has failed: replies put
		// between fragments went out with the owner's write.
		w.settled(ticket)
		return
	}
	batch := w.queue
	replies, pongEnd := w.takeReplies()
	w.queue, w.taken, w.marks = nil, ticket, w.marks[:0]
	var err error
	if w.err == nil {
		w.mu.Unlock()
		switch {
		case replies == nil:
			_, err = w.nc.Write(*batch)
		case batch == nil:
			_, err = w.nc.Write(*replies)
		default:
			// No empty piece: a net.Pipe would wait for a reader of it.
			var all net.Buffers
			for _, b := range [][]byte{(*replies)[:pongEnd], *batch, (*replies)[pongEnd:]} {
				if len(b) > 0 {
					all = append(all, b)
				}
			}
			_, err = all.WriteTo(w.nc)
		}
		w.mu.Lock()
	}
	if batch != nil {
		putBuffer(batch)
	}
	if replies != nil {
		putBuffer(replies)
	}
	if err != nil {
		w.fail(err)
	}
	w.settled(ticket)
}

// settled records that everything up to ticket is written, or failed.
// w.mu is held.
func (w *writer) settled(ticket uint64) {
	if w.err == nil {
		w.written = ticket
	}
	if w.flushed < ticket {
		w.flushed = ticket
		w.cond.Broadcast()
	}
}

// leave ends the owner's turn; a goroutine whose frames were queued since
// the flush takes over. Replies posted since need an owner still: a drain
// goroutine takes over for them. w.mu is held.
func (w *writer) leave() {
	if w.replies != nil && w.err == nil {
		w.startDrain()
		return
	}
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
		w.err = fmt.Errorf("%w: write: %w", ErrClosed, err)
	}
	if r, _ := w.takeReplies(); r != nil {
		putBuffer(r)
	}
}

// encode appends the owner's frames to buf, masked for a client, splitting data
// payloads longer than frag, and writes buf out whenever it is full,
// outside w.mu. Between fragments it puts the replies due; cut says a
// close frame went there, which ends the message: nothing may follow it.
// It returns what is left to write, nil after a failure it recorded.
func (w *writer) encode(buf []byte, frames []out, frag int) (_ []byte, cut bool) {
	for _, f := range frames {
		first := true
		for h, p := range f.pieces(frag) {
			if !first && w.due.Load() {
				if buf, cut = w.inline(buf); buf == nil || cut {
					return buf, cut
				}
			}
			first = false
			if cap(buf)-len(buf) < proto.MaxHeaderSize {
				if buf = w.writeOut(buf); buf == nil {
					return nil, false
				}
			}
			h.Length = int64(len(p))
			if !w.server {
				h.Masked, h.Key = true, w.ownKeys.next()
			}
			buf = proto.AppendHeader(buf, h)
			if !h.Masked && w.vectored && len(p) > cap(buf)-len(buf) {
				// Unmasked and too long for the buffer: the payload goes
				// out as it is, with what is buffered, in one writev
				// rather than copied through the buffer in pieces.
				if buf = w.writeAlong(buf, p); buf == nil {
					return nil, false
				}
				continue
			}
			pos := 0
			for q := p; ; {
				k := min(len(q), cap(buf)-len(buf))
				start := len(buf)
				buf = append(buf, q[:k]...)
				if h.Masked {
					pos = proto.Mask(h.Key, pos, buf[start:])
				}
				q = q[k:]
				if len(q) == 0 {
					break
				}
				if buf = w.writeOut(buf); buf == nil {
					return nil, false
				}
			}
		}
	}
	return buf, false
}

// pieces yields the frames that f goes out as, each header with its
// payload: f itself, or, for a data frame longer than frag (if positive),
// fragments of frag bytes (RFC 6455 section 5.4).
func (f out) pieces(frag int) iter.Seq2[proto.Header, []byte] {
	return func(yield func(proto.Header, []byte) bool) {
		op, p, rsv := f.op, f.p, f.rsv
		for {
			n := len(p)
			if frag > 0 && n > frag && !op.IsControl() {
				n = frag
			}
			last := n == len(p)
			if !yield(proto.Header{Fin: f.fin && last, Rsv: rsv, Op: op}, p[:n]) || last {
				return
			}
			p = p[n:]
			op, rsv = proto.OpContinuation, 0
		}
	}
}

// inline writes the replies due between two fragments of the owner's
// message, where RFC 6455 section 5.4 lets control frames go, so that a
// long fragmented message does not hold them back; buf, what encode has
// so far, goes first. cut says the replies ended with a close frame,
// which ends the message: nothing may follow it. It returns buf emptied,
// nil after a failure it recorded.
func (w *writer) inline(buf []byte) (_ []byte, cut bool) {
	if buf = w.writeOut(buf); buf == nil {
		return nil, false
	}
	w.mu.Lock()
	r, pongEnd := w.takeReplies()
	w.mu.Unlock()
	if r == nil {
		return buf, false
	}
	defer putBuffer(r)
	if w.writeOut(*r) == nil {
		return nil, false
	}
	return buf, pongEnd < len(*r)
}

// encodeQueued appends frames to the queue, masked, splitting data
// payloads longer than frag. w.mu is held.
func (w *writer) encodeQueued(buf []byte, frames []out, frag int) []byte {
	for _, f := range frames {
		for h, p := range f.pieces(frag) {
			buf = w.appendFrame(buf, h, p)
		}
	}
	return buf
}

// appendFrame appends a frame of header h and payload p, masked with a
// new key unless the Conn is a server's. w.mu is held.
func (w *writer) appendFrame(buf []byte, h proto.Header, p []byte) []byte {
	h.Length = int64(len(p))
	if w.server {
		return append(proto.AppendHeader(buf, h), p...)
	}
	h.Masked, h.Key = true, w.queKeys.next()
	buf = proto.AppendHeader(buf, h)
	start := len(buf)
	buf = append(buf, p...)
	proto.Mask(h.Key, 0, buf[start:])
	return buf
}

// writeOut writes a buffer of the owner's and returns it emptied, or nil
// after a failure, which it records: one that the owner's bound caused
// before a byte went out over plain TCP leaves the stream whole
// (timedUp); any other breaks it.
func (w *writer) writeOut(buf []byte) []byte {
	n, err := w.nc.Write(buf)
	return w.wroteOut(buf, n, err)
}

// writeAlong is writeOut of buf followed by p, in one system call.
func (w *writer) writeAlong(buf, p []byte) []byte {
	w.vecArr = [2][]byte{buf, p}
	w.vec = w.vecArr[:]
	n, err := w.vec.WriteTo(w.nc) // consumes vec
	w.vecArr = [2][]byte{}        // p is the caller's: keep nothing of it
	return w.wroteOut(buf, int(n), err)
}

// wroteOut records the outcome of writeOut's write of n bytes.
func (w *writer) wroteOut(buf []byte, n int, err error) []byte {
	w.wrote += n
	if err != nil {
		w.mu.Lock()
		if w.wrote == 0 && !w.tls && errors.Is(err, os.ErrDeadlineExceeded) && w.ownCut() {
			w.timedUp = true
		} else {
			w.fail(err)
		}
		w.mu.Unlock()
		return nil
	}
	return buf[:0]
}
