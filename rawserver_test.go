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

// rawServer is a hand-written WebSocket server for answers the internal
// server would never give: it reads the client's upgrade request and
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
				nc.Write(wire(proto.OpClose, true, f.Payload[:min(2, len(f.Payload))]))
				return code
			}
		}
		if err != nil {
			return 0
		}
	}
}
