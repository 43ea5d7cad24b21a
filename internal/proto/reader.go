package proto

import (
	"fmt"
	"math"
	"slices"

	"github.com/hackney-go/ws/internal/utf8x"
)

// Frame is what the Reader yields: a whole data message (its fragments
// joined), a single control frame, or a piece of a streamed message
// (Reader.Stream).
//
// Whether a Frame is a piece, and which, is the Reader's to say (Part),
// not a field: one more field in Frame made every Frame returned through
// Next, payload, take and finish cost small messages twice their parse
// time (BenchmarkReader/small-binary: 78 µs, then 150 µs).
type Frame struct {
	Op      Opcode
	Payload []byte
}

// Part is what of a streamed message a Frame holds.
type Part uint8

// The parts of a streamed message; zero is a whole message or a control
// frame.
const (
	PartMore Part = 1 + iota // a piece with more of the message after it
	PartLast                 // the message's last piece
)

// Part says what the Frame that Next or Commit returned last is of a
// streamed message.
func (r *Reader) Part() Part { return r.part }

// Reader turns the bytes an endpoint receives into messages and control
// frames, enforcing every receiving rule of RFC 6455: masking direction,
// reserved bits, opcodes, control frame form, fragmentation order, size
// limits (before anything is buffered) and UTF-8 of text, checked as the
// bytes arrive. After a Violation it is dead and returns it again.
//
// The zero Reader is a client's reader with no size limits.
type Reader struct {
	// Server makes the Reader expect masked frames, as a server must
	// (section 5.1); a client's Reader refuses them.
	Server bool
	// MaxFrame and MaxMessage bound a frame's payload and a message's
	// total payload; zero or less means no limit.
	MaxFrame, MaxMessage int64
	// Inflater, when set, decompresses the messages that a negotiated
	// permessage-deflate marks with RSV1 on their first frame (RFC 7692
	// section 6). It must enforce MaxMessage on what it produces.
	Inflater Inflater

	err *Violation

	// The frame being read; inPayload is false while waiting for a header.
	inPayload bool
	hdr       Header
	left      int64
	maskPos   int
	ctl       []byte // payload of a control frame being read

	// The data message being assembled; msgOp is 0 between messages.
	msgOp Opcode
	msg   []byte
	wire  int64 // payload bytes of the message on the wire so far
	utf8  utf8x.Validator

	// compressed says the message being assembled goes to the Inflater;
	// unmasked holds a masked frame's payload, unmasked, on its way there.
	compressed bool
	unmasked   []byte

	// buf is the caller's storage for the next message (SetBuffer);
	// borrowed says msg is assembled in it.
	buf      []byte
	borrowed bool

	// Streaming (Stream): stream says messages are streamed and room is
	// the caller's room for the next piece; streamed says the message
	// being read is, and fresh that its next piece is due even if empty:
	// the first, which tells the caller the message's kind, or pre, the
	// part assembled before streaming began.
	stream   bool
	room     []byte
	streamed bool
	fresh    bool
	part     Part // of the last Frame returned
	pre      []byte
}

// inflateChunk bounds the compressed input that goes into one piece of a
// streamed message: DEFLATE expands at most about 1032 times, so a piece
// stays under 600 kB whatever the peer sends.
const inflateChunk = 512

// Stream sets whether data messages are streamed: yielded by Next a piece
// at a time, as their payload arrives, instead of whole. On, the message
// being read (the part already assembled is its first piece) and the
// ones after are streamed; a piece holds at most len(room) bytes of an
// uncompressed payload, unlimited for a nil room, and PayloadBuffer
// offers room for a direct read; a compressed message's pieces are what
// inflateChunk bytes of its payload decompress to, and the first piece
// may be the part assembled before, of any length. The first piece of a
// message comes as soon as its first header is read, even empty, with
// its opcode; the others have OpContinuation. Off, the messages that
// start are assembled whole, while the rest of a streamed message is
// still yielded in pieces, for the caller to drop.
//
// A piece's Payload is the caller's input, the room, or memory of the
// Inflater's: valid until the next call.
func (r *Reader) Stream(on bool, room []byte) {
	r.stream, r.room = on, room
	if !on || r.msgOp == 0 || r.streamed || r.err != nil {
		return
	}
	r.streamed, r.fresh = true, true
	if r.compressed {
		r.pre = r.Inflater.Take()
	} else {
		r.pre, r.msg = r.msg, nil
		r.borrowed = false
	}
}

// SetBuffer makes the next data message to start be assembled in buf's
// storage when it fits, so that its payload is buf[:n]; a larger one
// grows into new memory, as append does. It lasts until DropBuffer.
func (r *Reader) SetBuffer(buf []byte) { r.buf = buf }

// DropBuffer ends SetBuffer. A message still being assembled in the
// buffer moves to memory of the Reader's own, as the caller may reuse the
// buffer from now on.
func (r *Reader) DropBuffer() {
	if r.borrowed && r.msgOp != 0 {
		r.msg = append(make([]byte, 0, cap(r.msg)), r.msg...)
	}
	r.buf, r.borrowed = nil, false
}

// Next reads frames from the start of b. It stops after the first whole
// message or control frame and returns it with ok set, or when b is used
// up. n is how many bytes of b it consumed; the caller keeps the rest and
// passes it again, with more input after it, to the next call. Only a
// partial header is ever left unconsumed.
//
// The payload of a returned Frame belongs to the caller.
func (r *Reader) Next(b []byte) (n int, f Frame, ok bool, err error) {
	if r.err != nil {
		return 0, f, false, r.err
	}
	r.part = 0
	if r.fresh && r.pre != nil {
		p := r.pre
		r.pre, r.fresh, r.part = nil, false, PartMore
		if r.compressed && r.msgOp == OpText && !r.utf8.Write(p) {
			return 0, f, false, r.fail(invalidUTF8())
		}
		return 0, Frame{Op: r.msgOp, Payload: p}, true, nil
	}
	for {
		if !r.inPayload {
			h, hn, herr := ParseHeader(b[n:])
			if herr != nil {
				return n, f, false, r.fail(herr.(*Violation))
			}
			if hn == 0 {
				return n, f, false, nil
			}
			if v := r.start(h); v != nil {
				return n, f, false, r.fail(v)
			}
			n += hn
		}
		k := int(min(int64(len(b)-n), r.left))
		if r.streamed && !r.hdr.Op.IsControl() {
			k = r.streamInput(k)
		}
		f, ok, done, v := r.payload(b[n : n+k])
		n += k
		if v != nil {
			return n, f, false, r.fail(v)
		}
		if ok || !done {
			return n, f, ok, nil
		}
	}
}

// Streams says whether Stream is on.
func (r *Reader) Streams() bool { return r.stream }

// streamInput bounds the k bytes of input a streamed message's piece
// may take.
func (r *Reader) streamInput(k int) int {
	switch {
	case r.compressed:
		return min(k, inflateChunk)
	case r.room != nil:
		return min(k, len(r.room))
	}
	return k
}

// PayloadBuffer returns room in the message being assembled, or in the
// room of a streamed one, where the next bytes of the current data
// frame's payload can be read directly, saving the copy out of the
// caller's read buffer, or nil when no data payload is awaited. Bytes
// read into it are handed over with Commit.
func (r *Reader) PayloadBuffer() []byte {
	if r.err != nil || !r.inPayload || r.hdr.Op.IsControl() || r.left == 0 || r.compressed {
		return nil
	}
	if r.streamed {
		return r.room[:min(int64(len(r.room)), r.left)]
	}
	if len(r.msg) == cap(r.msg) {
		// Grow by what has already arrived, never by what a header
		// claims: the room a peer can make us reserve stays bounded.
		r.msg = slices.Grow(r.msg, int(min(r.left, int64(max(len(r.msg), unboundedPrealloc)))))
	}
	room := r.msg[len(r.msg):cap(r.msg)]
	return room[:min(int64(len(room)), r.left)]
}

// Commit takes the first n bytes of the slice PayloadBuffer returned as
// the payload's next bytes, as Next takes them from its input, and returns
// the message they complete, if any.
func (r *Reader) Commit(n int) (f Frame, ok bool, err error) {
	if r.err != nil {
		return f, false, r.err
	}
	r.part = 0
	var dst []byte
	if r.streamed {
		dst = r.room[:n]
	} else {
		r.msg = r.msg[:len(r.msg)+n]
		dst = r.msg[len(r.msg)-n:]
	}
	f, ok, _, v := r.take(dst)
	if v != nil {
		return f, false, r.fail(v)
	}
	return f, ok, nil
}

func (r *Reader) fail(v *Violation) *Violation {
	r.err = v
	r.msg, r.ctl, r.pre = nil, nil, nil
	return v
}

func invalidUTF8() *Violation {
	return &Violation{Code: CloseInvalidPayload, Reason: "invalid UTF-8 in text message"}
}

// start checks a header against the connection's state and prepares to
// read its payload.
func (r *Reader) start(h Header) *Violation {
	switch {
	case h.Rsv == rsv1 && r.Inflater != nil:
		// RFC 7692 section 6: RSV1 marks a compressed message, on its
		// first frame only.
		if h.Op.IsControl() || h.Op == OpContinuation {
			return protocolErr(fmt.Sprintf("RSV1 set on a %v frame", h.Op))
		}
	case h.Rsv != 0:
		return protocolErr("reserved bits set without a negotiated extension")
	}
	switch {
	case !h.Op.known():
		return protocolErr(fmt.Sprintf("reserved opcode %#x", uint8(h.Op)))
	case h.Masked != r.Server:
		if r.Server {
			return protocolErr("frame from the client is not masked")
		}
		return protocolErr("frame from the server is masked")
	}
	if h.Op.IsControl() {
		if !h.Fin {
			return protocolErr("fragmented control frame")
		}
		if h.Length > MaxControlPayload {
			return protocolErr("control frame payload longer than 125 bytes")
		}
	} else {
		if h.Op == OpContinuation && r.msgOp == 0 {
			return protocolErr("continuation frame without a message to continue")
		}
		if h.Op != OpContinuation && r.msgOp != 0 {
			return protocolErr("new message started inside a fragmented message")
		}
		if r.MaxFrame > 0 && h.Length > r.MaxFrame {
			return tooBig("frame", r.MaxFrame, h.Length)
		}
		// Compared as a subtraction: a declared length near 1<<63 would
		// make the sum wrap below the limit. A compressed message is
		// bounded by what it inflates to; its wire size may exceed that
		// only by the few bytes per block of data stored uncompressed.
		limit, have := r.MaxMessage, int64(len(r.msg))
		if h.Op == OpContinuation && r.streamed {
			have = r.wire // what was streamed counts
		}
		if h.Rsv == rsv1 || h.Op == OpContinuation && r.compressed {
			have = r.wire
			if limit > 0 {
				limit += limit/256 + 64
			}
		}
		if limit > 0 && h.Length > limit-have {
			size := have + h.Length
			if size < 0 {
				size = math.MaxInt64
			}
			return tooBig("message", r.MaxMessage, size)
		}
		r.wire += h.Length
		if h.Op != OpContinuation {
			r.msgOp = h.Op
			r.utf8.Reset()
			r.compressed, r.wire = h.Rsv == rsv1, h.Length
			r.streamed, r.fresh = r.stream, r.stream
			if r.compressed || r.streamed {
				r.hdr, r.left, r.maskPos, r.inPayload = h, h.Length, 0, true
				return nil
			}
			// A whole message in one frame gets a buffer of its exact size
			// when the limits above bound what a peer can make us allocate
			// with a header alone; without them, the buffer grows as the
			// payload comes.
			r.msg, r.borrowed = r.buf[:0], r.buf != nil
			if h.Fin && int64(cap(r.buf)) < h.Length {
				size := h.Length
				if r.MaxFrame <= 0 && r.MaxMessage <= 0 {
					size = min(size, unboundedPrealloc)
				}
				r.msg, r.borrowed = make([]byte, 0, size), false
			}
		}
	}
	r.hdr, r.left, r.maskPos, r.inPayload = h, h.Length, 0, true
	return nil
}

// rsv1 is the RSV1 bit as Header.Rsv holds it.
const rsv1 = 0x4

// unboundedPrealloc caps the buffer a Reader without limits reserves for
// a message before its payload arrives.
const unboundedPrealloc = 64 << 10

func tooBig(what string, limit, size int64) *Violation {
	return &Violation{
		Code:   CloseMessageTooBig,
		Reason: fmt.Sprintf("%s of %d bytes exceeds the limit of %d", what, size, limit),
		Limit:  limit,
		Size:   size,
	}
}

// payload takes the next bytes of the current frame's payload from the
// caller's input.
func (r *Reader) payload(p []byte) (f Frame, ok, done bool, v *Violation) {
	if r.compressed && !r.hdr.Op.IsControl() {
		return r.inflate(p)
	}
	var dst []byte
	switch {
	case r.hdr.Op.IsControl():
		r.ctl = append(r.ctl, p...)
		dst = r.ctl[len(r.ctl)-len(p):]
	case r.streamed:
		dst = p // unmasked in place: the caller's input is the piece
	default:
		r.msg = append(r.msg, p...)
		dst = r.msg[len(r.msg)-len(p):]
	}
	return r.take(dst)
}

// take unmasks and checks the payload bytes just stored in dst. done
// reports that they ended the frame, ok that it completed f.
func (r *Reader) take(dst []byte) (f Frame, ok, done bool, v *Violation) {
	if r.hdr.Masked {
		r.maskPos = Mask(r.hdr.Key, r.maskPos, dst)
	}
	if r.msgOp == OpText && !r.hdr.Op.IsControl() && !r.utf8.Write(dst) {
		return f, false, false, invalidUTF8()
	}
	r.left -= int64(len(dst))
	if r.left > 0 {
		if r.streamed && !r.hdr.Op.IsControl() {
			f, ok = r.piece(dst, false)
		}
		return f, ok, false, nil
	}
	r.inPayload = false
	if r.streamed && !r.hdr.Op.IsControl() {
		f, ok, v = r.endPiece(dst)
	} else {
		f, ok, v = r.finish()
	}
	return f, ok, true, v
}

// piece returns p as a piece of the streamed message, and whether it is
// due: a piece with bytes, the last, or the first.
//
// Part says what it is only when it is due: a piece not returned (an empty
// fragment's) leaves it at 0, so that a control frame that follows is not
// taken for a piece (FuzzStreamReader's 19bf583e406d08e1).
func (r *Reader) piece(p []byte, last bool) (Frame, bool) {
	f := Frame{Op: OpContinuation, Payload: p}
	switch {
	case r.fresh:
		f.Op, r.fresh = r.msgOp, false
	case len(p) == 0 && !last:
		return f, false
	}
	r.part = PartMore
	if last {
		r.part = PartLast
	}
	return f, true
}

// endPiece ends a frame of a streamed message whose last bytes are p
// (for a compressed one, what they decompressed to), and returns its
// piece: the last one when the frame ends the message.
func (r *Reader) endPiece(p []byte) (Frame, bool, *Violation) {
	if !r.hdr.Fin {
		f, ok := r.piece(p, false)
		return f, ok, nil
	}
	if r.msgOp == OpText && !r.utf8.Complete() {
		return Frame{}, false, &Violation{Code: CloseInvalidPayload, Reason: "text message ends inside a UTF-8 sequence"}
	}
	f, _ := r.piece(p, true)
	r.msgOp, r.streamed, r.compressed = 0, false, false
	return f, true, nil
}

// inflate passes the next bytes of a compressed message's payload to the
// Inflater.
func (r *Reader) inflate(p []byte) (f Frame, ok, done bool, v *Violation) {
	if r.hdr.Masked {
		r.unmasked = append(r.unmasked[:0], p...)
		p = r.unmasked
		r.maskPos = Mask(r.hdr.Key, r.maskPos, p)
	}
	if err := r.Inflater.Write(p); err != nil {
		return f, false, false, asViolation(err)
	}
	r.left -= int64(len(p))
	if !r.streamed {
		if r.left > 0 {
			return f, false, false, nil
		}
		r.inPayload = false
		f, ok, v = r.finish()
		return f, ok, true, v
	}
	// Streamed: what p decompressed to is the piece, its UTF-8 checked
	// as it comes; the message's last output is what Finish leaves.
	var out []byte
	var err error
	if r.left > 0 || !r.hdr.Fin {
		out = r.Inflater.Take()
	} else if out, err = r.Inflater.Finish(nil); err != nil {
		return f, false, false, asViolation(err)
	}
	if r.msgOp == OpText && !r.utf8.Write(out) {
		return f, false, false, invalidUTF8()
	}
	if r.left > 0 {
		f, ok = r.piece(out, false)
		return f, ok, false, nil
	}
	r.inPayload = false
	f, ok, v = r.endPiece(out)
	return f, ok, true, v
}

// asViolation makes an Inflater's error a Violation: data that does not
// decompress is a protocol error (RFC 7692 gives no code of its own).
func asViolation(err error) *Violation {
	if v, ok := err.(*Violation); ok {
		return v
	}
	return protocolErr("compressed data: " + err.Error())
}

// finish ends the current frame and returns what it completes.
func (r *Reader) finish() (Frame, bool, *Violation) {
	op := r.hdr.Op
	if op.IsControl() {
		var p []byte
		if len(r.ctl) > 0 {
			p = append([]byte(nil), r.ctl...)
			r.ctl = r.ctl[:0]
		}
		if op == OpClose {
			if _, _, v := ParseClose(p); v != nil {
				return Frame{}, false, v
			}
		}
		return Frame{Op: op, Payload: p}, true, nil
	}
	if !r.hdr.Fin {
		return Frame{}, false, nil
	}
	if r.compressed {
		dst := r.buf
		if dst != nil {
			dst = dst[:0]
		}
		p, err := r.Inflater.Finish(dst)
		if err != nil {
			return Frame{}, false, asViolation(err)
		}
		// Compressed data is not text until inflated (RFC 7692
		// section 6.1): its UTF-8 is checked whole, here.
		if r.msgOp == OpText && !utf8x.Valid(p) {
			return Frame{}, false, invalidUTF8()
		}
		f := Frame{Op: r.msgOp, Payload: p}
		r.msgOp, r.msg, r.compressed = 0, nil, false
		return f, true, nil
	}
	if r.msgOp == OpText && !r.utf8.Complete() {
		return Frame{}, false, &Violation{Code: CloseInvalidPayload, Reason: "text message ends inside a UTF-8 sequence"}
	}
	f := Frame{Op: r.msgOp, Payload: r.msg}
	r.msgOp, r.msg = 0, nil
	return f, true, nil
}

// Inflater decompresses the messages of a negotiated compression
// extension, a message at a time: Write takes the payload as it comes,
// Finish ends the message and returns it whole, appended to dst when dst
// is not nil (the caller's buffer, from SetBuffer), else in memory handed
// over. Take, for a streamed message, returns the output of the Writes
// since the last Take, valid until the next call; Finish then returns
// only what no Take did. Errors that are a *Violation keep their close
// code; any other is a protocol error.
type Inflater interface {
	Write(p []byte) error
	Finish(dst []byte) ([]byte, error)
	Take() []byte
}
