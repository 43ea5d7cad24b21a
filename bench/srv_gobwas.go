package main

import (
	"bufio"
	"bytes"
	"net"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// serveGobwas echoes with gobwas/ws the way its README gives for speed:
// the zero-copy upgrade of ws.Upgrader on the accepted net.Conn, without
// net/http, then wsutil's Reader over a 4 KiB bufio.Reader into a reused
// buffer, control frames to wsutil.ControlFrameHandler (which answers a
// close), and a wsutil.Writer, one write per message. A goroutine per
// connection, as with the other libraries.
func serveGobwas(lns []net.Listener) {
	for _, ln := range lns {
		go func() {
			for {
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				go gobwasEcho(nc)
			}
		}()
	}
}

func gobwasEcho(nc net.Conn) {
	defer nc.Close()
	if _, err := (ws.Upgrader{}).Upgrade(nc); err != nil {
		return
	}
	ctl := wsutil.ControlFrameHandler(nc, ws.StateServerSide)
	r := &wsutil.Reader{Source: bufio.NewReaderSize(nc, 4<<10), State: ws.StateServerSide, OnIntermediate: ctl}
	w := wsutil.NewWriter(nc, ws.StateServerSide, ws.OpBinary)
	var buf bytes.Buffer
	for {
		hdr, err := r.NextFrame()
		if err != nil {
			return
		}
		if hdr.OpCode.IsControl() {
			if err := ctl(hdr, r); err != nil {
				return // a close, answered
			}
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		w.Reset(nc, ws.StateServerSide, hdr.OpCode)
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}
