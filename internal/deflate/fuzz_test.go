package deflate

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
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

// FuzzAccept checks arbitrary Sec-WebSocket-Extensions responses against
// an offer the fuzzer builds. Besides not panicking: a response is either
// accepted with window sizes from 8 to 15 that keep the offer's promises,
// or refused with a HandshakeFault wrapping one of the documented errors;
// and a header cut into two lines at a comma means the same.
func FuzzAccept(f *testing.F) {
	f.Add("permessage-deflate", uint8(0), uint8(0), uint8(0))
	f.Add("permessage-deflate; client_max_window_bits=10; server_no_context_takeover", uint8(3), uint8(12), uint8(0))
	f.Add(`permessage-deflate;server_max_window_bits="9" , x`, uint8(0), uint8(0), uint8(10))
	f.Add("permessage-deflate; client_no_context_takeover, permessage-deflate", uint8(1), uint8(0), uint8(0))
	f.Add("PERMESSAGE-DEFLATE;\tServer_Max_Window_Bits = 15", uint8(2), uint8(0), uint8(15))
	faults := []error{ErrExtensionSyntax, ErrDuplicateExtension, ErrUnknownParameter, ErrDuplicateParameter, ErrInvalidValue, ErrUnofferedParameter, ErrUnmetRequest, proto.ErrUnofferedExtension}
	f.Fuzz(func(t *testing.T, header string, flags, clientBits, serverBits uint8) {
		o := Offer{
			ServerNoContextTakeover: flags&1 != 0,
			ClientNoContextTakeover: flags&2 != 0,
			ClientMaxWindow:         flags&4 != 0,
		}
		if clientBits >= MinWindowBits && clientBits <= MaxWindowBits {
			o.ClientMaxWindowBits = int(clientBits)
		}
		if serverBits >= MinWindowBits && serverBits <= MaxWindowBits {
			o.ServerMaxWindowBits = int(serverBits)
		}
		p, err := o.Accept([]string{header})
		if err != nil {
			var hf *proto.HandshakeFault
			if p != nil || !errors.As(err, &hf) || !slices.ContainsFunc(faults, func(e error) bool { return errors.Is(err, e) }) {
				t.Fatalf("%q: got %+v, %v", header, p, err)
			}
		} else if p != nil {
			for _, s := range []Settings{p.Client, p.Server} {
				if s.WindowBits < MinWindowBits || s.WindowBits > MaxWindowBits {
					t.Fatalf("%q: window bits %d", header, s.WindowBits)
				}
			}
			switch {
			case o.ClientNoContextTakeover && !p.Client.NoContextTakeover,
				o.ServerNoContextTakeover && !p.Server.NoContextTakeover,
				o.ClientMaxWindowBits != 0 && p.Client.WindowBits > o.ClientMaxWindowBits,
				o.ServerMaxWindowBits != 0 && p.Server.WindowBits > o.ServerMaxWindowBits:
				t.Fatalf("%q: %+v breaks the offer %+v", header, p, o)
			}
		}
		if i := strings.IndexByte(header, ','); i >= 0 && !strings.Contains(header, `"`) {
			p2, err2 := o.Accept([]string{header[:i], header[i+1:]})
			if (err == nil) != (err2 == nil) || err == nil && (p == nil) != (p2 == nil) || p != nil && p2 != nil && *p != *p2 {
				t.Fatalf("%q split at %d: got %+v, %v; whole: %+v, %v", header, i, p2, err2, p, err)
			}
		}
	})
}
