package h2

import (
	"encoding/binary"
	"io"
	"net"
)

// sendFrameCap is the largest frame the transport sends on a stream: the
// least SETTINGS_MAX_FRAME_SIZE a server may announce (RFC 9113 section
// 6.5.2), which every server takes.
//
// x/net's transport (and net/http's, the same code) holds a scratch
// buffer for each stream's request body for as long as the stream lives,
// sized by the server's SETTINGS_MAX_FRAME_SIZE up to 512 KiB: Go's
// server announces 1 MiB, so every open Conn kept 512 KiB of heap, against
// 16 KiB for a server that keeps the default. Nothing in the transport's
// API sets that size, so the connection tells the transport no more than
// sendFrameCap (frameCapConn): 34 KB of heap per idle Conn instead of
// 542 KB against Go's server (BenchmarkMemory). The price is more DATA
// frames for a large message: an echo of 64 KiB takes about 12% longer
// against Go's server (BenchmarkEcho), small messages nothing; behind
// nghttpx or Apache, which keep the default, nothing changes.
const sendFrameCap = 16 << 10

// HTTP/2 frame layout (RFC 9113 sections 4.1 and 6.5.1).
const (
	frameHeaderLen     = 9
	frameTypeSettings  = 0x4
	settingsFlagAck    = 0x1
	settingLen         = 6
	settingMaxFrameLen = 0x5
)

// frameCapConn is the client's HTTP/2 connection, whose server's first
// frame, its SETTINGS (section 3.4), it hands to the transport with
// SETTINGS_MAX_FRAME_SIZE lowered to sendFrameCap; every byte after it
// passes untouched. The transport's read loop alone reads it.
type frameCapConn struct {
	net.Conn
	started bool
	head    []byte // what is left of the first frame
}

func (c *frameCapConn) Read(p []byte) (int, error) {
	if !c.started {
		c.started = true
		c.head = readFirstSettings(c.Conn)
	}
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// readFirstSettings reads the server's first frame: a SETTINGS frame
// whole, its SETTINGS_MAX_FRAME_SIZE lowered to sendFrameCap; anything
// else, its header alone, unchanged, for the transport to judge. A read
// that fails cuts it short: the connection's next Read reports the
// failure, as a socket repeats its error.
func readFirstSettings(r io.Reader) []byte {
	b := make([]byte, frameHeaderLen, frameHeaderLen+8*settingLen)
	if n, err := io.ReadFull(r, b); err != nil {
		return b[:n]
	}
	length := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	if b[3] != frameTypeSettings || b[4]&settingsFlagAck != 0 || length%settingLen != 0 || length > sendFrameCap {
		return b
	}
	b = append(b, make([]byte, length)...)
	if n, err := io.ReadFull(r, b[frameHeaderLen:]); err != nil {
		return b[:frameHeaderLen+n]
	}
	for s := b[frameHeaderLen:]; len(s) > 0; s = s[settingLen:] {
		if binary.BigEndian.Uint16(s) == settingMaxFrameLen && binary.BigEndian.Uint32(s[2:]) > sendFrameCap {
			binary.BigEndian.PutUint32(s[2:], sendFrameCap)
		}
	}
	return b
}
