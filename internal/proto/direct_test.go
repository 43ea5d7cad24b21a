package proto

import (
	"strings"
	"testing"
)

// driveDirect reads in like a connection does: reads of at most chunk
// bytes into a buffer parsed by Next, except that once the buffer is
// empty and a payload is awaited, reads go straight into PayloadBuffer
// and are handed over with Commit.
func driveDirect(t *testing.T, r *Reader, in []byte, chunk int) result {
	t.Helper()
	var res result
	var buf []byte
	for {
		var f Frame
		var ok, progressed bool
		var err error
		if len(buf) > 0 {
			var n int
			n, f, ok, err = r.Next(buf)
			buf = buf[n:]
			progressed = n > 0 || ok || err != nil
		} else if room := r.PayloadBuffer(); len(room) > 0 && len(in) > 0 {
			n := copy(room[:min(len(room), chunk)], in)
			in = in[n:]
			f, ok, err = r.Commit(n)
			progressed = true
		}
		if err != nil {
			res.err = err.(*Violation)
			return res
		}
		if ok {
			res.frames = append(res.frames, f)
		}
		if !progressed {
			if len(in) == 0 {
				break
			}
			n := min(chunk, len(in))
			buf = append(buf, in[:n]...)
			in = in[n:]
		}
	}
	res.left = len(buf)
	return res
}

// TestReaderDirectPayload checks that reading payloads through
// PayloadBuffer and Commit gives what Next gives, for every rule that
// looks at payload bytes: unmasking, UTF-8 across reads and fragments,
// the end of a message.
func TestReaderDirectPayload(t *testing.T) {
	long := strings.Repeat("añ€😀", 5000)
	streams := []struct {
		name   string
		server bool
		frames []fspec
	}{
		{"one text frame", false, []fspec{msg(OpText, long)}},
		{"masked text", true, []fspec{msg(OpText, long)}},
		{"fragments and a ping between", true, []fspec{first(OpText, long[:7001]), msg(OpPing, "p"), more(long[7001:20003]), last(long[20003:])}},
		{"binary then empty", false, []fspec{msg(OpBinary, long), msg(OpBinary, "")}},
		{"invalid UTF-8 late in the frame", false, []fspec{msg(OpText, long+"\xff"+long)}},
		{"text ends mid-character", false, []fspec{msg(OpText, long+"\xe2\x82")}},
		{"payload still to come", false, []fspec{msg(OpText, long), header(true, OpBinary, 1<<20)}},
	}
	for _, s := range streams {
		in := encode(s.server, s.frames...)
		want := drive(t, &Reader{Server: s.server}, [][]byte{in})
		for _, chunk := range []int{1, 3, 4096, 1 << 20} {
			for _, limited := range []bool{false, true} {
				r := &Reader{Server: s.server}
				if limited {
					r.MaxMessage = 1 << 24
				}
				got := driveDirect(t, r, in, chunk)
				if s.name == "payload still to come" {
					// Next leaves nothing; the direct reader stops with
					// nothing left too, having read no payload.
					want.left = 0
				}
				if !sameResult(got, want) {
					t.Errorf("%s, chunk %d, limited %t:\n got %v\nwant %v", s.name, chunk, limited, got, want)
				}
			}
		}
	}
}

// TestPayloadBufferBounded checks that a header alone cannot make the
// Reader reserve more than it would for Next: without limits, room grows
// with what has arrived.
func TestPayloadBufferBounded(t *testing.T) {
	for _, r := range []*Reader{{}, {MaxFrame: -1, MaxMessage: -1}} {
		payloadBufferBounded(t, r)
	}
}

func payloadBufferBounded(t *testing.T, r *Reader) {
	in := encode(false, header(true, OpBinary, 1<<62))
	if n, _, _, err := r.Next(in); n != len(in) || err != nil {
		t.Fatalf("Next = %d, %v", n, err)
	}
	total := 0
	for range 4 {
		room := r.PayloadBuffer()
		if len(room) > max(2*total, unboundedPrealloc) {
			t.Fatalf("room of %d bytes after %d arrived", len(room), total)
		}
		total += len(room)
		if _, ok, err := r.Commit(len(room)); ok || err != nil {
			t.Fatalf("Commit = %t, %v", ok, err)
		}
	}
	if r.PayloadBuffer() == nil {
		t.Fatal("no room while payload is awaited")
	}
	var idle Reader
	if room := idle.PayloadBuffer(); room != nil {
		t.Fatalf("room %d between frames", len(room))
	}
}
