package proto

import (
	"bytes"
	"testing"
)

// driveStream is drive for a Reader that streams its messages in pieces
// of at most room bytes (none for 0): it joins the pieces, checking that
// each message's first piece has its opcode and the others
// OpContinuation, and returns the messages and control frames, and the
// violation if any. What is left unread is not compared: streaming leaves
// payload for later.
func driveStream(t testing.TB, r *Reader, pieces [][]byte, room int) result {
	t.Helper()
	var buf, roomBuf []byte
	if room > 0 {
		roomBuf = make([]byte, room)
	}
	r.Stream(true, roomBuf)
	var res result
	var msg *Frame
	for _, p := range pieces {
		buf = append(buf, p...)
		for {
			n, f, ok, err := r.Next(buf)
			buf = buf[n:]
			if err != nil {
				res.err = err.(*Violation)
				return res
			}
			if !ok {
				if n == 0 {
					break
				}
				continue
			}
			switch {
			case r.Part() == 0:
				if !f.Op.IsControl() {
					t.Fatalf("a whole %v message while streaming", f.Op)
				}
				res.frames = append(res.frames, f)
				continue
			case msg == nil:
				if f.Op == OpContinuation {
					t.Fatal("a message's first piece has no opcode")
				}
				msg = &Frame{Op: f.Op, Payload: []byte{}}
			case f.Op != OpContinuation:
				t.Fatalf("a later piece with opcode %v", f.Op)
			}
			if room > 0 && len(f.Payload) > room {
				t.Fatalf("a piece of %d bytes, room %d", len(f.Payload), room)
			}
			msg.Payload = append(msg.Payload, f.Payload...)
			if r.Part() != PartMore {
				res.frames = append(res.frames, *msg)
				msg = nil
			}
		}
	}
	return res
}

// FuzzStreamReader: a Reader that streams yields, once its pieces are
// joined, the messages that one assembling them yields, and the same
// violation: UTF-8 and size limits are checked as the pieces go.
func FuzzStreamReader(f *testing.F) {
	for _, server := range []bool{false, true} {
		f.Add(encode(server, first(OpText, "Hel\xE2"), msg(OpPing, "p"), last("\x82\xACo"), msg(OpClose, "\x03\xe8bye")), server, uint16(16), uint16(32), uint(9), uint8(3))
		f.Add(encode(server, first(OpBinary, "0123456789"), msg(OpContinuation, ""), last("abc")), server, uint16(0), uint16(12), uint(5), uint8(1))
		f.Add(encode(server, first(OpText, "\xED"), last("\xA0\x80")), server, uint16(0), uint16(0), uint(4), uint8(0))
		f.Add(encode(server, msg(OpText, "ok"), msg(OpBinary, ""), msg(OpText, "a\xffb")), server, uint16(0), uint16(0), uint(7), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, server bool, maxFrame, maxMessage uint16, cut uint, room uint8) {
		newReader := func() *Reader {
			return &Reader{Server: server, MaxFrame: int64(maxFrame), MaxMessage: int64(maxMessage)}
		}
		want := drive(t, newReader(), [][]byte{data})
		want.left = 0
		c := int(cut % uint(len(data)+1))
		for _, pieces := range [][][]byte{{data}, {data[:c], data[c:]}, oneByOne(data)} {
			got := driveStream(t, newReader(), pieces, int(room))
			// A message that the input does not complete is yielded in
			// part by the streaming Reader only: compare whole ones.
			if !sameResult(got, want) {
				t.Fatalf("streamed in pieces of %d, input cut %d ways:\n got %v\nwant %v", room, len(pieces), got, want)
			}
		}
	})
}

// TestStreamInvalidUTF8EveryPosition: one invalid byte at every position
// of a fragmented text message is found by the streaming Reader, with the
// code 1007, whatever the room.
func TestStreamInvalidUTF8EveryPosition(t *testing.T) {
	text := []byte("abc\u00e9def\u4e16gh\U0001F600")
	for pos := range len(text) + 1 {
		bad := append(append(append([]byte(nil), text[:pos]...), 0xff), text[pos:]...)
		in := encode(false, first(OpText, string(bad[:len(bad)/2])), last(string(bad[len(bad)/2:])))
		for _, room := range []int{0, 1, 3, 64} {
			got := driveStream(t, &Reader{}, [][]byte{in}, room)
			if got.err == nil || got.err.Code != CloseInvalidPayload {
				t.Fatalf("invalid byte at %d, room %d: %v", pos, room, got)
			}
		}
	}
	if got := driveStream(t, &Reader{}, [][]byte{encode(false, msg(OpText, string(text)))}, 2); got.err != nil || !bytes.Equal(got.frames[0].Payload, text) {
		t.Fatalf("valid text: %v", got)
	}
}
