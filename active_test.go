package ws

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// closeCodes collects the code of the close frame each connection of a
// test server got from the client.
type closeCodes chan uint16

func (ch closeCodes) want(t *testing.T, code uint16) {
	t.Helper()
	select {
	case got := <-ch:
		if got != code {
			t.Fatalf("the client sent close code %d, want %d", got, code)
		}
	case <-time.After(testTimeout):
		t.Fatal("the client sent no close frame")
	}
}

// scriptServer writes script in one write, then reports the code of the
// client's close frame on the returned channel (0 if none came).
func scriptServer(t *testing.T, script []byte) (string, closeCodes) {
	codes := make(closeCodes, 1)
	url := scriptedServer(t, func(sc *scriptConn) {
		if sc.writeRaw(script) != nil {
			codes <- 0
			return
		}
		code, _, _ := sc.readClose()
		codes <- code
	})
	return url, codes
}

// closeFrame returns the wire form of a server's close frame.
func closeFrame(code uint16, reason string) []byte {
	p, err := proto.AppendClose(nil, code, reason)
	if err != nil {
		panic(err)
	}
	return wire(proto.OpClose, true, p)
}

func TestActiveDeliversEventsThenClose(t *testing.T) {
	url, codes := scriptServer(t, cat(
		wire(proto.OpText, true, []byte("one")),
		wire(proto.OpBinary, true, []byte("two")),
		wire(proto.OpPing, true, []byte("three")),
		closeFrame(1000, "done"),
	))
	c := dial(t, url, ActiveMode(Active), ReportControl(true))
	events := c.Events()
	for _, want := range []Frame{Text("one"), Binary([]byte("two")), Ping([]byte("three"))} {
		ev := nextEvent(t, events)
		if ev.Err != nil || ev.Conn != c || ev.Frame.Kind != want.Kind || string(ev.Frame.Payload) != string(want.Payload) {
			t.Fatalf("event %+v, want %v from its Conn", ev, want)
		}
	}
	ev := nextEvent(t, events)
	var ce *CloseError
	if !errors.As(ev.Err, &ce) || ce.Code != CloseNormal || ce.Reason != "done" || ev.Conn != c {
		t.Fatalf("last event %+v, want the server's close 1000 \"done\"", ev)
	}
	select {
	case ev, ok := <-events:
		if ok {
			t.Fatalf("event %+v after the close", ev)
		}
	case <-time.After(testTimeout):
		t.Fatal("Events not closed after the last event")
	}
	codes.want(t, 1000)
	waitDone(t, c)
	if err := c.SetActive(Passive); !errors.As(err, &ce) {
		t.Fatalf("SetActive after the close: %v, want the *CloseError", err)
	}
}

func TestRecvInActiveMode(t *testing.T) {
	c := dial(t, echoServer(t), ActiveMode(Active))
	if _, err := c.Recv(); err != ErrActiveMode {
		t.Fatalf("Recv in active mode: %v, want ErrActiveMode", err)
	}
	if err := c.SetActive(Mode(7)); err == nil {
		t.Fatal("SetActive accepted an invalid mode")
	}
	if err := c.SetActive(Passive); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(Text("passive again")); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); f.Text() != "passive again" {
		t.Fatalf("Recv after SetActive(Passive): %v", f)
	}
}

func TestActiveErrorEventOnViolation(t *testing.T) {
	url, codes := scriptServer(t, cat(
		wire(proto.OpText, true, []byte("before")),
		[]byte{0x80 | 0x40 | byte(proto.OpText), 0}, // RSV1 without an extension
	))
	c := dial(t, url, ActiveMode(Active))
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "before" {
		t.Fatalf("first event %+v, want the message sent before the violation", ev)
	}
	ev := nextEvent(t, c.Events())
	var pe *ProtocolError
	if !errors.As(ev.Err, &pe) || pe.Code != CloseProtocolError || ev.Conn != c {
		t.Fatalf("event %+v, want a *ProtocolError", ev)
	}
	if _, ok := <-c.Events(); ok {
		t.Fatal("Events not closed after the error event")
	}
	codes.want(t, 1002)
	waitDone(t, c)
}

func TestDeliverToOneChannel(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := Accept(w, r)
		if err != nil {
			return
		}
		// Each connection says which it is, three times.
		for i := range 3 {
			sc.Send(Text(fmt.Sprintf("%s#%d", r.URL.Path, i)))
		}
		echoConn(sc)
	}))
	ch := make(chan Event)
	c1 := dial(t, url+"/one", DeliverTo(ch), ActiveMode(Active))
	c2 := dial(t, url+"/two", DeliverTo(ch), ActiveMode(Active))
	if c1.Events() != (<-chan Event)(ch) || c2.Events() != (<-chan Event)(ch) {
		t.Fatal("Events is not the channel given to DeliverTo")
	}
	next := map[*Conn]int{}
	for range 6 {
		ev := nextEvent(t, ch)
		name := map[*Conn]string{c1: "/one", c2: "/two"}[ev.Conn]
		if want := fmt.Sprintf("%s#%d", name, next[ev.Conn]); ev.Err != nil || ev.Frame.Text() != want {
			t.Fatalf("event %+v, want %q from its Conn", ev, want)
		}
		next[ev.Conn]++
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case ev, ok := <-ch:
		t.Fatalf("after Close the shared channel got %+v (open: %t)", ev, ok)
	default:
	}
	waitDone(t, c1)
	waitDone(t, c2)
}

// seqMessages returns n binary messages, each holding its index, in one
// byte slice.
func seqMessages(from, n int) []byte {
	var b []byte
	for i := from; i < from+n; i++ {
		b = append(b, wire(proto.OpBinary, true, binary.BigEndian.AppendUint32(nil, uint32(i)))...)
	}
	return b
}

// seqOf returns the index a seqMessages message holds.
func seqOf(t *testing.T, f Frame) int {
	t.Helper()
	if f.Kind != BinaryFrame || len(f.Payload) != 4 {
		t.Fatalf("got %v, want a numbered message", f)
	}
	return int(binary.BigEndian.Uint32(f.Payload))
}

func TestActiveOnceOneMessagePerGrant(t *testing.T) {
	url, _ := scriptServer(t, seqMessages(0, 6)) // every frame in one write
	c := dial(t, url, ActiveMode(ActiveOnce))
	for i := 0; i < 6; i += 2 {
		ev := nextEvent(t, c.Events())
		if ev.Err != nil || ev.Conn != c || seqOf(t, ev.Frame) != i {
			t.Fatalf("event %+v, want message %d", ev, i)
		}
		// The grant is spent: the next message goes to Recv.
		f, err := c.RecvTimeout(testTimeout)
		if err != nil {
			t.Fatalf("Recv right after the active-once event: %v", err)
		}
		if seqOf(t, f) != i+1 {
			t.Fatalf("Recv got message %d, want %d", seqOf(t, f), i+1)
		}
		select {
		case ev := <-c.Events():
			t.Fatalf("event %+v without a grant", ev)
		default:
		}
		if err := c.SetActive(ActiveOnce); err != nil {
			t.Fatal(err)
		}
	}
}

func TestActiveOnceMessageSplitAcrossWrites(t *testing.T) {
	big := make([]byte, 1<<20) // many reads of the Conn's buffer
	for i := range big {
		big[i] = byte(i % 251)
	}
	msgs := cat(
		wire(proto.OpText, false, []byte("frag")),
		wire(proto.OpContinuation, true, []byte("mented")),
		wire(proto.OpBinary, true, big),
		wire(proto.OpText, true, []byte("last")),
	)
	// Write it in pieces that cut headers, payloads and fragments.
	url := scriptedServer(t, func(sc *scriptConn) {
		for _, cut := range [][2]int{{0, 1}, {1, 3}, {3, 9}, {9, 12}, {12, 20}, {20, 1000}, {1000, 600000}, {600000, len(msgs)}} {
			if sc.writeRaw(msgs[cut[0]:cut[1]]) != nil {
				return
			}
		}
		sc.echo()
	})
	c := dial(t, url, ActiveMode(ActiveOnce))
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "fragmented" {
		t.Fatalf("event %+v, want text \"fragmented\"", ev)
	}
	if err := c.SetActive(ActiveOnce); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Kind != BinaryFrame || string(ev.Frame.Payload) != string(big) {
		t.Fatalf("event %v, want the 1 MiB binary message intact", ev.Frame)
	}
	if f := recvWithin(t, c); f.Text() != "last" {
		t.Fatalf("Recv after the grant: %v", f)
	}
}

// TestActiveOnceRegrantRace renews the grant, or calls Recv, right after
// each event, racing the Conn's goroutine: no message is lost, duplicated,
// delivered to the wrong consumer or reordered, and nothing stalls.
func TestActiveOnceRegrantRace(t *testing.T) {
	const n = 2000
	url, _ := scriptServer(t, seqMessages(0, n))
	c := dial(t, url, ActiveMode(ActiveOnce))
	for i := 0; i < n; {
		ev := nextEvent(t, c.Events())
		if ev.Err != nil || seqOf(t, ev.Frame) != i {
			t.Fatalf("event %+v, want message %d", ev, i)
		}
		i++
		if i%3 == 0 && i < n {
			f, err := c.RecvTimeout(testTimeout)
			if err != nil {
				t.Fatalf("Recv right after event %d: %v", i-1, err)
			}
			if seqOf(t, f) != i {
				t.Fatalf("Recv got message %d, want %d", seqOf(t, f), i)
			}
			i++
		}
		if err := c.SetActive(ActiveOnce); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHeldMessageFollowsModeChange: a message the Conn holds while no one
// takes it goes to the consumer of the new mode, in order, none lost.
func TestHeldMessageFollowsModeChange(t *testing.T) {
	url, _ := scriptServer(t, seqMessages(0, 9))
	c := dial(t, url)
	// Passive, and no Recv: the messages wait in the socket.
	if err := c.SetActive(Active); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ev := nextEvent(t, c.Events()); ev.Err != nil || seqOf(t, ev.Frame) != i {
			t.Fatalf("active: event %+v, want message %d", ev, i)
		}
	}
	// Active, no one taking events: the Conn holds message 3.
	waitParked(t, "ws.(*Conn).deliver")
	if err := c.SetActive(Passive); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 6; i++ {
		if f := recvWithin(t, c); seqOf(t, f) != i {
			t.Fatalf("passive: got message %d, want %d", seqOf(t, f), i)
		}
	}
	// And to an active-once grant, then passive again.
	if err := c.SetActive(ActiveOnce); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, c.Events()); ev.Err != nil || seqOf(t, ev.Frame) != 6 {
		t.Fatalf("active-once: event %+v, want message 6", ev)
	}
	// A grant taken back before its event is taken: message 7 goes to Recv.
	if err := c.SetActive(ActiveOnce); err != nil {
		t.Fatal(err)
	}
	waitParked(t, "ws.(*Conn).deliver")
	if err := c.SetActive(Passive); err != nil {
		t.Fatal(err)
	}
	for i := 7; i < 9; i++ {
		if f := recvWithin(t, c); seqOf(t, f) != i {
			t.Fatalf("passive: got message %d, want %d", seqOf(t, f), i)
		}
	}
}

// TestEarlyFramesDelivered: frames the server sends in the same write as
// its 101 response are delivered, in every mode.
func TestEarlyFramesDelivered(t *testing.T) {
	for _, mode := range []Mode{Passive, Active, ActiveOnce} {
		t.Run(mode.String(), func(t *testing.T) {
			codes := make(closeCodes, 1)
			url := rawServer(t, func(nc net.Conn, r *http.Request) {
				nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3), wire(proto.OpText, false, []byte("par"))))
				// The rest of the last message comes later, alone.
				nc.Write(wire(proto.OpContinuation, true, []byte("tial")))
				codes <- rawClose(nc)
			})
			c := dial(t, url, ActiveMode(mode))
			get := func() Frame {
				t.Helper()
				if mode == Passive {
					return recvWithin(t, c)
				}
				ev := nextEvent(t, c.Events())
				if ev.Err != nil {
					t.Fatalf("error event: %v", ev.Err)
				}
				if mode == ActiveOnce {
					if err := c.SetActive(ActiveOnce); err != nil {
						t.Fatal(err)
					}
				}
				return ev.Frame
			}
			for i := range 3 {
				if f := get(); seqOf(t, f) != i {
					t.Fatalf("got message %d, want %d", seqOf(t, f), i)
				}
			}
			if f := get(); f.Text() != "partial" {
				t.Fatalf("got %v, want text \"partial\"", f)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			codes.want(t, 1000)
		})
	}
}

// TestRecvBlockedWhenModeTurnsActive: a Recv waiting when another
// goroutine switches to an active mode returns ErrActiveMode rather than
// waiting for messages that now go to Events.
func TestRecvBlockedWhenModeTurnsActive(t *testing.T) {
	for _, mode := range []Mode{Active, ActiveOnce} {
		t.Run(mode.String(), func(t *testing.T) {
			c := dial(t, echoServer(t))
			res := make(chan error, 1)
			go func() { res <- second(c.RecvTimeout(testTimeout)) }()
			waitParked(t, "ws.(*Conn).recv")
			if err := c.SetActive(mode); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-res:
				if err != ErrActiveMode {
					t.Fatalf("blocked Recv: %v, want ErrActiveMode", err)
				}
			case <-time.After(testTimeout):
				t.Fatal("the blocked Recv never returned")
			}
			if err := c.Send(Text("to events")); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "to events" {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}
