package ws

import (
	"io"
	"net"
	"testing"
)

// TestSendDoesNotAllocate backs the claim that sending allocates nothing
// per message in steady state: a Conn over a TCP connection whose far end
// discards everything (io.Copy to io.Discard allocates nothing per read).
func TestSendDoesNotAllocate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		io.Copy(io.Discard, nc)
		nc.Close()
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(nc, newConfig(nil), nil)
	defer func() {
		nc.Close()
		<-drained
	}()
	for _, f := range []Frame{Text("Hello!"), Binary(make([]byte, 1024)), Ping([]byte("heartbeat"))} {
		c.Send(f) // the first send sizes the write buffer
		if n := testing.AllocsPerRun(200, func() {
			if err := c.Send(f); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Send(%v) allocates %.1f times per call", f, n)
		}
	}
}
