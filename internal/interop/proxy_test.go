package interop

import (
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
	// The connections accepted so far, and those of them (the first cut)
	// that no longer forward anything (blackhole).
	accepted, cut atomic.Int64

	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// startProxy starts a proxy on 127.0.0.1 to the peer, closed when the
// test ends.
func startProxy(t testing.TB, p *peer) *countingProxy {
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
		i := x.accepted.Add(1)
		go x.pipe(peer, client, &x.up, i)
		go x.pipe(client, peer, &x.down, i)
	}
}

// pipe copies from src to dst, counting as it goes, and passes the end of
// src on as the end of dst's sending side. Once connection i is
// blackholed it reads on but forwards nothing, and passes no end on.
func (x *countingProxy) pipe(dst, src net.Conn, n *atomic.Int64, i int64) {
	defer x.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		m, err := src.Read(buf)
		n.Add(int64(m))
		if i <= x.cut.Load() {
			if err != nil {
				return
			}
			continue
		}
		if m > 0 {
			if _, werr := dst.Write(buf[:m]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.(*net.TCPConn).CloseWrite()
			return
		}
	}
}

// blackhole stops the connections accepted so far from forwarding
// anything either way, without closing them: to each side, the other has
// gone silent, as after a NAT timeout or a host that vanished.
func (x *countingProxy) blackhole() { x.cut.Store(x.accepted.Load()) }

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
