package main

import (
	"errors"
	"sync/atomic"

	"github.com/lxzan/gws"
)

// gwsConn uses lxzan/gws with its defaults, the way its README does: the
// connection's ReadLoop runs in a goroutine and calls OnMessage, which
// hands the pooled message to the current handler and releases it; a
// reply is sent from the callback itself, with no goroutine switch.
// Compression is PermessageDeflate with context takeover both ways and
// the default windows, as its documentation recommends for a client; it
// then compresses every message, at its default level, 1.
type gwsConn struct {
	gws.BuiltinEventHandler
	c       *gws.Conn
	op      gws.Opcode
	h       atomic.Pointer[func([]byte) bool] // nil when no serve waits
	stopped chan struct{}                     // a handler returned false
	ended   chan struct{}                     // ReadLoop returned
	err     error                             // why, once ended is closed
}

func dialGws(d dialSpec) (conn, error) {
	g := &gwsConn{op: gws.OpcodeBinary, stopped: make(chan struct{}, 1), ended: make(chan struct{})}
	if d.text {
		g.op = gws.OpcodeText
	}
	opt := &gws.ClientOption{Addr: d.url(), ReadMaxPayloadSize: readLimit}
	if d.compress {
		opt.PermessageDeflate = gws.PermessageDeflate{Enabled: true, ServerContextTakeover: true, ClientContextTakeover: true}
	}
	c, resp, err := gws.NewClient(g, opt)
	if err != nil {
		return nil, err
	}
	if d.compress && !deflateAccepted(resp.Header) {
		c.NetConn().Close()
		return nil, errNoDeflate
	}
	g.c = c
	go c.ReadLoop()
	return g, nil
}

func (g *gwsConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	if h := g.h.Load(); h != nil && !(*h)(m.Bytes()) {
		g.h.Store(nil)
		g.stopped <- struct{}{}
	}
	m.Close()
}

func (g *gwsConn) OnClose(_ *gws.Conn, err error) {
	g.err = err
	close(g.ended)
}

func (g *gwsConn) send(p []byte) error { return g.c.WriteMessage(g.op, p) }

func (g *gwsConn) serve(start func() error, h func([]byte) bool) error {
	g.h.Store(&h)
	if start != nil {
		if err := start(); err != nil {
			g.h.Store(nil)
			return err
		}
	}
	select {
	case <-g.stopped:
		return nil
	case <-g.ended:
		return errors.Join(errors.New("gws: connection ended"), g.err)
	}
}

func (g *gwsConn) idle() {}

// close is gws's WriteClose, which sends the close frame and closes the
// socket without waiting for the server's; then ReadLoop ends.
func (g *gwsConn) close() error {
	err := g.c.WriteClose(1000, nil)
	<-g.ended
	return err
}
