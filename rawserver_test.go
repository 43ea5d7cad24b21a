package ws

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

// listen accepts TCP connections on 127.0.0.1 and runs handle on each in
// its own goroutine. When the test ends the listener and every accepted
// connection are closed and the handlers waited for, so handle must return
// once its connection is closed.
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
