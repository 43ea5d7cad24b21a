package main

import (
	"context"

	"github.com/hackney-go/ws"
)

// wsConn uses ws with its defaults, in passive mode: Send, and Recv,
// whose Frame owns its payload. Its own goroutine reads the socket, so an
// idle Conn needs nothing more.
type wsConn struct {
	c    *ws.Conn
	text bool
}

func dialWS(d dialSpec) (conn, error) {
	c, err := ws.Connect(context.Background(), d.url())
	if err != nil {
		return nil, err
	}
	return &wsConn{c, d.text}, nil
}

func (c *wsConn) send(p []byte) error {
	if c.text {
		return c.c.Send(ws.Text(p))
	}
	return c.c.Send(ws.Binary(p))
}

func (c *wsConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, func() ([]byte, error) {
		f, err := c.c.Recv()
		return f.Payload, err
	})
}

func (c *wsConn) idle() {}

func (c *wsConn) close() error { return c.c.Close() }
