package interop

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testscale"
	"github.com/hackney-go/ws/wsjson"
)

// testJSONStream sends 10,000 JSON values through the peer's echo with
// wsjson, while receiving them back, decoded as they arrive.
func testJSONStream(t *testing.T, p *conns) {
	type item struct {
		Seq  int
		Text string
	}
	const count = 10000
	c := p.dial(t, "/echo", ws.RecvTimeout(testTimeout))
	sent := make(chan error, 1)
	go func() {
		for i := range count {
			if err := wsjson.Send(c, item{i, fmt.Sprint("é", i)}); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for i := range count {
		var got item
		if err := wsjson.Recv(c, &got); err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		if got.Seq != i || got.Text != fmt.Sprint("é", i) {
			t.Fatalf("value %d came back as %v", i, got)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// streamSize is the message TestStreamHeap streams each way: 100 MiB at
// the full scale, 8 MiB by default.
func streamSize() int {
	if testscale.Full() {
		return 100 << 20
	}
	return 8 << 20
}

// TestStreamHeap streams one large message to each peer's echo with
// SendWriter while reading the echo with RecvReader, and checks that the
// live heap stays within 1 MiB of its start: neither end of the client
// holds the message. Not parallel: the heap is the process's.
func TestStreamHeap(t *testing.T) {
	for _, spec := range []peerSpec{node, python} {
		t.Run(spec.name, func(t *testing.T) {
			p := &conns{peer: startPeer(t, spec, nil)}
			c := p.dial(t, "/echo", ws.RecvTimeout(testTimeout), ws.MaxMessageSize(0), ws.MaxFrameSize(0))
			size := streamSize()
			start := liveHeap()
			peak := start
			sent := make(chan error, 1)
			go func() { sent <- writeStream(c, size) }()
			kind, r, err := c.RecvReader()
			if err != nil || kind != ws.BinaryFrame {
				t.Fatalf("RecvReader: %v, %v", kind, err)
			}
			want := rand.NewChaCha8([32]byte{1})
			got, exp := make([]byte, 32<<10), make([]byte, 32<<10)
			total := 0
			for next := 0; ; {
				n, err := r.Read(got)
				want.Read(exp[:n])
				if !bytes.Equal(got[:n], exp[:n]) {
					t.Fatalf("the echo differs within bytes %d to %d", total, total+n)
				}
				total += n
				if total >= next {
					peak = max(peak, liveHeap())
					next += 8 << 20
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("after %d bytes: %v", total, err)
				}
			}
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			if total != size {
				t.Fatalf("read %d bytes, sent %d", total, size)
			}
			t.Logf("%d MiB each way: live heap %d kB at the start, %d kB at most", size>>20, start>>10, peak>>10)
			if peak > start+1<<20 {
				t.Fatalf("live heap grew by %d kB streaming %d MiB", (peak-start)>>10, size>>20)
			}
		})
	}
}

// writeStream sends size bytes of a fixed random stream as one binary
// message through SendWriter, in Writes of 32 KiB.
func writeStream(c *ws.Conn, size int) error {
	w, err := c.SendWriter(ws.BinaryFrame)
	if err != nil {
		return err
	}
	src := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 32<<10)
	for left := size; left > 0; {
		n := min(left, len(buf))
		src.Read(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		left -= n
	}
	return w.Close()
}

// liveHeap returns the bytes of live heap objects, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
