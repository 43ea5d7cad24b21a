package ws

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestSendWhileRecvBlocked: passive mode is full duplex. The server writes
// nothing until it has read every message the client sends, so the sends
// can only complete while the Recv in the other goroutine is blocked.
func TestSendWhileRecvBlocked(t *testing.T) {
	const n = 200
	url := acceptServer(t, func(sc *Conn) {
		defer sc.Close()
		for i := range n {
			f, err := sc.RecvTimeout(testTimeout)
			if err != nil || f.Kind != BinaryFrame || len(f.Payload) != 1000+i {
				return
			}
		}
		sc.Send(Text("got them all"))
		echoConn(sc)
	}, nil)
	c := dial(t, url)

	recvd := make(chan Frame, 1)
	recvErr := make(chan error, 1)
	go func() {
		f, err := c.RecvTimeout(testTimeout)
		if err != nil {
			recvErr <- err
			return
		}
		recvd <- f
	}()
	waitParked(t, "ws.(*Conn).recv")

	sent := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Send(Binary(make([]byte, 1000+i))); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("Send while Recv blocked: %v", err)
		}
	case err := <-recvErr:
		t.Fatalf("Recv failed while sending: %v", err)
	case <-time.After(testTimeout):
		t.Fatal("Send did not complete while a Recv was blocked")
	}
	select {
	case f := <-recvd:
		if f.Text() != "got them all" {
			t.Fatalf("Recv got %v", f)
		}
	case err := <-recvErr:
		t.Fatalf("Recv: %v", err)
	case <-time.After(testTimeout):
		t.Fatal("the blocked Recv never returned the server's answer")
	}
}

// TestConcurrentSendsDoNotInterleave sends from many goroutines at once,
// with messages larger than the writer's chunk and pings among them; the
// server checks every frame arrives whole and in each sender's order.
func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	const senders, perSender = 8, 24
	size := func(id, seq int) int { return 8 + (id*7919+seq*104729)%(200<<10) }
	fill := func(b []byte, id, seq int) {
		binary.BigEndian.PutUint32(b, uint32(id))
		binary.BigEndian.PutUint32(b[4:], uint32(seq))
		for i := 8; i < len(b); i++ {
			b[i] = byte(id*31 + seq + i)
		}
	}
	verdict := make(chan error, 1)
	// The server's Conn reports pings, and would refuse interleaved
	// fragments as a breach (RFC 6455 section 5.4).
	url := acceptServer(t, func(sc *Conn) {
		defer sc.Close()
		next := make([]int, senders)
		pings := 0
		for done := 0; done < senders*perSender; {
			f, err := sc.RecvTimeout(testTimeout)
			if err != nil {
				verdict <- err
				return
			}
			if f.Kind == PingFrame {
				if !bytes.Equal(f.Payload, []byte("ping from a sender")) {
					verdict <- fmt.Errorf("ping payload %q", f.Payload)
					return
				}
				pings++
				continue
			}
			if f.Kind != BinaryFrame || len(f.Payload) < 8 {
				verdict <- fmt.Errorf("unexpected %v frame of %d bytes", f.Kind, len(f.Payload))
				return
			}
			id, seq := int(binary.BigEndian.Uint32(f.Payload)), int(binary.BigEndian.Uint32(f.Payload[4:]))
			if id >= senders || seq != next[id] || len(f.Payload) != size(id, seq) {
				verdict <- fmt.Errorf("message %d/%d of %d bytes, want %d/%d", id, seq, len(f.Payload), id, next[id])
				return
			}
			want := make([]byte, len(f.Payload))
			fill(want, id, seq)
			if !bytes.Equal(f.Payload, want) {
				verdict <- fmt.Errorf("message %d/%d corrupted", id, seq)
				return
			}
			next[id]++
			done++
		}
		if pings != senders*perSender/3 {
			verdict <- fmt.Errorf("%d pings, want %d", pings, senders*perSender/3)
			return
		}
		verdict <- nil
		echoConn(sc)
	}, nil, ReportControl(true))
	c := dial(t, url)

	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for id := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range perSender {
				b := make([]byte, size(id, seq))
				fill(b, id, seq)
				if err := c.Send(Binary(b)); err != nil {
					errs <- err
					return
				}
				if seq%3 == 0 {
					if err := c.Send(Ping([]byte("ping from a sender"))); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Send: %v", err)
	}
	select {
	case err := <-verdict:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the server did not get every message")
	}
}
