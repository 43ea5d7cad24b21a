package ws

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

func TestSendFromEchoes(t *testing.T) {
	c := dial(t, echoServer(t))
	for _, size := range []int{0, 1, streamFragment - 1, streamFragment, streamFragment + 1, 1<<20 + 3} {
		data := bytes.Repeat([]byte{0, 1, 2, 3, 250}, size/5+1)[:size]
		if err := c.SendFrom(BinaryFrame, iotest.HalfReader(bytes.NewReader(data))); err != nil {
			t.Fatalf("SendFrom %d bytes: %v", size, err)
		}
		if f := recvWithin(t, c); f.Kind != BinaryFrame || !bytes.Equal(f.Payload, data) {
			t.Fatalf("%d bytes: got %v", size, f)
		}
	}
	// Characters cut by the fragment boundaries are whole again at the peer.
	text := strings.Repeat("añ€😀", 3*streamFragment/10)
	if err := c.SendFrom(TextFrame, strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); f.Kind != TextFrame || f.Text() != text {
		t.Fatalf("text of %d bytes came back as %v", len(text), f)
	}
	if err := c.SendFrom(PingFrame, strings.NewReader("x")); err == nil {
		t.Fatal("SendFrom sent a ping")
	}
}

func TestSendFromFailures(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		kind    Kind
		r       io.Reader
		started bool // a fragment was out before the failure
	}{
		{"read error at once", BinaryFrame, iotest.ErrReader(boom), false},
		{"invalid UTF-8 in the first fragment", TextFrame, strings.NewReader("ok\xff"), false},
		{"read error after a fragment", BinaryFrame, io.MultiReader(bytes.NewReader(make([]byte, 100<<10)), iotest.ErrReader(boom)), true},
		{"invalid UTF-8 later", TextFrame, strings.NewReader(strings.Repeat("a", 100<<10) + "\xff"), true},
		{"text ends mid-character", TextFrame, strings.NewReader(strings.Repeat("a", 100<<10) + "\xe2\x82"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, codes := scriptServer(t, nil)
			c := dial(t, url)
			if err := c.SendFrom(tc.kind, tc.r); err == nil {
				t.Fatal("SendFrom succeeded")
			}
			if !tc.started {
				// Nothing went out: the Conn is as it was.
				if err := c.Send(Text("still open")); err != nil {
					t.Fatalf("Send after a failed SendFrom: %v", err)
				}
				c.Close()
			}
			want := uint16(CloseNormal)
			if tc.started {
				want = uint16(CloseInternalError)
			}
			codes.want(t, want)
		})
	}
}

// TestSendFromHoldsOtherMessages starts a Send while SendFrom is between
// fragments: the Send waits for the streamed message to end (the internal
// server would fail the connection with 1002 for a message started inside
// another) and arrives after it.
func TestSendFromHoldsOtherMessages(t *testing.T) {
	c := dial(t, echoServer(t))
	pr, pw := io.Pipe()
	streamed := make(chan error, 1)
	go func() { streamed <- c.SendFrom(BinaryFrame, pr) }()
	first := make([]byte, streamFragment+10)
	pw.Write(first) // the first fragment goes out, SendFrom waits for more
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := c.Send(Text("after")); err != nil {
			t.Errorf("Send: %v", err)
		}
	}()
	waitParked(t, "ws.(*Conn).Send")
	pw.Close()
	if err := <-streamed; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if f := recvWithin(t, c); len(f.Payload) != len(first) {
		t.Fatalf("first message: %v", f)
	}
	if f := recvWithin(t, c); f.Text() != "after" {
		t.Fatalf("second message: %v", f)
	}
}
