package ws

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// listen accepts TCP connections on 127.0.0.1 and runs handle on each in
// its own goroutine, closing the connection when handle returns. When the
// test ends the listener and every accepted connection are closed and the
// handlers waited for, so handle must return once its connection is
// closed.
func listen(t testing.TB, handle func(nc net.Conn)) net.Addr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				handle(nc)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr()
}

// rawServer is a hand-written WebSocket server for answers that Accept
// would never give: it reads the client's upgrade request and
// leaves the response, byte for byte, to handle. It returns the ws:// URL.
func rawServer(t testing.TB, handle func(nc net.Conn, r *http.Request)) string {
	t.Helper()
	addr := listen(t, func(nc net.Conn) {
		// The client sends nothing after its request before the answer, so
		// the bufio.Reader holds nothing that handle would miss.
		r, err := http.ReadRequest(bufio.NewReader(nc))
		if err != nil {
			return
		}
		handle(nc, r)
	})
	return "ws://" + addr.String() + "/"
}

// switching returns a valid 101 response to r, with extra header lines
// (each ending in CRLF) added.
func switching(r *http.Request, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + proto.AcceptKey(r.Header.Get("Sec-Websocket-Key")) + "\r\n" + extra + "\r\n"
}

// rawClose reads the client's frames on a raw server connection until its
// close frame, echoes that frame's code, and returns it: 0 if the client
// sent no valid close frame.
func rawClose(nc net.Conn) uint16 {
	nc.SetReadDeadline(time.Now().Add(testTimeout))
	rd := proto.Reader{Server: true}
	buf := make([]byte, 4096)
	for {
		n, err := nc.Read(buf)
		for b := buf[:n]; len(b) > 0; {
			used, f, ok, verr := rd.Next(b)
			if verr != nil {
				return 0
			}
			b = b[used:]
			if ok && f.Op == proto.OpClose {
				code, _, _ := proto.ParseClose(f.Payload)
				nc.Write(wire(proto.OpClose, true, proto.CloseEcho(f.Payload)))
				return code
			}
		}
		if err != nil {
			return 0
		}
	}
}

// scriptConn is the server's end of a scripted connection: the opening
// handshake done by the book, then frames written and read as bytes on
// the wire, with nothing answered on its own. Tests use it where a
// server must misbehave (broken or partial frames, a socket held, no
// answer) or where the client's frames are checked as they were sent;
// every other test server is written with Accept. readFrame must be
// called from one goroutine; the writes from any.
type scriptConn struct {
	nc  net.Conn
	req *http.Request // the client's upgrade request

	rd   proto.Reader // a server's: masked frames only
	rbuf []byte       // read but not yet consumed by rd

	wmu sync.Mutex // one write at a time, each whole
}

// scriptedServer answers each upgrade request with a valid 101 and runs
// serve on the connection, which it closes when serve returns. It returns
// the ws:// URL.
func scriptedServer(t testing.TB, serve func(sc *scriptConn)) string {
	t.Helper()
	return rawServer(t, func(nc net.Conn, r *http.Request) {
		if _, err := nc.Write([]byte(switching(r, ""))); err != nil {
			return
		}
		serve(&scriptConn{nc: nc, req: r, rd: proto.Reader{Server: true}})
	})
}

// readFrame returns the client's next message, whole, or control frame.
func (sc *scriptConn) readFrame() (proto.Frame, error) {
	var buf [16 << 10]byte
	for {
		if len(sc.rbuf) > 0 {
			n, f, ok, err := sc.rd.Next(sc.rbuf)
			sc.rbuf = sc.rbuf[n:]
			if err != nil || ok {
				return f, err
			}
		}
		n, err := sc.nc.Read(buf[:])
		sc.rbuf = append(sc.rbuf, buf[:n]...)
		if err != nil && n == 0 {
			return proto.Frame{}, err
		}
	}
}

// writeRaw writes b as it is: a frame, many, a part of one, or garbage.
func (sc *scriptConn) writeRaw(b []byte) error {
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	_, err := sc.nc.Write(b)
	return err
}

// writeFrame writes one unmasked, final frame.
func (sc *scriptConn) writeFrame(op proto.Opcode, payload []byte) error {
	return sc.writeRaw(wire(op, true, payload))
}

// closeWith writes a close frame with code and reason.
func (sc *scriptConn) closeWith(code uint16, reason string) error {
	return sc.writeRaw(closeFrame(code, reason))
}

// echo answers every message with the same message and every ping with a
// pong until the client's close frame, whose code it echoes (RFC 6455
// section 5.5.1); it returns nil then.
func (sc *scriptConn) echo() error {
	for {
		f, err := sc.readFrame()
		if err != nil {
			return err
		}
		switch f.Op {
		case proto.OpPing:
			err = sc.writeFrame(proto.OpPong, f.Payload)
		case proto.OpPong:
		case proto.OpClose:
			sc.writeFrame(proto.OpClose, proto.CloseEcho(f.Payload))
			return nil
		default:
			err = sc.writeFrame(f.Op, f.Payload)
		}
		if err != nil {
			return err
		}
	}
}

// readClose reads frames from the client until its close frame, within
// testTimeout, and returns the code in it (1005 when it has none); it
// answers nothing.
func (sc *scriptConn) readClose() (uint16, string, error) {
	sc.nc.SetReadDeadline(time.Now().Add(testTimeout))
	for {
		f, err := sc.readFrame()
		if err != nil {
			return 0, "", err
		}
		if f.Op == proto.OpClose {
			code, reason, v := proto.ParseClose(f.Payload)
			if v != nil {
				return 0, "", v
			}
			return code, reason, nil
		}
	}
}
