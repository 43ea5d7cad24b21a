package ws

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// pipePeer is a scripted server at the far end of a net.Pipe whose near
// end is a Conn's socket. A pipe holds nothing: the Conn's writes block
// until the peer reads and the peer's until the Conn reads, so that a test
// decides when each side goes on, and can hold a window open for as long
// as it takes instead of hoping to hit it.
type pipePeer struct {
	t   testing.TB
	nc  net.Conn
	buf []byte // read from the pipe, not parsed yet
	wg  sync.WaitGroup
}

// newPipe returns a Conn over a pipe and the peer at its other end. When
// the test ends the peer's end is closed, then the Conn.
func newPipe(t testing.TB, opts ...Option) (*Conn, *pipePeer) {
	return newPipeRead(t, nil, opts...)
}

// newPipeRead is newPipe with frames the Conn holds as read already, as
// if they had come with the handshake's response.
func newPipeRead(t testing.TB, read []byte, opts ...Option) (*Conn, *pipePeer) {
	cn, sn := net.Pipe()
	c := newConn(cn, newConfig(opts), read)
	c.activate()
	p := &pipePeer{t: t, nc: sn}
	t.Cleanup(func() {
		sn.Close()
		c.Close()
		p.wg.Wait()
	})
	return c, p
}

// write writes b from a goroutine of its own, as the Conn reads it: a
// peer's write may block until then. A write that fails leaves the Conn
// without what the test expects it to receive.
func (p *pipePeer) write(b []byte) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.nc.SetWriteDeadline(time.Now().Add(testTimeout))
		p.nc.Write(b)
	}()
}

// peerFrame is one frame as the Conn wrote it, unmasked: the peer sees
// fragments one by one.
type peerFrame struct {
	Op      proto.Opcode
	Fin     bool
	Payload []byte
}

// next reads the next frame the Conn wrote, bounded by testTimeout. Each
// must be masked (RFC 6455 section 5.3).
func (p *pipePeer) next() peerFrame {
	p.t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(testTimeout))
	for {
		h, n, err := proto.ParseHeader(p.buf)
		if err != nil || n > 0 && !h.Masked {
			p.t.Fatalf("peer: the Conn wrote a bad frame header: %v %v", h, err)
		}
		if n > 0 && int64(len(p.buf)-n) >= h.Length {
			payload := bytes.Clone(p.buf[n : n+int(h.Length)])
			proto.Mask(h.Key, 0, payload)
			p.buf = p.buf[n+int(h.Length):]
			return peerFrame{h.Op, h.Fin, payload}
		}
		chunk := make([]byte, 4096)
		m, err := p.nc.Read(chunk)
		if m == 0 && err != nil {
			p.t.Fatalf("peer: read: %v", err)
		}
		p.buf = append(p.buf, chunk[:m]...)
	}
}

// wantFrame reads the next frame and checks its opcode and payload.
func (p *pipePeer) wantFrame(op proto.Opcode, payload string) {
	p.t.Helper()
	if f := p.next(); f.Op != op || string(f.Payload) != payload {
		p.t.Fatalf("peer: got %v %q, want %v %q", f.Op, f.Payload, op, payload)
	}
}

// wantClose reads frames up to the Conn's close frame and checks its code.
func (p *pipePeer) wantClose(code uint16) {
	p.t.Helper()
	for {
		f := p.next()
		if f.Op != proto.OpClose {
			continue
		}
		if got, _, _ := proto.ParseClose(f.Payload); got != code {
			p.t.Fatalf("peer: close %d, want %d", got, code)
		}
		return
	}
}

// hookCtx is a context that runs hook the first time it is asked for its
// Done channel. A Recv asks once it has checked the Conn's state and
// before its first read: the hook acts in that window.
type hookCtx struct {
	context.Context
	once sync.Once
	hook func()
}

func (h *hookCtx) Done() <-chan struct{} {
	h.once.Do(h.hook)
	return h.Context.Done()
}

// within runs f, failing the test unless it returns within testTimeout:
// for calls that a defect would block for ever.
func within(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatalf("%s did not return", what)
	}
}
