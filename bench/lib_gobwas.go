package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// gobwasConn uses gobwas/ws with wsutil's Reader and Writer, the
// allocation-free path of its README (the wsutil.ReadServerData and
// WriteClientMessage helpers allocate or copy every message): a
// wsutil.Writer buffers a frame and writes it in one call, a
// wsutil.Reader reads frames from a 4 KiB bufio.Reader (the size
// gorilla's and gws's buffers have) into a reused buffer, and control
// frames go to wsutil.ControlFrameHandler.
type gobwasConn struct {
	nc  net.Conn
	r   *wsutil.Reader
	w   *wsutil.Writer
	ctl wsutil.FrameHandlerFunc
	buf bytes.Buffer
}

func dialGobwas(d dialSpec) (conn, error) {
	nc, br, _, err := ws.Dial(context.Background(), d.url())
	if err != nil {
		return nil, err
	}
	src := io.Reader(br) // what the server sent after its response, and the rest
	if br == nil {
		src = bufio.NewReaderSize(nc, 4<<10)
	}
	op := ws.OpBinary
	if d.text {
		op = ws.OpText
	}
	ctl := wsutil.ControlFrameHandler(nc, ws.StateClientSide)
	return &gobwasConn{
		nc:  nc,
		r:   &wsutil.Reader{Source: src, State: ws.StateClientSide, OnIntermediate: ctl},
		w:   wsutil.NewWriter(nc, ws.StateClientSide, op),
		ctl: ctl,
	}, nil
}

func (c *gobwasConn) send(p []byte) error {
	if _, err := c.w.Write(p); err != nil {
		return err
	}
	return c.w.Flush()
}

func (c *gobwasConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, c.recv)
}

func (c *gobwasConn) recv() ([]byte, error) {
	for {
		hdr, err := c.r.NextFrame()
		if err != nil {
			return nil, err
		}
		if hdr.OpCode.IsControl() {
			if err := c.ctl(hdr, c.r); err != nil {
				return nil, err
			}
			continue
		}
		c.buf.Reset()
		_, err = c.buf.ReadFrom(c.r)
		return c.buf.Bytes(), err
	}
}

func (c *gobwasConn) idle() { go c.serve(nil, discard) }

// close sends a close frame and reads until the server's.
func (c *gobwasConn) close() error {
	defer c.nc.Close()
	body := ws.NewCloseFrameBody(ws.StatusNormalClosure, "")
	if err := ws.WriteFrame(c.nc, ws.MaskFrameInPlace(ws.NewCloseFrame(body))); err != nil {
		return err
	}
	for {
		hdr, err := c.r.NextFrame()
		if err != nil {
			return err
		}
		if hdr.OpCode == ws.OpClose {
			return nil
		}
		if err := c.r.Discard(); err != nil {
			return err
		}
	}
}
