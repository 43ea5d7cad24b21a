package main

import (
	"bytes"
	"context"

	"github.com/coder/websocket"
)

// coderConn uses coder/websocket's defaults and Write; it reads through
// Reader into a reused buffer, the zero-allocation read its README
// promises (Read allocates every message). Calls take
// context.Background, which costs no timer. Compression is
// CompressionContextTakeover, the mode its documentation calls very
// efficient for repetitive text protocols, with its default threshold
// (128 B, below every compressed message here).
type coderConn struct {
	c   *websocket.Conn
	typ websocket.MessageType
	buf bytes.Buffer
}

func dialCoder(d dialSpec) (conn, error) {
	var opts *websocket.DialOptions
	if d.compress {
		opts = &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover}
	}
	c, resp, err := websocket.Dial(context.Background(), d.url(), opts)
	if err != nil {
		return nil, err
	}
	if d.compress && !deflateAccepted(resp.Header) {
		c.CloseNow()
		return nil, errNoDeflate
	}
	c.SetReadLimit(readLimit) // its default is 32 KiB
	typ := websocket.MessageBinary
	if d.text {
		typ = websocket.MessageText
	}
	return &coderConn{c: c, typ: typ}, nil
}

func (c *coderConn) send(p []byte) error { return c.c.Write(context.Background(), c.typ, p) }

func (c *coderConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, c.recv)
}

func (c *coderConn) recv() ([]byte, error) {
	_, r, err := c.c.Reader(context.Background())
	if err != nil {
		return nil, err
	}
	c.buf.Reset()
	_, err = c.buf.ReadFrom(r)
	return c.buf.Bytes(), err
}

// idle reads: coder/websocket processes control frames only while it is
// read.
func (c *coderConn) idle() { go c.serve(nil, discard) }

func (c *coderConn) close() error { return c.c.Close(websocket.StatusNormalClosure, "") }
