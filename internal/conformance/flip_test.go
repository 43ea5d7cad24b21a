package conformance

import (
	"bytes"
	"testing"
)

// TestFlip holds the flipper to its word: each frame comes out in the
// other role's form (masked with the key if it was not, unmasked if it
// was), equal to the frame built that way by Wire, whatever the cuts of
// the writes that carry the stream.
func TestFlip(t *testing.T) {
	key := [4]byte{9, 8, 7, 6}
	other := [4]byte{1, 2, 3, 4}
	in := []Frame{
		Text("Hello"), Binary(nil), Binary(binaryOf(126)), Binary(binaryOf(70000)),
		Text("x").WithForm(Len64), Ping([]byte("p")).WithRsv(5), Text("frag").More(), Cont([]byte("ment")),
		Text("masked").WithMask(other), Binary(binaryOf(300)).WithMask(other), Close(1000, "bye"),
	}
	var want []Frame
	for _, f := range in {
		if f.Masked {
			f.Masked = false
		} else {
			f = f.WithMask(key)
		}
		want = append(want, f)
	}
	stream, flipped := Wire(in...), Wire(want...)
	for _, size := range []int{len(stream), 1, 2, 3, 7, 100, 4096} {
		f := &flipper{key: key}
		var got []byte
		for start := 0; start < len(stream); start += size {
			got = append(got, f.flip(stream[start:min(start+size, len(stream))])...)
		}
		if !bytes.Equal(got, flipped) {
			t.Errorf("in writes of %d bytes: %d bytes flipped, want %d%s", size, len(got), len(flipped), firstDiff(got, flipped))
		}
	}
	// A header alone, announcing more than comes.
	f := &flipper{key: key}
	if got, want := f.flip(Binary(nil).Declare(1<<63).Bytes()), Binary(nil).Declare(1<<63).WithMask(key).Bytes(); !bytes.Equal(got, want) {
		t.Errorf("header only: %x, want %x", got, want)
	}
}
