package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
)

const (
	// maxMessage bounds a message, fragments joined; the largest the
	// benchmark sends is 16 MiB.
	maxMessage = 64 << 20
	// headroom is kept in front of a message for the largest header of an
	// unmasked frame, so that the echo goes out in one write.
	headroom = 10
	// readBuffer is small because ten thousand idle connections each
	// hold one; payloads larger than it are read past it, straight into
	// the message.
	readBuffer = 4 << 10
)

// Opcodes of RFC 6455 section 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

var errProtocol = errors.New("protocol error")

// serveWebSocket upgrades nc and echoes every message, joined into one
// unfragmented frame, once it has arrived whole: echoing fragments as they
// come would deadlock a client that writes a large message before it
// reads. Pings are answered, a close is echoed and then the server closes
// the TCP connection first (RFC 6455 section 7.1.1), so the TIME_WAIT
// state stays here.
func serveWebSocket(nc net.Conn) {
	defer nc.Close()
	b := &batch{nc: nc}
	br := bufio.NewReaderSize(b, readBuffer)
	d, err := upgrade(br, nc)
	if err != nil {
		return
	}
	err = echo(br, b, d)
	if b.flush() == nil && errors.Is(err, errProtocol) {
		nc.Write([]byte{0x80 | opClose, 2, 0x03, 0xEA}) // 1002
	}
}

// batchMax is the largest reply a batch holds; larger ones are written
// at once, after what the batch holds.
const batchMax = 16 << 10

// batch holds the server's replies until it must read again: the echoes
// of all the messages that one read brought go out in one write, as a
// server under load writes them, so that a client sending a batch of
// messages in one write is not held to one read per echo. Nothing is
// held while the server waits for input.
type batch struct {
	nc  net.Conn
	out []byte
}

func (b *batch) Write(p []byte) (int, error) {
	if len(p) > batchMax {
		if err := b.flush(); err != nil {
			return 0, err
		}
		return b.nc.Write(p)
	}
	b.out = append(b.out, p...)
	return len(p), nil
}

// Read is the bufio.Reader's: it needs more input, so the replies to
// what it had go out first.
func (b *batch) Read(p []byte) (int, error) {
	if err := b.flush(); err != nil {
		return 0, err
	}
	return b.nc.Read(p)
}

func (b *batch) flush() error {
	if len(b.out) == 0 {
		return nil
	}
	_, err := b.nc.Write(b.out)
	b.out = b.out[:0]
	if cap(b.out) > 4*batchMax {
		b.out = nil // a burst does not stay in memory
	}
	return err
}

type frameHeader struct {
	fin    bool
	rsv1   bool // compressed, on the first frame of a message
	opcode byte
	length int
	mask   [4]byte
}

// echo serves the connection's messages; d, when not nil, inflates the
// compressed ones and compresses every echo.
func echo(br *bufio.Reader, w io.Writer, d *deflater) error {
	var msg []byte // headroom, then the message being joined
	var ctl [2 + 125]byte
	var inMessage, compressed bool
	var opcode byte
	n := 0
	for {
		h, err := readHeader(br, d != nil)
		if err != nil {
			return err
		}
		if h.rsv1 && (h.opcode >= opClose || h.opcode == opContinuation) {
			return errProtocol // RFC 7692 section 6: the first data frame only
		}
		if h.opcode >= opClose {
			if !h.fin || h.length > 125 {
				return errProtocol
			}
			p := ctl[2 : 2+h.length]
			if _, err := io.ReadFull(br, p); err != nil {
				return err
			}
			switch h.opcode {
			case opPing:
				unmask(p, h.mask)
				ctl[0], ctl[1] = 0x80|opPong, byte(h.length)
				if _, err := w.Write(ctl[:2+h.length]); err != nil {
					return err
				}
			case opClose:
				code := min(h.length, 2) // echo the status code, not the reason
				unmask(p[:code], h.mask)
				ctl[0], ctl[1] = 0x80|opClose, byte(code)
				w.Write(ctl[:2+code])
				return nil
			case opPong:
			default:
				return errProtocol
			}
			continue
		}
		switch h.opcode {
		case opContinuation:
			if !inMessage {
				return errProtocol
			}
		case opText, opBinary:
			if inMessage {
				return errProtocol
			}
			inMessage, opcode, n, compressed = true, h.opcode, 0, h.rsv1
		default:
			return errProtocol
		}
		if n+h.length > maxMessage {
			return errProtocol
		}
		if need := headroom + n + h.length; need > cap(msg) {
			grown := make([]byte, max(need, 2*cap(msg)))
			copy(grown[:headroom+n], msg) // the frames joined so far
			msg = grown
		}
		p := msg[headroom+n : headroom+n+h.length]
		if _, err := io.ReadFull(br, p); err != nil {
			return err
		}
		unmask(p, h.mask)
		n += h.length
		if h.fin && d != nil {
			inMessage = false
			if err := echoCompressed(w, d, opcode, msg[headroom:headroom+n], compressed); err != nil {
				return err
			}
		} else if h.fin {
			inMessage = false
			start := putHeader(msg[:headroom], opcode, n)
			if _, err := w.Write(msg[start : headroom+n]); err != nil {
				return err
			}
		}
	}
}

// echoCompressed echoes message p, which the client compressed if
// compressed, as one compressed frame.
func echoCompressed(w io.Writer, d *deflater, opcode byte, p []byte, compressed bool) error {
	if compressed {
		var err error
		if p, err = d.inflate(p); err != nil {
			return err
		}
	}
	f, err := d.frame(opcode, p)
	if err != nil {
		return err
	}
	_, err = w.Write(f)
	return err
}

// readHeader reads a client frame's header; client frames must be masked
// (RFC 6455 section 5.1). RSV1 is allowed when permessage-deflate was
// agreed (rsv1), the other reserved bits never.
func readHeader(br *bufio.Reader, rsv1 bool) (frameHeader, error) {
	var b [8]byte
	var h frameHeader
	if _, err := io.ReadFull(br, b[:2]); err != nil {
		return h, err
	}
	reserved := byte(0x70)
	if rsv1 {
		reserved = 0x30
	}
	if b[0]&reserved != 0 || b[1]&0x80 == 0 {
		return h, errProtocol // an extension not agreed; unmasked
	}
	h.fin, h.rsv1, h.opcode = b[0]&0x80 != 0, b[0]&0x40 != 0, b[0]&0x0F
	switch l := int(b[1] & 0x7F); l {
	case 126:
		if _, err := io.ReadFull(br, b[:2]); err != nil {
			return h, err
		}
		h.length = int(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(br, b[:8]); err != nil {
			return h, err
		}
		l := binary.BigEndian.Uint64(b[:8])
		if l > maxMessage {
			return h, errProtocol
		}
		h.length = int(l)
	default:
		h.length = l
	}
	_, err := io.ReadFull(br, h.mask[:])
	return h, err
}

// putHeader writes the header of an unmasked final frame of n bytes at
// the end of head and returns where it starts.
func putHeader(head []byte, opcode byte, n int) int {
	end := len(head)
	switch {
	case n < 126:
		head[end-2], head[end-1] = 0x80|opcode, byte(n)
		return end - 2
	case n <= 0xFFFF:
		binary.BigEndian.PutUint16(head[end-2:], uint16(n))
		head[end-4], head[end-3] = 0x80|opcode, 126
		return end - 4
	}
	binary.BigEndian.PutUint64(head[end-8:], uint64(n))
	head[end-10], head[end-9] = 0x80|opcode, 127
	return end - 10
}

// unmask XORs p with the masking key (RFC 6455 section 5.3), eight bytes
// at a time, so that the server keeps up with 16 MiB messages.
func unmask(p []byte, key [4]byte) {
	k := uint64(binary.LittleEndian.Uint32(key[:]))
	k |= k << 32
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k)
		p = p[8:]
	}
	for i := range p {
		p[i] ^= key[i&3]
	}
}
