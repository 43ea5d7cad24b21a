package deflate

import (
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// Random messages through a Compressor and a Decompressor for every window
// size, with and without context takeover: each comes back whole, sent in
// fragments or at once and received in pieces of any size. The
// Decompressor's window is exactly 1<<bits, 256 bytes for 8 bits too, so
// a compressor reaching farther back than agreed fails the test. The
// standard library's decoder checks the payloads as well, so that the
// test does not rest on this package's decoder alone.
func TestRoundTrip(t *testing.T) {
	for bits := MinWindowBits; bits <= MaxWindowBits; bits++ {
		for _, nct := range []bool{false, true} {
			s := Settings{WindowBits: bits, NoContextTakeover: nct}
			t.Run(fmt.Sprintf("bits=%d/no_context_takeover=%v", bits, nct), func(t *testing.T) {
				t.Parallel()
				roundTrip(t, s, rand.New(rand.NewPCG(uint64(bits), 7)))
			})
		}
	}
}

func roundTrip(t *testing.T, s Settings, r *rand.Rand) {
	c := NewCompressor(s)
	defer c.Release()
	d := NewDecompressor(s, 0)
	defer d.Release()
	d.window = 1 << s.WindowBits
	// With context takeover the payloads, each with the 00 00 ff ff
	// section 7.2.2 appends, form one DEFLATE stream.
	var stream bytes.Buffer
	std := stdflate.NewReader(&stream)
	for i, m := range samples(r, 30) {
		var payload []byte
		if r.IntN(2) == 0 {
			payload = c.Append(nil, m, true)
		} else {
			for _, p := range pieces(r, m) {
				payload = c.Append(payload, p, false)
			}
			payload = c.Append(payload, nil, true)
		}
		got, err := decompress(d, pieces(r, payload)...)
		if err != nil || !bytes.Equal(got, m) {
			t.Fatalf("message %d of %d bytes: got %d bytes, %v", i, len(m), len(got), err)
		}

		if s.NoContextTakeover {
			stream.Reset()
			std.(stdflate.Resetter).Reset(&stream, nil)
		}
		stream.Write(payload)
		stream.Write(tail)
		got = make([]byte, len(m))
		if _, err := io.ReadFull(std, got); err != nil || !bytes.Equal(got, m) {
			t.Fatalf("message %d of %d bytes: the standard library read %v", i, len(m), err)
		}
	}
}

// Without context takeover each message is compressed on its own: the
// same message twice gives the same payload, and each payload decompresses
// with an empty window. With takeover the second is shorter, a match on
// the first.
func TestCompressContextTakeover(t *testing.T) {
	msg := []byte(`{"type":"update","channel":"ticker","product_id":"BTC-USD","price":"67321.5"}`)
	c := NewCompressor(noTakeover)
	a, b := c.Append(nil, msg, true), c.Append(nil, msg, true)
	if !bytes.Equal(a, b) {
		t.Fatalf("without takeover: % x then % x", a, b)
	}
	fresh, err := decompress(NewDecompressor(noTakeover, 0), b)
	if err != nil || !bytes.Equal(fresh, msg) {
		t.Fatalf("second message on its own: %q, %v", fresh, err)
	}

	c = NewCompressor(takeover)
	a, b = c.Append(nil, msg, true), c.Append(nil, msg, true)
	if len(b) >= len(a)/2 {
		t.Fatalf("with takeover: %d bytes then %d", len(a), len(b))
	}
	d := NewDecompressor(takeover, 0)
	for _, p := range [][]byte{a, b} {
		if got, err := decompress(d, p); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("got %q, %v", got, err)
		}
	}
}

// RFC 7692 section 7.2.3.6: an empty message is the single byte 00. The
// fragments before the last keep their 00 00 ff ff (section 7.2.1).
func TestCompressFraming(t *testing.T) {
	for _, s := range []Settings{takeover, noTakeover, {WindowBits: 8}} {
		c := NewCompressor(s)
		if got := c.Append(nil, nil, true); !bytes.Equal(got, []byte{0x00}) {
			t.Fatalf("%+v: empty message compressed to % x", s, got)
		}
		first := c.Append([]byte("head"), []byte("Hello"), false)
		if !bytes.HasPrefix(first, []byte("head")) || !bytes.HasSuffix(first, []byte{0x00, 0x00, 0xff, 0xff}) {
			t.Fatalf("%+v: first fragment % x", s, first)
		}
		last := c.Append(nil, []byte(", world"), true)
		if bytes.HasSuffix(last, []byte{0x00, 0x00, 0xff, 0xff}) {
			t.Fatalf("%+v: last fragment kept the flush marker: % x", s, last)
		}
		got, err := decompress(NewDecompressor(s, 0), first[4:], last)
		if err != nil || string(got) != "Hello, world" {
			t.Fatalf("%+v: got %q, %v", s, got, err)
		}
	}
}

// A Compressor without takeover holds no encoder between messages; one
// with takeover keeps its own until Release.
func TestCompressorPooling(t *testing.T) {
	c := NewCompressor(noTakeover)
	c.Append(nil, []byte("Hello"), false)
	if c.w == nil {
		t.Fatal("no encoder held inside a message")
	}
	c.Append(nil, []byte("Hello"), true)
	if c.w != nil {
		t.Fatal("encoder held between messages without takeover")
	}
	c = NewCompressor(takeover)
	c.Append(nil, []byte("Hello"), true)
	if c.w == nil {
		t.Fatal("encoder dropped between messages with takeover")
	}
	c.Release()
	if c.w != nil {
		t.Fatal("encoder held after Release")
	}
}
