package ws

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

var benchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

// BenchmarkRoundTrip measures a Send and the Recv of its echo: the
// per-message cost of the client's whole path, both directions.
func BenchmarkRoundTrip(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := dial(b, echoServer(b))
			msg := Binary(make([]byte, size))
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

// BenchmarkRoundTripActive is BenchmarkRoundTrip in active mode: the echo
// comes as an Event. With the poller the pump parks after each message and
// is started again by the next (pump.go): this is what that costs against
// a pump that waits on the socket.
func BenchmarkRoundTripActive(b *testing.B) {
	c := dial(b, startAllocServer(b), ActiveMode(Active))
	msg := Binary(make([]byte, 16))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Send(msg); err != nil {
			b.Fatal(err)
		}
		if ev := <-c.Events(); ev.Err != nil {
			b.Fatal(ev.Err)
		}
	}
}

// BenchmarkRecv measures receiving alone: the server writes prebuilt
// frames as fast as the client takes them.
func BenchmarkRecv(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			frame := proto.AppendHeader(nil, proto.Header{Fin: true, Op: proto.OpBinary, Length: int64(size)})
			frame = append(frame, make([]byte, size)...)
			// Batch small frames so the server's writes are not the bottleneck.
			batch := 1
			if size < 4096 {
				batch = 4096 / size
			}
			var burst []byte
			for range batch {
				burst = append(burst, frame...)
			}
			stop := make(chan struct{})
			// Prebuilt bytes: a server Conn's own sending would be
			// the bottleneck.
			url := scriptedServer(b, func(s *scriptConn) {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if s.writeRaw(burst) != nil {
						return
					}
				}
			})
			c := dial(b, url)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Recv(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
		})
	}
}

// BenchmarkSend measures sending alone to a server that discards.
func BenchmarkSend(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := dial(b, discardServer(b))
			msg := Binary(make([]byte, size))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Send(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// discardServer returns the URL of a server that reads and drops frames.
func discardServer(b *testing.B) string {
	return acceptServer(b, func(s *Conn) {
		defer s.Close()
		buf := make([]byte, 1<<20)
		for {
			if _, err := s.RecvInto(buf); err != nil {
				return
			}
		}
	}, nil)
}

// BenchmarkSendParallel sends 16-byte frames from several goroutines at
// once: their frames coalesce into shared writes.
func BenchmarkSendParallel(b *testing.B) {
	c := dial(b, discardServer(b))
	msg := Binary(make([]byte, 16))
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Send(msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSendAll sends 16-byte frames 64 at a time, one write per batch;
// ns/op is per frame.
func BenchmarkSendAll(b *testing.B) {
	c := dial(b, discardServer(b))
	batch := make([]Frame, 64)
	for i := range batch {
		batch[i] = Binary(make([]byte, 16))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i += len(batch) {
		if err := c.SendAll(batch...); err != nil {
			b.Fatal(err)
		}
	}
}

// memConn is an in-memory net.Conn for the benchmarks of the Conn's own
// cost: writes are dropped, reads repeat stream for ever.
type memConn struct {
	net.Conn // nil: only the methods below are used
	stream   []byte
	pos      int
}

func (m *memConn) Write(b []byte) (int, error) { return len(b), nil }

func (m *memConn) Read(b []byte) (int, error) {
	n := copy(b, m.stream[m.pos:])
	m.pos = (m.pos + n) % len(m.stream)
	return n, nil
}

func (m *memConn) SetReadDeadline(time.Time) error { return nil }

// BenchmarkSendMem is Send's cost without the network: framing, masking
// and the writer's locks.
func BenchmarkSendMem(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := newConn(&memConn{}, newConfig(nil), nil)
			msg := Binary(make([]byte, size))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Send(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSendAllMem measures SendAll's own cost per frame, without a
// socket: batches of 64 frames of 64 B, as W2-batch sends them.
func BenchmarkSendAllMem(b *testing.B) {
	c := newConn(&memConn{}, newConfig(nil), nil)
	batch := make([]Frame, 64)
	for i := range batch {
		batch[i] = Binary(make([]byte, 64))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i += len(batch) {
		if err := c.SendAll(batch...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecvMem is Recv's cost without the network: parsing, and the
// read token, into a reused buffer (RecvInto) and into a new payload.
func BenchmarkRecvMem(b *testing.B) {
	for _, size := range benchSizes {
		frame := wire(proto.OpBinary, true, make([]byte, size))
		// Whole frames per read, as many as fit the read buffer.
		stream := bytes.Repeat(frame, max(1, readBufferSize/len(frame)))
		for _, into := range []bool{true, false} {
			name := fmt.Sprintf("%d/Recv", size)
			if into {
				name = fmt.Sprintf("%d/RecvInto", size)
			}
			b.Run(name, func(b *testing.B) {
				c := newConn(&memConn{stream: stream}, newConfig(nil), nil)
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if into {
						_, err = c.RecvInto(buf)
					} else {
						_, err = c.Recv()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRecvCompressedMem is RecvInto of a 1 KiB compressed JSON
// message without the network: inflation into the caller's buffer.
func BenchmarkRecvCompressedMem(b *testing.B) {
	payload := []byte(strings.Repeat(`{"id":1,"name":"compressed"},`, 36))
	c := compressedStream(b, payload)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.RecvInto(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleKeepalive measures what the keepalive costs idle Conns:
// 500 Conns to an echo server sit idle for three ping intervals, with the
// keepalive off and on; the difference between the two is its cost in
// heap bytes and goroutines per Conn (the server's share is the same in
// both). Run it with -benchtime=1x: each run is one such measure.
func BenchmarkIdleKeepalive(b *testing.B) {
	const n, interval = 500, 200 * time.Millisecond
	url := echoServer(b)
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("keepalive=%v", on), func(b *testing.B) {
			var opts []Option
			if on {
				opts = append(opts, PingInterval(interval))
			}
			for b.Loop() {
				heap0, g0 := heapAndGoroutines()
				conns := make([]*Conn, n)
				for i := range conns {
					conns[i] = dial(b, url, opts...)
				}
				time.Sleep(3 * interval) // idle: the keepalive pings, and is answered
				heap1, g1 := heapAndGoroutines()
				var answered int
				for _, c := range conns {
					if c.Latency() > 0 {
						answered++
					}
					c.Close()
				}
				if on && answered < n {
					b.Fatalf("%d Conns of %d measured a round trip", answered, n)
				}
				b.ReportMetric(float64(heap1-heap0)/n, "heapB/conn")
				b.ReportMetric(float64(g1-g0)/n, "goroutines/conn")
			}
		})
	}
}

// BenchmarkIdleActive measures an idle Conn with a reader waiting, both
// ways a program has one: a goroutine blocked in Recv (passive), and the
// active mode delivering to one channel for all Conns (active), where the
// poller serves the socket without a goroutine (pump.go). 1000 Conns to a
// server in another process, so that the figures are the client's: heap
// and stack bytes and goroutines per Conn, after a collection. Run it
// with -benchtime=1x: each run is one such measure.
func BenchmarkIdleActive(b *testing.B) {
	const n = 1000
	url := startAllocServer(b)
	for _, mode := range []Mode{Passive, Active} {
		b.Run(mode.String(), func(b *testing.B) {
			events := make(chan Event)
			for b.Loop() {
				mem0, g0 := memAndGoroutines()
				conns := make([]*Conn, n)
				var recvs sync.WaitGroup
				for i := range conns {
					c, err := Connect(context.Background(), url, DeliverTo(events))
					if err != nil {
						b.Fatal(err)
					}
					conns[i] = c
					if mode == Passive {
						recvs.Go(func() { c.Recv() })
					} else {
						c.SetActive(Active)
					}
				}
				waitIdle(b, conns, mode)
				mem1, g1 := memAndGoroutines()
				for _, c := range conns {
					c.Close()
				}
				recvs.Wait()
				b.ReportMetric(float64(mem1-mem0)/n, "B/conn")
				b.ReportMetric(float64(g1-g0)/n, "goroutines/conn")
			}
		})
	}
}

// waitIdle waits, bounded, until every Conn's reader waits: n goroutines
// blocked in Recv on the socket, or every pump parked.
func waitIdle(b *testing.B, conns []*Conn, mode Mode) {
	deadline := time.Now().Add(testTimeout)
	buf := make([]byte, 64<<20)
	for time.Now().Before(deadline) {
		waiting := 0
		if mode == Passive {
			n := runtime.Stack(buf, true)
			for _, g := range strings.Split(string(buf[:n]), "\n\n") {
				if strings.Contains(g, "[IO wait") && strings.Contains(g, "ws.(*Conn).Recv(") {
					waiting++
				}
			}
		} else {
			for _, c := range conns {
				c.mu.Lock()
				if c.parked == parkedActive {
					waiting++
				}
				c.mu.Unlock()
			}
		}
		if waiting == len(conns) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatal("the Conns' readers did not all wait")
}

// memAndGoroutines returns the heap and stacks in use after a collection,
// and the number of goroutines.
func memAndGoroutines() (mem int64, goroutines int) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse), runtime.NumGoroutine()
}

// heapAndGoroutines returns the heap in use after a collection, and the
// number of goroutines.
func heapAndGoroutines() (heap int64, goroutines int) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), runtime.NumGoroutine()
}

// BenchmarkReconnectDelays logs the delays between ten attempts of
// Reconnect to a port where nothing listens, with Backoff(500 ms, 5 s):
// the drawn delay of each *RetryError beside the time that actually
// passed. Run it with -benchtime=1x -v.
func BenchmarkReconnectDelays(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/"
	ln.Close()
	for b.Loop() {
		last, n := time.Now(), 0
		for _, err := range Reconnect(context.Background(), url, Backoff(500*time.Millisecond, 5*time.Second)) {
			var re *RetryError
			if !errors.As(err, &re) {
				b.Fatalf("got %v, want a *RetryError", err)
			}
			if n > 0 {
				b.Logf("attempt %2d: %v after the last", n+1, time.Since(last).Round(time.Millisecond))
			}
			n++
			if n > 10 {
				break
			}
			b.Logf("attempt %2d: refused, next in %v", n, re.Delay.Round(time.Millisecond))
			last = time.Now()
		}
	}
}

// BenchmarkSendServer is a server Conn's Send of large messages to a
// client that drains the socket: the unmasked payload goes out with its
// header in one writev, not copied through the write buffer.
func BenchmarkSendServer(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20, 16 << 20} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			conns := make(chan *Conn, 1)
			url := acceptServer(b, func(c *Conn) { conns <- c }, nil)
			nc, br := rawHandshake(b, url, "")
			nc.SetDeadline(time.Time{})
			drained := make(chan struct{})
			go func() {
				io.Copy(io.Discard, br)
				close(drained)
			}()
			s := <-conns
			msg := Binary(make([]byte, size))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Send(msg); err != nil {
					b.Fatal(err)
				}
			}
			nc.Close()
			<-drained
			s.Close()
		})
	}
}
