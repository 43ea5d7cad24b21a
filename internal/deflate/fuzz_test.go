package deflate

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

// FuzzDecompress feeds arbitrary payloads to a Decompressor with a small
// limit (0 is none) and a window of 8 to 15 bits. Besides not panicking:
// the result, message or violation, is the same whether the payload comes
// whole, cut at the fuzzer's point, or byte by byte; a message never
// passes the limit; a violation has code 1002 or 1009. With no limit and
// the full window, the standard library's decoder must agree: what this
// package decompresses it decompresses to the same bytes (up to a block
// with BFINAL set, where it stops), and what it decompresses this package
// does too, unless the data did not end with the empty stored block that
// RFC 7692 section 7.2.1 requires.
func FuzzDecompress(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	f.Add([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, uint(3), uint16(0), uint8(15))
	f.Add([]byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, uint(6), uint16(4), uint8(8))
	f.Add([]byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, uint(7), uint16(0), uint8(15))
	f.Add([]byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, uint(4), uint16(0), uint8(15))
	f.Add([]byte{0x00}, uint(0), uint16(0), uint8(15))
	f.Add(dynamicBlock(new(bitWriter), 1).a().a().len3().code(0, 1).eob().syncFlush(), uint(20), uint16(0), uint8(9))
	for bits := MinWindowBits; bits <= MaxWindowBits; bits += 7 {
		c := NewCompressor(Settings{WindowBits: bits, NoContextTakeover: true})
		f.Add(c.Append(nil, jsonDoc(r, 3000), true), uint(100), uint16(0), uint8(bits))
		f.Add(c.Append(nil, randomText(r, 500), true), uint(9), uint16(300), uint8(bits))
	}
	f.Add(NewCompressor(noTakeover).Append(nil, make([]byte, 100000), true), uint(50), uint16(999), uint8(15))
	f.Fuzz(func(t *testing.T, payload []byte, cut uint, limit uint16, bits uint8) {
		if len(payload) > 4096 {
			// At most 4 MiB of output without a limit: a fast run.
			return
		}
		s := Settings{WindowBits: MinWindowBits + int(bits%8), NoContextTakeover: true}
		want := fuzzResult(t, s, int64(limit), payload)
		c := int(cut % uint(len(payload)+1))
		if got := fuzzResult(t, s, int64(limit), payload[:c], payload[c:]); !got.same(want) {
			t.Fatalf("cut at %d: %v; whole: %v", c, got, want)
		}
		if len(payload) <= 1024 {
			var ones [][]byte
			for i := range payload {
				ones = append(ones, payload[i:i+1])
			}
			if got := fuzzResult(t, s, int64(limit), ones...); !got.same(want) {
				t.Fatalf("byte by byte: %v; whole: %v", got, want)
			}
		}
		if limit == 0 && s.WindowBits == MaxWindowBits {
			compareStd(t, payload, want)
		}
	})
}

type result struct {
	msg []byte
	v   *proto.Violation
}

// same compares results but for where a violation was found, in
// compressed or decompressed bytes, which depends on how much input each
// step had at hand.
func (r result) same(o result) bool {
	if r.v != nil || o.v != nil {
		return r.v != nil && o.v != nil && r.v.Code == o.v.Code && r.v.Limit == o.v.Limit && kind(r.v) == kind(o.v)
	}
	return bytes.Equal(r.msg, o.msg)
}

func kind(v *proto.Violation) string {
	k, _, _ := strings.Cut(v.Reason, " at compressed byte")
	return k
}

func fuzzResult(t *testing.T, s Settings, limit int64, pieces ...[]byte) result {
	d := NewDecompressor(s, limit)
	defer d.Release()
	msg, err := decompress(d, pieces...)
	if err == nil {
		if limit > 0 && int64(len(msg)) > limit {
			t.Fatalf("%d bytes past the limit of %d", len(msg), limit)
		}
		return result{msg: msg}
	}
	var v *proto.Violation
	if !errors.As(err, &v) || v.Code != proto.CloseProtocolError && v.Code != proto.CloseMessageTooBig {
		t.Fatalf("error %v", err)
	}
	return result{v: v}
}

// compareStd decodes payload with the standard library, the message's
// 00 00 ff ff and a final empty stored block appended to end the stream.
func compareStd(t *testing.T, payload []byte, ours result) {
	in := bytes.NewReader(append(append(bytes.Clone(payload), tail...), 0x01, 0x00, 0x00, 0xff, 0xff))
	std, err := io.ReadAll(stdflate.NewReader(in))
	whole := err == nil && in.Len() == 0
	switch {
	case ours.v == nil && err != nil:
		t.Fatalf("the standard library failed (%v) on what decompressed to %d bytes", err, len(ours.msg))
	case ours.v == nil && !bytes.HasPrefix(ours.msg, std):
		t.Fatalf("the standard library gave %d other bytes", len(std))
	case ours.v == nil && whole && len(std) != len(ours.msg):
		t.Fatalf("the standard library gave %d bytes, not %d", len(std), len(ours.msg))
	case ours.v != nil && whole && !strings.Contains(ours.v.Reason, "does not end with an empty stored block"):
		t.Fatalf("the standard library decompressed %d bytes where this package failed: %v", len(std), ours.v)
	}
}
