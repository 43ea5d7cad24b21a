package deflate

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

var (
	takeover   = Settings{WindowBits: 15}
	noTakeover = Settings{WindowBits: 15, NoContextTakeover: true}
)

// decompress feeds a message's payload to d in the given pieces and ends
// it.
func decompress(d *Decompressor, pieces ...[]byte) ([]byte, error) {
	for _, p := range pieces {
		if err := d.Write(p); err != nil {
			return nil, err
		}
	}
	return d.Finish(nil)
}

// The examples of RFC 7692 section 7.2.3, each the payload of the message
// "Hello".
func TestDecompressRFCExamples(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
	}{
		{"7.2.3.1 one compressed block", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
		{"7.2.3.3 stored block", []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}},
		{"7.2.3.4 block with BFINAL set", []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}},
		{"7.2.3.5 two blocks", []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []Settings{takeover, noTakeover} {
				got, err := decompress(NewDecompressor(s, 0), tt.payload)
				if err != nil || string(got) != "Hello" {
					t.Fatalf("%+v: got %q, %v; want Hello", s, got, err)
				}
			}
			// Every split into two frames gives the same message.
			for i := range tt.payload {
				got, err := decompress(NewDecompressor(takeover, 0), tt.payload[:i], tt.payload[i:])
				if err != nil || string(got) != "Hello" {
					t.Fatalf("split at %d: got %q, %v", i, got, err)
				}
			}
		})
	}
}

// RFC 7692 section 7.2.3.1: the fragments of 3 and 4 bytes.
func TestDecompressFragments(t *testing.T) {
	got, err := decompress(NewDecompressor(takeover, 0), []byte{0xf2, 0x48, 0xcd}, []byte{0xc9, 0xc9, 0x07, 0x00})
	if err != nil || string(got) != "Hello" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// RFC 7692 section 7.2.3.2: a second "Hello" that refers to the first is
// decompressed with context takeover and refused without, since it
// reaches before the start of its own message. An uncompressed message in
// between changes nothing, as it never reaches the Decompressor.
func TestDecompressSharedWindow(t *testing.T) {
	first := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	second := []byte{0xf2, 0x00, 0x11, 0x00, 0x00}

	d := NewDecompressor(takeover, 0)
	for i, p := range [][]byte{first, second, first, second} {
		got, err := decompress(d, p)
		if err != nil || string(got) != "Hello" {
			t.Fatalf("message %d: got %q, %v", i, got, err)
		}
	}

	d = NewDecompressor(noTakeover, 0)
	if got, err := decompress(d, first); err != nil || string(got) != "Hello" {
		t.Fatalf("first: got %q, %v", got, err)
	}
	_, err := decompress(d, second)
	wantViolation(t, err, proto.CloseProtocolError, "before the start")
}

// RFC 7692 section 7.2.3.6: the payload of an empty message.
func TestDecompressEmpty(t *testing.T) {
	got, err := decompress(NewDecompressor(takeover, 0), []byte{0x00})
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %q (nil %v), %v; want an empty message", got, got == nil, err)
	}
}

func wantViolation(t *testing.T, err error, code uint16, reason string) {
	t.Helper()
	var v *proto.Violation
	if !errors.As(err, &v) || v.Code != code || !strings.Contains(v.Reason, reason) {
		t.Fatalf("got %v; want a violation %d with %q", err, code, reason)
	}
}

func TestDecompressCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		reason  string
	}{
		// A message must decompress, with 00 00 ff ff appended, to data
		// that ends with an empty stored block (RFC 7692 section 7.2.1).
		{"empty payload", nil, "ends inside a block"},
		{"truncated block", []byte{0xf2, 0x48, 0xcd}, "does not end with an empty stored block"},
		{"flush marker kept", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff}, "ends inside a block"},
		{"bytes after the end", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff}, "ends inside a block"},
		{"reserved block type", []byte{0x06}, "reserved block type"},
		{"stored length mismatch", []byte{0x00, 0x05, 0x00, 0xfb, 0xff, 'H', 'e', 'l', 'l', 'o', 0x00}, "complement"},
		// Fixed blocks (BTYPE 01): literal/length symbol 286; 'a', then
		// length 3 (257) at distance symbol 30; length 3 at distance 1
		// (symbol 0) with nothing before.
		{"length symbol 286", new(bitWriter).bits(2, 3).fixed(286).b, "invalid length symbol"},
		{"distance symbol 30", new(bitWriter).bits(2, 3).fixed('a', 257).code(30, 5).b, "invalid distance symbol"},
		{"distance before the data", new(bitWriter).bits(2, 3).fixed(257).code(0, 5).b, "before the start"},
		// Dynamic blocks (BTYPE 10): HLIT 287 (30+257); HCLEN 4 with
		// every code length 0, a code length code of no code at all.
		{"too many length codes", new(bitWriter).bits(4, 3).bits(30, 5).bits(0, 9).b, "too many"},
		{"empty code length code", new(bitWriter).bits(4, 3).bits(0, 14).bits(0, 12).b, "invalid code length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecompressor(takeover, 0)
			_, err := decompress(d, tt.payload)
			wantViolation(t, err, proto.CloseProtocolError, tt.reason)
			// The Decompressor is dead after a violation.
			if _, err := decompress(d, []byte{0x00}); err == nil {
				t.Fatal("a Decompressor took a message after a violation")
			}
		})
	}
}

// A match may reach no farther back than the agreed window, even within
// its own message.
func TestDecompressWindow(t *testing.T) {
	msg := make([]byte, 1500)
	for i := range msg {
		msg[i] = byte(i * 7 / 3)
	}
	msg = append(msg, msg[:600]...) // a match 1500 bytes back
	payload := NewCompressor(Settings{WindowBits: 15, NoContextTakeover: true}).Append(nil, msg, true)

	for _, bits := range []int{11, 15} {
		got, err := decompress(NewDecompressor(Settings{WindowBits: bits, NoContextTakeover: true}, 0), payload)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("%d bits: got %d bytes, %v", bits, len(got), err)
		}
	}
	_, err := decompress(NewDecompressor(Settings{WindowBits: 10, NoContextTakeover: true}, 0), payload)
	wantViolation(t, err, proto.CloseProtocolError, "beyond the negotiated window")
}

// The limit is enforced on the decompressed size as it is produced: a
// payload of a few hundred bytes that would decompress to a megabyte is
// stopped at the limit, with no more memory taken than the limit allows.
func TestDecompressLimit(t *testing.T) {
	msg := make([]byte, 1<<20)
	payload := NewCompressor(noTakeover).Append(nil, msg, true)
	if len(payload) > 2048 {
		t.Fatalf("a megabyte of zeros compressed to %d bytes", len(payload))
	}
	for _, limit := range []int64{1, 1000, 1<<20 - 1} {
		d := NewDecompressor(takeover, limit)
		err := d.Write(payload)
		var v *proto.Violation
		if !errors.As(err, &v) || v.Code != proto.CloseMessageTooBig || v.Limit != limit || v.Size <= limit {
			t.Fatalf("limit %d: got %v (%+v)", limit, err, v)
		}
		if _, err := d.Finish(nil); err != v {
			t.Fatalf("limit %d: Finish after the violation gave %v", limit, err)
		}
	}
	// At the limit exactly, the message passes.
	got, err := decompress(NewDecompressor(takeover, 1<<20), payload)
	if err != nil || len(got) != 1<<20 || cap(got) > 1<<20 {
		t.Fatalf("at the limit: %d bytes (capacity %d), %v", len(got), cap(got), err)
	}
}

// The limit holds within a stored block too.
func TestDecompressLimitStored(t *testing.T) {
	payload := []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}
	_, err := decompress(NewDecompressor(takeover, 4), payload)
	wantViolation(t, err, proto.CloseMessageTooBig, "limit of 4")
	got, err := decompress(NewDecompressor(takeover, 5), payload)
	if err != nil || string(got) != "Hello" {
		t.Fatalf("at the limit: %q, %v", got, err)
	}
}

// A match reaching exactly the window's size back is within it; one byte
// farther is not. 8 bits mean 256 bytes: zlib, asked for 8 bits, uses a
// 512-byte window, but reaches no farther back than 250 bytes in it (its
// MAX_DIST is the window less 262 bytes).
func TestDecompressWindowEdge(t *testing.T) {
	for bits := MinWindowBits; bits <= MaxWindowBits; bits++ {
		size := 1 << bits
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7)
		}
		stored := append([]byte{0x00, byte(size), byte(size >> 8), ^byte(size), ^byte(size >> 8)}, data...)
		// A fixed block with length 3 (257) at the distance.
		at := func(d int) []byte {
			sym := 0
			for sym < 29 && int(distBase[sym+1]) <= d {
				sym++
			}
			w := new(bitWriter).bits(2, 3).fixed(257).code(uint32(sym), 5).bits(uint32(d)-distBase[sym], uint(distExtra[sym]))
			return slices.Concat(stored, w.fixed(256).bits(0, 3).b)
		}
		s := Settings{WindowBits: bits, NoContextTakeover: true}
		got, err := decompress(NewDecompressor(s, 0), at(size))
		if err != nil || !bytes.Equal(got, append(data, data[:3]...)) {
			t.Fatalf("%d bits, distance %d: %d bytes, %v", bits, size, len(got), err)
		}
		if bits < MaxWindowBits { // DEFLATE has no distance above 32768
			_, err = decompress(NewDecompressor(s, 0), at(size+1))
			wantViolation(t, err, proto.CloseProtocolError, "beyond the negotiated window")
		}
	}
}

// After Release a Decompressor holds no memory; one that never received a
// message never allocated its window.
func TestDecompressRelease(t *testing.T) {
	d := NewDecompressor(takeover, 0)
	if d.hist.buf != nil {
		t.Fatal("window allocated before the first message")
	}
	if err := d.Write([]byte{0xf2, 0x48}); err != nil {
		t.Fatal(err)
	}
	d.Release()
	if d.f != nil || d.hist != nil {
		t.Fatal("Release kept state")
	}
}

// TestLimitWithKeptOutput (found by conformance 14.4): output memory kept
// in the pool from a message under a large limit must not let a later
// message pass a smaller one.
func TestLimitWithKeptOutput(t *testing.T) {
	s := Settings{WindowBits: 15, NoContextTakeover: true}
	big := NewCompressor(s).Append(nil, make([]byte, 20<<10), true)
	d := NewDecompressor(s, 1<<20)
	if err := d.Write(big); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 64<<10)
	if _, err := d.Finish(buf); err != nil { // the inflater keeps its output memory
		t.Fatal(err)
	}
	d.Release()
	small := NewDecompressor(s, 1000)
	defer small.Release()
	err := small.Write(big)
	if err == nil {
		_, err = small.Finish(buf)
	}
	var v *proto.Violation
	if !errors.As(err, &v) || v.Code != proto.CloseMessageTooBig {
		t.Fatalf("20 KiB under a limit of 1000: %v, want a 1009 violation", err)
	}
}
