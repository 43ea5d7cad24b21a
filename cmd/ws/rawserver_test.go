package main

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// rawConn is the server's end of a connection whose frames a test writes
// and reads itself, for the misbehaviours a ws.Conn never shows: a close
// frame left unanswered, a connection dropped without one, pings never
// answered.
type rawConn struct {
	nc  net.Conn
	br  *bufio.Reader
	rd  proto.Reader
	buf []byte
}

// startRaw performs the opening handshake of each request by hand and
// runs script on the connection, on a free loopback port, and returns the
// ws:// URL. Every read and write of a script fails after testTimeout;
// when the test ends the connections are closed and the scripts awaited.
func startRaw(t *testing.T, script func(*rawConn)) string {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var conns []net.Conn
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, fault := proto.CheckRequest(r.Method, r.ProtoMajor, r.ProtoMinor, r.Header)
		if fault != nil {
			http.Error(w, fault.Reason, fault.Status)
			return
		}
		nc, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		mu.Lock()
		conns = append(conns, nc)
		wg.Add(1)
		mu.Unlock()
		defer wg.Done()
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(testTimeout))
		if _, err := nc.Write(proto.AppendSwitch(nil, up.Key, "", "", nil)); err != nil {
			return
		}
		script(&rawConn{nc: nc, br: brw.Reader, rd: proto.Reader{Server: true}})
	}))
	t.Cleanup(func() {
		mu.Lock()
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return url
}

// write sends one unmasked frame.
func (c *rawConn) write(op proto.Opcode, payload []byte) error {
	b := proto.AppendHeader(nil, proto.Header{Fin: true, Op: op, Length: int64(len(payload))})
	_, err := c.nc.Write(append(b, payload...))
	return err
}

// read returns the client's next message or control frame.
func (c *rawConn) read() (proto.Frame, error) {
	for {
		n, f, ok, err := c.rd.Next(c.buf)
		c.buf = c.buf[n:]
		if ok || err != nil {
			return f, err
		}
		var more [4096]byte
		m, err := c.br.Read(more[:])
		if m == 0 && err != nil {
			return proto.Frame{}, err
		}
		c.buf = append(c.buf, more[:m]...)
	}
}
