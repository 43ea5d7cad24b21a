package proto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// headerSize is the wire size RFC 6455 section 5.2 gives a header: the
// 7-bit length up to 125, the 16-bit form up to 65535, the 64-bit form
// above, and 4 bytes of key when masked.
func headerSize(length int64, masked bool) int {
	n := 2
	switch {
	case length > 0xFFFF:
		n += 8
	case length > 125:
		n += 2
	}
	if masked {
		n += 4
	}
	return n
}

func TestHeaderRoundTrip(t *testing.T) {
	lengths := []int64{0, 1, 125, 126, 127, 1000, 65535, 65536, 65537, 1<<32 - 1, 1 << 32, 1<<32 + 1, 1 << 62, 1<<63 - 1}
	ops := []Opcode{OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong, 0x3, 0xF}
	for _, length := range lengths {
		for _, masked := range []bool{false, true} {
			for i, op := range ops {
				h := Header{
					Fin:    i%2 == 0,
					Rsv:    uint8(i % 8),
					Op:     op,
					Masked: masked,
					Length: length,
				}
				if masked {
					h.Key = [4]byte{byte(i), 0xA5, byte(length), 0x3C}
				}
				prefix := []byte("prefix")
				wire := AppendHeader(bytes.Clone(prefix), h)
				if !bytes.HasPrefix(wire, prefix) {
					t.Fatalf("%v: AppendHeader overwrote dst: %q", h, wire)
				}
				wire = wire[len(prefix):]
				if want := headerSize(length, masked); len(wire) != want {
					t.Fatalf("%v: encoded in %d bytes, want %d: % x", h, len(wire), want, wire)
				}
				trailing := append(bytes.Clone(wire), 0xDE, 0xAD)
				got, n, err := ParseHeader(trailing)
				if err != nil || n != len(wire) || got != h {
					t.Fatalf("%v: ParseHeader(% x) = %v, %d, %v; want %v, %d, nil", h, wire, got, n, err, h, len(wire))
				}
				for k := range len(wire) {
					if _, n, err := ParseHeader(wire[:k]); n != 0 || err != nil {
						t.Fatalf("%v: ParseHeader of a %d-byte prefix = %d, %v; want 0, nil", h, k, n, err)
					}
				}
			}
		}
	}
}

func TestHeaderWireForm(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		wire []byte
	}{
		// The examples of RFC 6455 section 5.7.
		{"unmasked text", Header{Fin: true, Op: OpText, Length: 5}, []byte{0x81, 0x05}},
		{"masked text", Header{Fin: true, Op: OpText, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5},
			[]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d}},
		{"first fragment", Header{Op: OpText, Length: 3}, []byte{0x01, 0x03}},
		{"last fragment", Header{Fin: true, Op: OpContinuation, Length: 2}, []byte{0x80, 0x02}},
		{"ping", Header{Fin: true, Op: OpPing, Length: 5}, []byte{0x89, 0x05}},
		{"256 bytes", Header{Fin: true, Op: OpBinary, Length: 256}, []byte{0x82, 0x7E, 0x01, 0x00}},
		{"64 KiB", Header{Fin: true, Op: OpBinary, Length: 65536}, []byte{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0}},
		// Each RSV bit in its place (section 5.2: RSV1 is 0x40 of the first byte).
		{"rsv1", Header{Rsv: 4, Op: OpText}, []byte{0x41, 0x00}},
		{"rsv2", Header{Rsv: 2, Op: OpText}, []byte{0x21, 0x00}},
		{"rsv3", Header{Rsv: 1, Op: OpText}, []byte{0x11, 0x00}},
		{"every bit of the first byte", Header{Fin: true, Rsv: 7, Op: 0xF}, []byte{0xFF, 0x00}},
		{"largest 7-bit", Header{Op: OpBinary, Length: 125}, []byte{0x02, 0x7D}},
		{"smallest 16-bit", Header{Op: OpBinary, Length: 126}, []byte{0x02, 0x7E, 0x00, 0x7E}},
		{"largest 16-bit", Header{Op: OpBinary, Length: 65535}, []byte{0x02, 0x7E, 0xFF, 0xFF}},
		{"largest 64-bit", Header{Op: OpBinary, Length: 1<<63 - 1}, []byte{0x02, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppendHeader(nil, tt.h); !bytes.Equal(got, tt.wire) {
				t.Errorf("AppendHeader = % x, want % x", got, tt.wire)
			}
			got, n, err := ParseHeader(tt.wire)
			if err != nil || n != len(tt.wire) || got != tt.h {
				t.Errorf("ParseHeader = %v, %d, %v; want %v, %d, nil", got, n, err, tt.h, len(tt.wire))
			}
		})
	}
}

func TestParseHeaderRejectsBadLength(t *testing.T) {
	len16 := func(v uint16) []byte { return binary.BigEndian.AppendUint16([]byte{0x82, 0x7E}, v) }
	len64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64([]byte{0x82, 0x7F}, v) }
	tests := []struct {
		name string
		wire []byte
	}{
		{"16-bit form for 0", len16(0)},
		{"16-bit form for 125", len16(125)},
		{"64-bit form for 0", len64(0)},
		{"64-bit form for 125", len64(125)},
		{"64-bit form for 126", len64(126)},
		{"64-bit form for 65535", len64(65535)},
		{"64-bit with the MSB set", len64(1 << 63)},
		{"64-bit all ones", len64(^uint64(0))},
		{"64-bit MSB and a small value", len64(1<<63 | 5)},
	}
	for _, tt := range tests {
		for _, masked := range []bool{false, true} {
			wire := bytes.Clone(tt.wire)
			if masked {
				wire[1] |= 0x80
				wire = append(wire, 1, 2, 3, 4)
			}
			_, n, err := ParseHeader(wire)
			var v *Violation
			if !errors.As(err, &v) || v.Code != CloseProtocolError || n != 0 {
				t.Errorf("%s (masked %t): ParseHeader(% x) = %d, %v; want 0 and a Violation with code 1002", tt.name, masked, wire, n, err)
			}
			// The length alone proves the header bad: no need to wait for the key.
			if _, n, err := ParseHeader(wire[:len(tt.wire)]); err == nil || n != 0 {
				t.Errorf("%s (masked %t): without the key: %d, %v; want a Violation", tt.name, masked, n, err)
			}
			for k := range len(tt.wire) {
				if _, n, err := ParseHeader(wire[:k]); n != 0 || err != nil {
					t.Errorf("%s (masked %t): %d-byte prefix: %d, %v; want 0, nil", tt.name, masked, k, n, err)
				}
			}
		}
	}
}

func TestHeaderString(t *testing.T) {
	h := Header{Fin: true, Rsv: 5, Op: OpPing, Masked: true, Length: 7}
	if got, want := h.String(), "ping fin=true rsv=101 masked=true len=7"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := Opcode(0x3).String(); got != "reserved opcode" {
		t.Errorf("Opcode(3).String() = %q", got)
	}
}
