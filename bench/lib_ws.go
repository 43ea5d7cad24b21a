package main

import (
	"context"
	"sync"

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
	opts = append(opts, ws.DeliverTo(idleEvents))
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

// idle has the Conn read and deliver, as an application that wants pings
// answered and a close noticed does, the way ws serves many connections:
// in active mode, every Conn delivering to one channel that one goroutine
// takes from (hackney's many sockets delivering to one process). Where
// the poller serves the socket (Linux), a Conn waiting for its peer then
// holds no goroutine. wsRecvConn keeps a Recv waiting instead.
func (c *wsConn) idle() {
	idleOnce.Do(func() {
		go func() {
			for range idleEvents {
			}
		}()
	})
	c.c.SetActive(ws.Active)
}

// idleEvents is the channel every ws Conn delivers to (DeliverTo), taken
// from by one goroutine once the idle workload starts.
var (
	idleEvents = make(chan ws.Event)
	idleOnce   sync.Once
)

// wsRecvConn is ws with a goroutine blocked in Recv on each idle
// connection, the passive way to keep a reader waiting.
type wsRecvConn struct{ *wsConn }

func dialWSRecv(d dialSpec) (conn, error) {
	c, err := dialWS(d)
	if err != nil {
		return nil, err
	}
	return wsRecvConn{c.(*wsConn)}, nil
}

func (c wsRecvConn) idle() {
	go func() {
		for {
			if _, err := c.c.Recv(); err != nil {
				return
			}
		}
	}()
}

func (c *wsConn) close() error { return c.c.Close() }
