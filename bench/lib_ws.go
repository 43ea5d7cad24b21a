package main

import (
	"context"

	"github.com/hackney-go/ws"
)

// wsConn uses ws with its defaults, in passive mode: Send, and RecvInto
// reusing one buffer (its documented read path without allocation). In
// passive mode the socket is read only by a Recv, so an idle Conn needs
// nothing more: it has no goroutine. Compression is Compression with the
// zero Deflate: context takeover both ways, every message compressed.
type wsConn struct {
	c     *ws.Conn
	text  bool
	buf   []byte
	batch []ws.Frame
}

func dialWS(d dialSpec) (conn, error) {
	var opts []ws.Option
	if d.compress {
		opts = append(opts, ws.Compression(ws.Deflate{}))
	}
	c, err := ws.Connect(context.Background(), d.url(), opts...)
	if err != nil {
		return nil, err
	}
	if _, ok := c.Compression(); d.compress && !ok {
		c.Close()
		return nil, errNoDeflate
	}
	return &wsConn{c: c, text: d.text}, nil
}

func (c *wsConn) send(p []byte) error {
	if c.text {
		return c.c.Send(ws.Text(p))
	}
	return c.c.Send(ws.Binary(p))
}

func (c *wsConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, func() ([]byte, error) {
		f, err := c.c.RecvInto(c.buf)
		if cap(f.Payload) > cap(c.buf) {
			c.buf = f.Payload[:0] // grown: reuse the larger buffer
		}
		return f.Payload, err
	})
}

// sendBatch sends n messages with one SendAll: one write.
func (c *wsConn) sendBatch(p []byte, n int) error {
	c.batch = c.batch[:0]
	for range n {
		if c.text {
			c.batch = append(c.batch, ws.Text(p))
		} else {
			c.batch = append(c.batch, ws.Binary(p))
		}
	}
	return c.c.SendAll(c.batch...)
}

// idle keeps a Recv waiting, as an application that wants pings answered
// and a close noticed does: in passive mode the socket is read only then.
func (c *wsConn) idle() {
	go func() {
		for {
			if _, err := c.c.Recv(); err != nil {
				return
			}
		}
	}()
}

func (c *wsConn) close() error { return c.c.Close() }
