package ws

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// writeInPieces writes data to w in Writes of size bytes, then closes it.
func writeInPieces(t *testing.T, w io.WriteCloser, data []byte, size int) {
	t.Helper()
	for p := data; len(p) > 0; {
		k := min(size, len(p))
		if n, err := w.Write(p[:k]); n != k || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestSendWriterEchoes: messages of every size around the fragment size,
// written in small and large Writes, with and without compression, come
// back whole, read whole and streamed.
func TestSendWriterEchoes(t *testing.T) {
	plain := echoServer(t)
	deflated := acceptServer(t, echoConn, nil, Compression(Deflate{}))
	for _, tc := range []struct {
		url  string
		opts []Option
	}{{plain, nil}, {deflated, []Option{Compression(Deflate{})}}} {
		c := dial(t, tc.url, tc.opts...)
		for _, size := range []int{0, 1, streamFragment - 1, streamFragment, streamFragment + 1, 3*streamFragment + 5} {
			data := bytes.Repeat([]byte("añ€😀 "), size/10+1)[:size]
			for _, piece := range []int{7, 1 << 20} {
				w, err := c.SendWriter(BinaryFrame)
				if err != nil {
					t.Fatal(err)
				}
				writeInPieces(t, w, data, piece)
				if f := recvWithin(t, c); f.Kind != BinaryFrame || !bytes.Equal(f.Payload, data) {
					t.Fatalf("%d bytes in Writes of %d: got %v", size, piece, f)
				}
			}
			text := []byte(strings.ToValidUTF8(string(data), ""))
			w, err := c.SendWriter(TextFrame)
			if err != nil {
				t.Fatal(err)
			}
			writeInPieces(t, w, text, 5) // characters cut between Writes
			kind, r, err := c.RecvReaderContext(testCtx(t))
			if err != nil || kind != TextFrame {
				t.Fatalf("RecvReader: %v, %v", kind, err)
			}
			if got := readAll(t, r); !bytes.Equal(got, text) {
				t.Fatalf("%d bytes streamed back: got %d bytes", len(text), len(got))
			}
		}
	}
}

// TestSendWriterHoldsOtherMessages: a Send while a writer is open waits
// for its Close, and goes after its message.
func TestSendWriterHoldsOtherMessages(t *testing.T) {
	c := dial(t, echoServer(t))
	w, err := c.SendWriter(TextFrame)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, strings.Repeat("a", streamFragment+10)); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Text("after")) }()
	waitParked(t, "ws.(*gate).lock", "ws.(*gate).lockSlow")
	if _, err := io.WriteString(w, "b"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); len(f.Payload) != streamFragment+11 || !strings.HasSuffix(f.Text(), "ab") {
		t.Fatalf("first message: %v", f)
	}
	if f := recvWithin(t, c); f.Text() != "after" {
		t.Fatalf("second message: %v", f)
	}
}

// TestSendWriterFailures: invalid text before the first fragment drops
// the message and leaves the Conn usable; after it, the Conn closes with
// 1011. Every later Write and Close returns the error.
func TestSendWriterFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		writes  []string
		started bool
	}{
		{"invalid at once", []string{"ok\xff"}, false},
		{"ends mid-character", []string{"ok\xe2\x82"}, false},
		{"invalid after a fragment", []string{strings.Repeat("a", streamFragment), "b\xff"}, true},
		{"ends mid-character after a fragment", []string{strings.Repeat("a", streamFragment), "b\xe2\x82"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, codes := scriptServer(t, nil)
			c := dial(t, url)
			w, err := c.SendWriter(TextFrame)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.writes {
				if _, err = io.WriteString(w, s); err != nil {
					break
				}
			}
			if err == nil {
				err = w.Close()
			}
			if err == nil {
				t.Fatal("the writer took invalid text")
			}
			if _, werr := w.Write([]byte("x")); werr != err {
				t.Fatalf("Write after the failure: %v, want %v", werr, err)
			}
			if cerr := w.Close(); cerr != err {
				t.Fatalf("Close after the failure: %v, want %v", cerr, err)
			}
			if !tc.started {
				if err := c.Send(Text("still open")); err != nil {
					t.Fatalf("Send after a dropped message: %v", err)
				}
				c.Close()
				if code := <-codes; code != 1000 {
					t.Fatalf("close %d, want 1000", code)
				}
				return
			}
			if code := <-codes; code != 1011 {
				t.Fatalf("close %d, want 1011", code)
			}
			if err := c.Send(Text("x")); !errors.Is(err, ErrClosed) {
				t.Fatalf("Send after 1011: %v", err)
			}
		})
	}
}

func TestSendWriterKinds(t *testing.T) {
	c := dial(t, echoServer(t))
	if _, err := c.SendWriter(PingFrame); err == nil {
		t.Fatal("SendWriter opened a ping")
	}
}
