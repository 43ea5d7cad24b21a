package h2_test

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"

	ws "github.com/hackney-go/ws"
)

// The cost of HTTP/2 against HTTP/1.1, both over TLS to the Go peer (a
// process of its own, so that only the client's work is measured):
//
//	go test -run '^$' -bench . -benchmem ./internal/h2
//	WS_BENCH_CONNS=10000 go test -run '^$' -bench Memory ./internal/h2

func protocols() []struct {
	name string
	mode ws.HTTP2Mode
} {
	return []struct {
		name string
		mode ws.HTTP2Mode
	}{{"http1", ws.HTTP2Off}, {"http2", ws.HTTP2Require}}
}

// BenchmarkEcho: one message sent and its echo received, per size.
func BenchmarkEcho(b *testing.B) {
	p := startGoPeer(b, false, 0)
	for _, proto := range protocols() {
		for _, size := range []int{16, 1 << 10, 64 << 10} {
			b.Run(fmt.Sprintf("%s/%d", proto.name, size), func(b *testing.B) {
				c := p.connect(b, "/echo", ws.HTTP2(proto.mode))
				msg := ws.Binary(make([]byte, size))
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if err := c.Send(msg); err != nil {
						b.Fatal(err)
					}
					if _, err := c.Recv(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkConnect: a Conn opened and closed; over HTTP/2, on a connection
// a first Conn keeps open (the new stream alone).
func BenchmarkConnect(b *testing.B) {
	p := startGoPeer(b, false, 0)
	for _, proto := range protocols() {
		b.Run(proto.name, func(b *testing.B) {
			keep := p.connect(b, "/echo", ws.HTTP2(proto.mode))
			defer keep.Close()
			b.ReportAllocs()
			for b.Loop() {
				c, err := p.dial("/echo", ws.HTTP2(proto.mode))
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// BenchmarkMemory: the client's heap per open, idle Conn, with n Conns
// (WS_BENCH_CONNS, default 1000) on one HTTP/2 connection or on n
// TLS connections; and on Linux its resident memory, which counts only
// the pages written (a large buffer that the runtime took fresh from the
// kernel costs none until then).
func BenchmarkMemory(b *testing.B) {
	n := 1000
	fmt.Sscan(getenv("WS_BENCH_CONNS", "1000"), &n)
	p := startGoPeer(b, false, 2*n)
	for _, proto := range protocols() {
		b.Run(proto.name, func(b *testing.B) {
			for b.Loop() {
				debug.FreeOSMemory() // RSS then counts the pages the Conns touch
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				rssBefore := rss()
				conns := make([]*ws.Conn, n)
				for i := range conns {
					c, err := p.dial("/echo", ws.HTTP2(proto.mode))
					if err != nil {
						b.Fatal(err)
					}
					conns[i] = c
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/float64(n), "heapB/conn")
				if r := rss(); r > 0 {
					b.ReportMetric(float64(r-rssBefore)/float64(n), "rssB/conn")
				}
				b.ReportMetric(float64(runtime.NumGoroutine())/float64(n), "goroutines/conn")
				for _, c := range conns {
					c.Close()
				}
			}
		})
	}
}

// rss returns the process's resident set in bytes, 0 where
// /proc/self/statm is not there.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	fmt.Sscan(string(b), &size, &resident)
	return resident * int64(os.Getpagesize())
}
