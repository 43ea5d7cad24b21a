package main

import (
	"bytes"
	"time"

	"github.com/gorilla/websocket"
)

// gorillaConn uses gorilla/websocket's default Dialer (4 KiB buffers)
// and WriteMessage; it reads through NextReader into a buffer reused from
// message to message, as ReadMessage would allocate one each time.
// Compression is the Dialer's EnableCompression, which offers no context
// takeover both ways (all gorilla supports) and compresses every message
// at its default level, 1.
type gorillaConn struct {
	c   *websocket.Conn
	typ int
	buf bytes.Buffer
}

func dialGorilla(d dialSpec) (conn, error) {
	dialer := websocket.DefaultDialer
	if d.compress {
		withDeflate := *websocket.DefaultDialer
		withDeflate.EnableCompression = true
		dialer = &withDeflate
	}
	c, resp, err := dialer.Dial(d.url(), nil)
	if err != nil {
		return nil, err
	}
	if d.compress && !deflateAccepted(resp.Header) {
		c.Close()
		return nil, errNoDeflate
	}
	typ := websocket.BinaryMessage
	if d.text {
		typ = websocket.TextMessage
	}
	return &gorillaConn{c: c, typ: typ}, nil
}

func (c *gorillaConn) send(p []byte) error { return c.c.WriteMessage(c.typ, p) }

func (c *gorillaConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, c.recv)
}

func (c *gorillaConn) recv() ([]byte, error) {
	_, r, err := c.c.NextReader()
	if err != nil {
		return nil, err
	}
	c.buf.Reset()
	_, err = c.buf.ReadFrom(r)
	return c.buf.Bytes(), err
}

// idle reads, as gorilla's documentation requires for control frames to
// be processed.
func (c *gorillaConn) idle() { go c.serve(nil, discard) }

// close follows gorilla's examples: send a close message, then read until
// the server's close ends the connection.
func (c *gorillaConn) close() error {
	deadline := time.Now().Add(5 * time.Second)
	err := c.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
	if err == nil {
		c.c.SetReadDeadline(deadline)
		for {
			if _, _, err = c.c.NextReader(); err != nil {
				break
			}
		}
		if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			err = nil
		}
	}
	c.c.Close()
	return err
}
