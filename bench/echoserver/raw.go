package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
)

// serveRaw is the echo of the baseline: the same payload bytes as the
// WebSocket echo, without framing. The client first sends the size of
// its messages as 4 bytes, big-endian; then every message of that size is
// read whole and written back, as the WebSocket echo does: the echoes of
// what one read brought go out together (batch), so that a client
// writing many messages at once gets the same service from both. The
// connection ends when the client half-closes it.
func serveRaw(nc net.Conn) {
	defer nc.Close()
	b := &batch{nc: nc}
	defer b.flush()
	br := bufio.NewReaderSize(b, readBuffer)
	var size [4]byte
	if _, err := io.ReadFull(br, size[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(size[:])
	if n == 0 || n > maxMessage {
		return
	}
	msg := make([]byte, n)
	for {
		if _, err := io.ReadFull(br, msg); err != nil {
			return
		}
		if _, err := b.Write(msg); err != nil {
			return
		}
	}
}
