package conformance

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/proto"
)

func TestFrameLengthForms(t *testing.T) {
	for _, e := range []struct {
		f       Frame
		hdrSize int
		valid   bool // in the minimal form RFC 6455 requires
	}{
		{Text("abc"), 2, true},
		{Binary(make([]byte, 126)), 4, true},
		{Binary(make([]byte, 65536)), 10, true},
		{Text("abc").WithForm(Len16), 4, false},
		{Text("abc").WithForm(Len64), 10, false},
		{Binary(make([]byte, 300)).WithForm(Len64), 10, false},
		{Binary(nil).Declare(1 << 20), 10, true},
	} {
		b := e.f.Bytes()
		if e.f.headerSize() != e.hdrSize || len(b) != e.hdrSize+len(e.f.Payload) {
			t.Errorf("%v of %d bytes, form %d: header of %d bytes, frame of %d, want %d + payload",
				e.f.Op, len(e.f.Payload), e.f.Form, e.f.headerSize(), len(b), e.hdrSize)
		}
		h, n, err := proto.ParseHeader(b)
		if !e.valid {
			if err == nil {
				t.Errorf("%v in form %d: parsed as valid", e.f.Op, e.f.Form)
			}
			continue
		}
		want := int64(len(e.f.Payload))
		if e.f.Lie {
			want = int64(e.f.Declared)
		}
		if err != nil || n != e.hdrSize || h.Length != want || h.Op != e.f.Op || !h.Fin {
			t.Errorf("%v: parsed %v (%d bytes, %v)", e.f.Op, h, n, err)
		}
	}
}

func TestFrameBits(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	b := Text("hello").More().WithRsv(5).WithMask(key).Bytes()
	h, n, err := proto.ParseHeader(b)
	if err != nil || h.Fin || h.Rsv != 5 || !h.Masked || h.Key != key || h.Length != 5 {
		t.Fatalf("parsed %v, %v", h, err)
	}
	p := b[n:]
	proto.Mask(key, 0, p)
	if string(p) != "hello" {
		t.Fatalf("unmasked payload %q", p)
	}
	if b := Msg(15, nil).Bytes(); b[0] != 0x8F {
		t.Fatalf("opcode 15: first byte %#x", b[0])
	}
}

func TestFragments(t *testing.T) {
	p := []byte("0123456789")
	frames := Fragments(proto.OpBinary, p, 0, 4, 4)
	ops := []proto.Opcode{proto.OpBinary, 0, 0, 0}
	var joined []byte
	for i, f := range frames {
		if f.Op != ops[i] || f.Fin != (i == len(frames)-1) {
			t.Fatalf("fragment %d: op %v fin %t", i, f.Op, f.Fin)
		}
		joined = append(joined, f.Payload...)
	}
	if len(frames) != 4 || !bytes.Equal(joined, p) {
		t.Fatalf("%d fragments joining to %q", len(frames), joined)
	}
	if n := len(FragmentsOf(proto.OpText, p, 3)); n != 4 {
		t.Fatalf("10 bytes in fragments of 3: %d fragments", n)
	}
	if n := len(FragmentsOf(proto.OpText, nil, 3)); n != 1 {
		t.Fatalf("no bytes in fragments of 3: %d fragments", n)
	}
}

func TestWireUntil(t *testing.T) {
	frames := []Frame{Text("ab").More(), Ping([]byte("x")), Cont([]byte("cd"))}
	for _, e := range []struct {
		n    int
		want []byte
	}{
		{0, nil},
		{1, []byte{0x01, 2, 'a'}},
		{2, []byte{0x01, 2, 'a', 'b'}},
		{3, []byte{0x01, 2, 'a', 'b', 0x89, 1, 'x', 0x80, 2, 'c'}},
		{4, Wire(frames...)},
	} {
		if got := WireUntil(frames, e.n); !bytes.Equal(got, e.want) {
			t.Errorf("WireUntil(%d) = %x, want %x", e.n, got, e.want)
		}
	}
}

func TestFailPoint(t *testing.T) {
	for _, e := range []struct {
		text string
		want int
	}{
		{"κόσμε", -1},
		{"", -1},
		{"\x80", 1},
		{"\xc0\xaf", 1},
		{"\xe0\x80\xaf", 2},
		{"\xed\xa0\x80", 2},
		{"\xf4\x90\x80\x80", 2},
		{"\xf8\x88\x80\x80\x80", 1},
		{"\xf0\x90\x80", 3},
		{"κ\xe1\x80xμ", 5},
		{"κόσμε\xf4\x90\x80\x80-edited", 12},
	} {
		if got := failPoint([]byte(e.text)); got != e.want {
			t.Errorf("failPoint(%q) = %d, want %d", e.text, got, e.want)
		}
	}
}

func TestPayloads(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 30, 125, 126, 1000, 1<<20 + 3} {
		if p := textOf(n); len(p) != n || !utf8.Valid(p) {
			t.Errorf("textOf(%d): %d bytes, valid %t", n, len(p), utf8.Valid(p))
		}
		if p := binaryOf(n); len(p) != n {
			t.Errorf("binaryOf(%d): %d bytes", n, len(p))
		}
	}
	if p := textOf(300); utf8.RuneCount(p) == len(p) {
		t.Error("textOf has no multibyte character")
	}
	if !bytes.Equal(binaryOf(64), binaryOf(64)) || !bytes.Equal(textOf(64), textOf(64)) {
		t.Error("payloads differ from one call to the next")
	}
}
