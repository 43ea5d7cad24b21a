package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"

	coder "github.com/coder/websocket"
	gobwas "github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/hackney-go/ws"
)

// client is the least every library offers: send a binary message,
// receive one, close.
type client interface {
	send(p []byte) error
	recv() ([]byte, error)
	close() error
}

type library struct {
	name string
	dial func(url string) (client, error)
}

const limit = 64 << 20

var libraries = []library{
	{"ws", dialWS},
	{"gorilla", dialGorilla},
	{"coder", dialCoder},
	{"gobwas", dialGobwas},
	{"gws", dialGws},
}

type wsClient struct{ c *ws.Conn }

func dialWS(url string) (client, error) {
	c, err := ws.Connect(context.Background(), url, ws.MaxMessageSize(limit), ws.MaxFrameSize(limit))
	return wsClient{c}, err
}
func (c wsClient) send(p []byte) error { return c.c.Send(ws.Binary(p)) }
func (c wsClient) recv() ([]byte, error) {
	f, err := c.c.Recv()
	return f.Payload, err
}
func (c wsClient) close() error { return c.c.Close() }

type gorillaClient struct{ c *gorilla.Conn }

func dialGorilla(url string) (client, error) {
	c, _, err := gorilla.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(limit)
	return gorillaClient{c}, nil
}
func (c gorillaClient) send(p []byte) error { return c.c.WriteMessage(gorilla.BinaryMessage, p) }
func (c gorillaClient) recv() ([]byte, error) {
	_, p, err := c.c.ReadMessage()
	return p, err
}
func (c gorillaClient) close() error {
	c.c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""))
	return c.c.Close()
}

type coderClient struct{ c *coder.Conn }

func dialCoder(url string) (client, error) {
	c, _, err := coder.Dial(context.Background(), url, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(limit)
	return coderClient{c}, nil
}
func (c coderClient) send(p []byte) error {
	return c.c.Write(context.Background(), coder.MessageBinary, p)
}
func (c coderClient) recv() ([]byte, error) {
	_, p, err := c.c.Read(context.Background())
	return p, err
}
func (c coderClient) close() error { return c.c.CloseNow() }

// gobwasClient uses wsutil's helpers over a buffered reader, the way its
// documentation suggests for a client.
type gobwasClient struct {
	nc net.Conn
	rw io.ReadWriter
}

func dialGobwas(url string) (client, error) {
	nc, br, _, err := gobwas.Dial(context.Background(), url)
	if err != nil {
		return nil, err
	}
	if br == nil {
		br = bufio.NewReaderSize(nc, 64<<10)
	}
	return gobwasClient{nc, struct {
		io.Reader
		io.Writer
	}{br, nc}}, nil
}
func (c gobwasClient) send(p []byte) error { return wsutil.WriteClientBinary(c.nc, p) }
func (c gobwasClient) recv() ([]byte, error) {
	return wsutil.ReadServerBinary(c.rw)
}
func (c gobwasClient) close() error { return c.nc.Close() }

// gwsClient turns gws's callbacks into calls: messages go through a
// channel, copied because gws reuses its buffers.
type gwsClient struct {
	gws.BuiltinEventHandler
	c    *gws.Conn
	msgs chan []byte
	quit chan struct{} // closed by close, so a blocked OnMessage returns
	done chan struct{} // closed when ReadLoop has returned
}

func dialGws(url string) (client, error) {
	g := &gwsClient{msgs: make(chan []byte, 1), quit: make(chan struct{}), done: make(chan struct{})}
	c, _, err := gws.NewClient(g, &gws.ClientOption{Addr: url, ReadMaxPayloadSize: limit})
	if err != nil {
		return nil, err
	}
	g.c = c
	go func() {
		c.ReadLoop()
		close(g.done)
	}()
	return g, nil
}
func (g *gwsClient) OnMessage(_ *gws.Conn, m *gws.Message) {
	p := append([]byte(nil), m.Bytes()...)
	m.Close()
	select {
	case g.msgs <- p:
	case <-g.quit:
	}
}
func (g *gwsClient) send(p []byte) error { return g.c.WriteMessage(gws.OpcodeBinary, p) }
func (g *gwsClient) recv() ([]byte, error) {
	select {
	case p := <-g.msgs:
		return p, nil
	case <-g.done:
		return nil, errors.New("gws: connection closed")
	}
}
func (g *gwsClient) close() error {
	close(g.quit)
	g.c.WriteClose(1000, nil)
	g.c.NetConn().Close()
	<-g.done
	return nil
}
