package ws

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// readAll reads r to its end, failing the test on any other error.
func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading the message: %v", err)
	}
	return b
}

// TestRecvReaderStreamsFragments: a fragmented message, with a ping and
// an empty fragment between its fragments, in either order, reads whole;
// the ping is answered before the message ends. (A ping after an empty
// fragment was once taken for a piece of the message: FuzzStreamReader.)
func TestRecvReaderStreamsFragments(t *testing.T) {
	ping, empty := wire(proto.OpPing, true, []byte("p")), wire(proto.OpContinuation, false, nil)
	for _, tc := range []struct {
		report bool
		middle []byte
	}{{false, cat(ping, empty)}, {true, cat(ping, empty)}, {false, cat(empty, ping)}, {true, cat(empty, ping)}} {
		url, push := gatedServer(t)
		c := dial(t, url, ReportControl(tc.report))
		push(cat(wire(proto.OpText, false, []byte("hello, ")), tc.middle,
			wire(proto.OpContinuation, true, []byte("world"))))
		push(wire(proto.OpBinary, true, []byte("next")))
		kind, r, err := c.RecvReaderContext(testCtx(t))
		if err != nil || kind != TextFrame {
			t.Fatalf("RecvReader: %v, %v", kind, err)
		}
		if got := readAll(t, r); string(got) != "hello, world" {
			t.Fatalf("read %q", got)
		}
		// The ping was answered, never reported.
		if f := recvWithin(t, c); f.Kind != BinaryFrame || string(f.Payload) != "next" {
			t.Fatalf("next message: %v", f)
		}
	}
}

// TestRecvReaderCutAtEveryByte: a message of three fragments, sent cut
// at every byte, reads the same with reads of every size.
func TestRecvReaderCutAtEveryByte(t *testing.T) {
	msg := []byte("0123456789abcdefghij\u00e9\u4e16\U0001F600")
	raw := cat(wire(proto.OpText, false, msg[:7]), wire(proto.OpContinuation, false, msg[7:20]),
		wire(proto.OpContinuation, true, msg[20:]))
	url, push := gatedServer(t)
	c := dial(t, url)
	for cut := 1; cut < len(raw); cut++ {
		for _, size := range []int{1, 3, 64} {
			// RecvReader returns once the first header is in.
			push(raw[:cut])
			if cut < 2 {
				push(raw[cut:])
			}
			kind, r, err := c.RecvReaderContext(testCtx(t))
			if err != nil || kind != TextFrame {
				t.Fatalf("cut %d: RecvReader: %v, %v", cut, kind, err)
			}
			if cut >= 2 {
				push(raw[cut:])
			}
			var got []byte
			buf := make([]byte, size)
			for {
				n, err := r.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("cut %d, reads of %d: %v", cut, size, err)
				}
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("cut %d, reads of %d: %q", cut, size, got)
			}
		}
	}
}

// TestRecvReaderNextRecvDiscardsTheRest: a Recv before the reader's end
// gets the next whole message, and the reader's Reads fail clearly.
func TestRecvReaderNextRecvDiscardsTheRest(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)
	push(cat(wire(proto.OpBinary, false, []byte("head")), wire(proto.OpContinuation, false, []byte("middle"))))
	_, r, err := c.RecvReaderContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if n, err := r.Read(buf); n != 2 || err != nil {
		t.Fatalf("first Read: %d, %v", n, err)
	}
	push(cat(wire(proto.OpContinuation, true, []byte("tail")), wire(proto.OpBinary, true, []byte("next"))))
	if f := recvWithin(t, c); string(f.Payload) != "next" {
		t.Fatalf("Recv after an unfinished reader: %v, want the next message", f)
	}
	// What the reader had already taken is still its own; then it fails.
	n, err := r.Read(make([]byte, 10))
	if n != 0 || !errors.Is(err, errAbandoned) {
		t.Fatalf("Read after the next Recv: %d, %v", n, err)
	}
}

// TestRecvReaderTimeoutKeepsTheReader: a Read that times out leaves the
// reader and the Conn usable.
func TestRecvReaderTimeoutKeepsTheReader(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url, RecvTimeout(shortWait))
	push(wire(proto.OpBinary, false, []byte("ab")))
	_, r, err := c.RecvReader()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, err := r.Read(buf); n != 2 || err != nil {
		t.Fatalf("Read: %d, %v", n, err)
	}
	_, err = r.Read(buf)
	checkTimeout(t, err)
	push(wire(proto.OpContinuation, true, []byte("cd")))
	n, err := r.Read(buf)
	if string(buf[:n]) != "cd" || err != io.EOF && err != nil {
		t.Fatalf("Read after the timeout: %q, %v", buf[:n], err)
	}
}

// TestRecvReaderInvalidUTF8 puts one invalid byte at every position of a
// fragmented text message: a Read returns *InvalidUTF8Error and the
// server gets 1007.
func TestRecvReaderInvalidUTF8(t *testing.T) {
	msg := []byte("abc\u00e9def\u4e16gh")
	for pos := range len(msg) + 1 {
		bad := append(append(append([]byte(nil), msg[:pos]...), 0xff), msg[pos:]...)
		codes := make(chan uint16, 1)
		url := scriptedServer(t, func(sc *scriptConn) {
			sc.writeRaw(cat(wire(proto.OpText, false, bad[:len(bad)/2]), wire(proto.OpContinuation, true, bad[len(bad)/2:])))
			code, _, _ := sc.readClose()
			codes <- code
		})
		c := dial(t, url)
		_, r, err := c.RecvReaderContext(testCtx(t))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		var ue *InvalidUTF8Error
		if !errors.As(err, &ue) {
			t.Fatalf("invalid byte at %d: %v, want *InvalidUTF8Error", pos, err)
		}
		select {
		case code := <-codes:
			if code != 1007 {
				t.Fatalf("invalid byte at %d: close %d, want 1007", pos, code)
			}
		case <-time.After(testTimeout):
			t.Fatal("no close frame")
		}
	}
}

// TestRecvReaderLimit: MaxMessageSize counts what the reader yields
// across fragments; a message within it reads whole.
func TestRecvReaderLimit(t *testing.T) {
	for _, tc := range []struct {
		sizes []int
		ok    bool
	}{{[]int{50, 50}, true}, {[]int{60, 41}, false}, {[]int{101}, false}, {[]int{0, 100, 0}, true}} {
		url, push := gatedServer(t)
		c := dial(t, url, MaxMessageSize(100))
		var raw []byte
		for i, n := range tc.sizes {
			op := proto.OpContinuation
			if i == 0 {
				op = proto.OpBinary
			}
			raw = append(raw, wire(op, i == len(tc.sizes)-1, bytes.Repeat([]byte("x"), n))...)
		}
		push(raw)
		_, r, err := c.RecvReaderContext(testCtx(t))
		var got []byte
		if err == nil {
			got, err = io.ReadAll(r)
		}
		var big *MessageTooBigError
		switch {
		case tc.ok && (err != nil || len(got) != 100):
			t.Fatalf("%v: %d bytes, %v", tc.sizes, len(got), err)
		case !tc.ok && !errors.As(err, &big):
			t.Fatalf("%v: %v, want *MessageTooBigError", tc.sizes, err)
		}
	}
}

// TestRecvReaderActiveMode: RecvReader and the Reads of an unfinished
// reader fail with ErrActiveMode in an active mode, and the pump delivers
// the next whole message.
func TestRecvReaderActiveMode(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)
	push(wire(proto.OpBinary, false, []byte("ab")))
	_, r, err := c.RecvReaderContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetActive(Active); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.RecvReader(); err != ErrActiveMode {
		t.Fatalf("RecvReader in active mode: %v", err)
	}
	if _, err := r.Read(make([]byte, 10)); err != ErrActiveMode {
		t.Fatalf("Read in active mode: %v", err)
	}
	push(cat(wire(proto.OpContinuation, true, []byte("cd")), wire(proto.OpBinary, true, []byte("next"))))
	if ev := nextEvent(t, c.Events()); string(ev.Frame.Payload) != "next" {
		t.Fatalf("event: %v", ev)
	}
}

// TestRecvReaderCloseEnds: after Close, the reader's Reads return
// ErrClosed.
func TestRecvReaderCloseEnds(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)
	push(wire(proto.OpBinary, false, []byte("ab")))
	_, r, err := c.RecvReaderContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, err := r.Read(buf); n != 2 || err != nil {
		t.Fatalf("Read: %q, %v", buf[:n], err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
}

// TestRecvReaderAnswersPingsMidMessage: the server sends the last
// fragment only once the ping it sent between fragments is answered,
// which the reader's Reads do.
func TestRecvReaderAnswersPingsMidMessage(t *testing.T) {
	url := scriptedServer(t, func(sc *scriptConn) {
		sc.writeRaw(cat(wire(proto.OpBinary, false, []byte("ab")), wire(proto.OpPing, true, []byte("p"))))
		sc.nc.SetReadDeadline(time.Now().Add(testTimeout))
		for {
			f, err := sc.readFrame()
			if err != nil {
				return
			}
			if f.Op == proto.OpPong {
				break
			}
		}
		sc.writeRaw(wire(proto.OpContinuation, true, []byte("cd")))
		sc.readClose()
	})
	c := dial(t, url)
	_, r, err := c.RecvReaderContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); string(got) != "abcd" {
		t.Fatalf("read %q", got)
	}
}
