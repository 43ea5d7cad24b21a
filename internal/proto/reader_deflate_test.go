package proto_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// frame is one frame as a server sends it (unmasked).
func frame(fin bool, rsv uint8, op proto.Opcode, payload []byte) []byte {
	h := proto.Header{Fin: fin, Rsv: rsv, Op: op, Length: int64(len(payload))}
	return append(proto.AppendHeader(nil, h), payload...)
}

const rsv1 = 0x4

var settings = deflate.Settings{WindowBits: 15}

func compressed(t *testing.T, p []byte) []byte {
	t.Helper()
	return deflate.NewCompressor(deflate.Settings{WindowBits: 15, NoContextTakeover: true}).Append(nil, p, true)
}

// read feeds input to a client's Reader with an inflater, whole and byte
// by byte, and requires the same outcome both ways.
func read(t *testing.T, input []byte, maxMessage int64) ([]proto.Frame, error) {
	t.Helper()
	run := func(pieces [][]byte) ([]proto.Frame, error) {
		rd := proto.Reader{MaxMessage: maxMessage, Inflater: deflate.NewDecompressor(settings, maxMessage)}
		var got []proto.Frame
		var pending []byte
		for _, p := range pieces {
			pending = append(pending, p...)
			for {
				n, f, ok, err := rd.Next(pending)
				pending = pending[n:]
				if err != nil {
					return got, err
				}
				if !ok {
					break
				}
				got = append(got, f)
			}
		}
		return got, nil
	}
	whole, werr := run([][]byte{input})
	var bytewise [][]byte
	for i := range input {
		bytewise = append(bytewise, input[i:i+1])
	}
	split, serr := run(bytewise)
	if len(whole) != len(split) || (werr == nil) != (serr == nil) {
		t.Fatalf("whole: %d frames, %v; byte by byte: %d frames, %v", len(whole), werr, len(split), serr)
	}
	for i := range whole {
		if whole[i].Op != split[i].Op || !bytes.Equal(whole[i].Payload, split[i].Payload) {
			t.Fatalf("frame %d differs whole and byte by byte", i)
		}
	}
	return whole, werr
}

func TestReaderInflates(t *testing.T) {
	text := []byte(strings.Repeat("permessage-deflate ", 200) + "é")
	z := compressed(t, text)
	half := len(z) / 2
	input := bytes.Join([][]byte{
		frame(true, rsv1, proto.OpText, z),
		frame(true, 0, proto.OpBinary, []byte("not compressed")),
		frame(false, rsv1, proto.OpText, z[:half]),
		frame(true, 0, proto.OpPing, []byte("between")),
		frame(true, 0, proto.OpContinuation, z[half:]),
	}, nil)
	got, err := read(t, input, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []proto.Frame{{Op: proto.OpText, Payload: text}, {Op: proto.OpBinary, Payload: []byte("not compressed")}, {Op: proto.OpPing, Payload: []byte("between")}, {Op: proto.OpText, Payload: text}}
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Op != want[i].Op || !bytes.Equal(got[i].Payload, want[i].Payload) {
			t.Fatalf("frame %d: %v of %d bytes, want %v of %d", i, got[i].Op, len(got[i].Payload), want[i].Op, len(want[i].Payload))
		}
	}
}

func TestReaderInflateViolations(t *testing.T) {
	bomb := compressed(t, make([]byte, 1<<20)) // about 1 KiB on the wire
	for _, tc := range []struct {
		name  string
		input []byte
		limit int64
		code  uint16
	}{
		{"RSV1 on a continuation", append(frame(false, 0, proto.OpText, []byte("a")), frame(true, rsv1, proto.OpContinuation, []byte("b"))...), 0, proto.CloseProtocolError},
		{"RSV1 on a ping", frame(true, rsv1, proto.OpPing, nil), 0, proto.CloseProtocolError},
		{"RSV2", frame(true, 0x2, proto.OpText, []byte("x")), 0, proto.CloseProtocolError},
		{"not deflate data", frame(true, rsv1, proto.OpBinary, []byte{0xff, 0xff, 0xff, 0xff}), 0, proto.CloseProtocolError},
		{"invalid UTF-8 once inflated", frame(true, rsv1, proto.OpText, compressed(t, []byte("ok \xff"))), 0, proto.CloseInvalidPayload},
		{"inflates past the limit", frame(true, rsv1, proto.OpBinary, bomb), 64 << 10, proto.CloseMessageTooBig},
		{"wire size past the limit", frame(true, rsv1, proto.OpBinary, make([]byte, 2000)), 1000, proto.CloseMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := read(t, tc.input, tc.limit)
			var v *proto.Violation
			if !errors.As(err, &v) || v.Code != tc.code {
				t.Fatalf("got %v, want a violation with code %d", err, tc.code)
			}
		})
	}
}

// TestReaderWithoutInflaterRefusesRSV1: with no extension negotiated,
// RSV1 is a reserved bit like the others.
func TestReaderWithoutInflaterRefusesRSV1(t *testing.T) {
	var rd proto.Reader
	_, _, _, err := rd.Next(frame(true, rsv1, proto.OpText, []byte("x")))
	var v *proto.Violation
	if !errors.As(err, &v) || v.Code != proto.CloseProtocolError {
		t.Fatalf("got %v, want a protocol error", err)
	}
}

// FuzzReaderInflate feeds arbitrary frames to a client's Reader that
// inflates permessage-deflate messages, with a small message limit. It
// must not panic, must give the same result whole and byte by byte, and
// must deliver nothing over the limit and no invalid text.
func FuzzReaderInflate(f *testing.F) {
	f.Add(frame(true, rsv1, proto.OpText, []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), uint16(0))
	f.Add(append(frame(false, rsv1, proto.OpBinary, []byte{0xf2, 0x48}), frame(true, 0, proto.OpContinuation, []byte{0xcd, 0xc9, 0xc9, 0x07, 0x00})...), uint16(3))
	f.Add(frame(true, rsv1, proto.OpBinary, []byte{0x00, 0x00, 0xff, 0xff}), uint16(1))
	f.Add(frame(true, rsv1, proto.OpBinary, []byte{0x63, 0x60, 0xa0, 0x3d, 0x00, 0x00}), uint16(100))
	f.Fuzz(func(t *testing.T, input []byte, limit uint16) {
		if len(input) > 4096 {
			return
		}
		got, _ := read(t, input, int64(limit))
		for _, fr := range got {
			if limit > 0 && !fr.Op.IsControl() && len(fr.Payload) > int(limit) {
				t.Fatalf("delivered %d bytes over the limit of %d", len(fr.Payload), limit)
			}
			if fr.Op == proto.OpText && !utf8.Valid(fr.Payload) {
				t.Fatalf("delivered invalid text %q", fr.Payload)
			}
		}
	})
}
