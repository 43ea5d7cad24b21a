package interop

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingProxy forwards TCP connections to a peer and counts the bytes
// that pass each way, to tell compressed traffic from plain.
type countingProxy struct {
	ln     net.Listener
	target string
	// up counts the bytes from the client to the peer, down the others.
	up, down atomic.Int64

	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// startProxy starts a proxy on 127.0.0.1 to the peer, closed when the
// test ends.
func startProxy(t *testing.T, p *peer) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	x := &countingProxy{ln: ln, target: strings.TrimPrefix(p.base, "ws://")}
	x.wg.Add(1)
	go x.accept()
	t.Cleanup(x.close)
	return x
}

// url returns the URL of a path and query of the peer, through the proxy.
func (x *countingProxy) url(pathQuery string) string {
	return "ws://" + x.ln.Addr().String() + pathQuery
}

func (x *countingProxy) accept() {
	defer x.wg.Done()
	for {
		client, err := x.ln.Accept()
		if err != nil {
			return
		}
		peer, err := net.Dial("tcp", x.target)
		if err != nil {
			client.Close()
			continue
		}
		x.mu.Lock()
		if x.closed {
			x.mu.Unlock()
			client.Close()
			peer.Close()
			return
		}
		x.conns = append(x.conns, client, peer)
		x.wg.Add(2)
		x.mu.Unlock()
		go x.pipe(peer, client, &x.up)
		go x.pipe(client, peer, &x.down)
	}
}

// pipe copies from src to dst, counting as it goes, and passes the end of
// src on as the end of dst's sending side.
func (x *countingProxy) pipe(dst, src net.Conn, n *atomic.Int64) {
	defer x.wg.Done()
	io.Copy(dst, countingReader{src, n})
	dst.(*net.TCPConn).CloseWrite()
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// close stops the proxy and waits for its goroutines.
func (x *countingProxy) close() {
	x.ln.Close()
	x.mu.Lock()
	x.closed = true
	for _, c := range x.conns {
		c.Close()
	}
	x.mu.Unlock()
	x.wg.Wait()
}
