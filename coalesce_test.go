package ws

import (
	"bytes"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// recordingConn is a net.Conn that keeps what is written to it, one entry
// per Write, and can hold the first Write until told to go on.
type recordingConn struct {
	net.Conn // nil: only the methods below are used
	hold     chan struct{}
	entered  chan struct{}
	mu       sync.Mutex
	writes   [][]byte
}

func (r *recordingConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	first := len(r.writes) == 0
	r.writes = append(r.writes, bytes.Clone(b))
	r.mu.Unlock()
	if first && r.hold != nil {
		close(r.entered)
		<-r.hold
	}
	return len(b), nil
}

// frames parses everything written as a server would read it.
func (r *recordingConn) frames(t *testing.T) []proto.Frame {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	rd := proto.Reader{Server: true}
	var got []proto.Frame
	for b := bytes.Join(r.writes, nil); len(b) > 0; {
		n, f, ok, err := rd.Next(b)
		if err != nil {
			t.Fatalf("the client wrote a bad frame: %v", err)
		}
		if n == 0 && !ok {
			t.Fatal("the client wrote a partial frame")
		}
		b = b[n:]
		if ok {
			got = append(got, f)
		}
	}
	return got
}

func TestSendAllIsOneWrite(t *testing.T) {
	rc := &recordingConn{}
	c := newConn(rc, newConfig(nil), nil)
	var batch []Frame
	for i := range 50 {
		batch = append(batch, Text(fmt.Sprintf("message %d", i)))
	}
	batch = append(batch, Ping([]byte("p")))
	if err := c.SendAll(batch...); err != nil {
		t.Fatal(err)
	}
	if len(rc.writes) != 1 {
		t.Fatalf("SendAll of %d small frames took %d writes, want 1", len(batch), len(rc.writes))
	}
	got := rc.frames(t)
	if len(got) != len(batch) {
		t.Fatalf("%d frames written, want %d", len(got), len(batch))
	}
	for i, f := range got {
		if Kind(f.Op) != batch[i].Kind || !bytes.Equal(f.Payload, batch[i].Payload) {
			t.Fatalf("frame %d: %v %q, want %v", i, f.Op, f.Payload, batch[i])
		}
	}
	if err := c.SendAll(Text("fine"), Text("\xff")); err == nil || len(rc.writes) != 1 {
		t.Fatalf("SendAll with an invalid frame: %v, %d writes (want an error, nothing written)", err, len(rc.writes))
	}
}

// TestConcurrentSendsCoalesce: while one Send's write is held, the frames
// of twenty more Sends wait in the queue and go out together in one more
// write; each Send returns only once its frame is written.
func TestConcurrentSendsCoalesce(t *testing.T) {
	rc := &recordingConn{hold: make(chan struct{}), entered: make(chan struct{})}
	c := newConn(rc, newConfig(nil), nil)
	first := make(chan error, 1)
	go func() { first <- c.Send(Text("first")) }()
	<-rc.entered
	const n = 20
	var wg sync.WaitGroup
	var returned sync.Map
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Send(Binary([]byte{byte(i)})); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
			returned.Store(i, true)
		}()
	}
	// Every Send has queued its frame and waits for the write.
	deadline := time.Now().Add(testTimeout)
	for {
		c.w.mu.Lock()
		queued := c.w.queued
		c.w.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d Sends queued", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
	returned.Range(func(k, _ any) bool {
		t.Fatalf("Send %v returned before its frame was written", k)
		return false
	})
	close(rc.hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(rc.writes) != 2 {
		t.Fatalf("%d writes, want 2: the held one and the queue", len(rc.writes))
	}
	got := rc.frames(t)
	seen := map[byte]bool{}
	for _, f := range got[1:] {
		if f.Op != proto.OpBinary || len(f.Payload) != 1 || seen[f.Payload[0]] {
			t.Fatalf("queued frame %v %q", f.Op, f.Payload)
		}
		seen[f.Payload[0]] = true
	}
	if string(got[0].Payload) != "first" || len(seen) != n {
		t.Fatalf("frames written: first %q, then %d of %d queued", got[0].Payload, len(seen), n)
	}
}
