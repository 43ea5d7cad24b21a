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
// read whole and written back, as the WebSocket echo does. The
// connection ends when the client half-closes it.
func serveRaw(nc net.Conn) {
	defer nc.Close()
	br := bufio.NewReaderSize(nc, readBuffer)
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
		if _, err := nc.Write(msg); err != nil {
			return
		}
	}
}
