package h2

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"testing/iotest"
)

// settingsFrame builds a SETTINGS frame of the (id, value) pairs.
func settingsFrame(flags byte, pairs ...uint32) []byte {
	b := []byte{0, 0, byte(len(pairs) / 2 * settingLen), frameTypeSettings, flags, 0, 0, 0, 0}
	for i := 0; i < len(pairs); i += 2 {
		b = binary.BigEndian.AppendUint16(b, uint16(pairs[i]))
		b = binary.BigEndian.AppendUint32(b, pairs[i+1])
	}
	return b
}

// capped reads in whole through a frameCapConn, one byte at a time.
func capped(t *testing.T, in []byte) ([]byte, error) {
	t.Helper()
	client, server := net.Pipe()
	go func() {
		server.Write(in)
		server.Close()
	}()
	defer client.Close()
	return io.ReadAll(iotest.OneByteReader(&frameCapConn{Conn: client}))
}

// TestFrameCap: the server's first SETTINGS reaches the transport with
// SETTINGS_MAX_FRAME_SIZE at most sendFrameCap and every other byte as
// sent; a first frame of another kind passes untouched.
func TestFrameCap(t *testing.T) {
	data := []byte{0, 0, 3, 0, 0, 0, 0, 0, 1, 'a', 'b', 'c'} // DATA on stream 1
	for _, tc := range []struct {
		name    string
		in, out []byte
	}{
		{"Go's 1 MiB", settingsFrame(0, 3, 250, 5, 1<<20, 8, 1), settingsFrame(0, 3, 250, 5, sendFrameCap, 8, 1)},
		{"the default", settingsFrame(0, 5, sendFrameCap), settingsFrame(0, 5, sendFrameCap)},
		{"none", settingsFrame(0), settingsFrame(0)},
		{"twice", settingsFrame(0, 5, 1<<20, 5, 1<<24-1), settingsFrame(0, 5, sendFrameCap, 5, sendFrameCap)},
		{"a later SETTINGS", append(settingsFrame(0), settingsFrame(0, 5, 1<<20)...), append(settingsFrame(0), settingsFrame(0, 5, 1<<20)...)},
		{"not SETTINGS first", append(data, settingsFrame(0, 5, 1<<20)...), append(data, settingsFrame(0, 5, 1<<20)...)},
		{"an ACK", settingsFrame(settingsFlagAck, 5, 1<<20), settingsFrame(settingsFlagAck, 5, 1<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := capped(t, append(tc.in, data...))
			if err != nil {
				t.Fatal(err)
			}
			if want := append(tc.out, data...); !bytes.Equal(got, want) {
				t.Fatalf("got % x\nwant % x", got, want)
			}
		})
	}
	// Cut short: what came is handed on, then the error.
	in := settingsFrame(0, 5, 1<<20)[:12]
	got, err := capped(t, in)
	if err != nil || !bytes.Equal(got, in) {
		t.Fatalf("cut short: % x, %v", got, err)
	}
}

// FuzzFrameCap: whatever the server sends, the transport reads as many
// bytes, and only a SETTINGS_MAX_FRAME_SIZE above sendFrameCap in the
// first frame differs.
func FuzzFrameCap(f *testing.F) {
	f.Add(settingsFrame(0, 5, 1<<20))
	f.Add(append(settingsFrame(0, 3, 100, 5, 1<<20), 0, 0, 0, 0))
	f.Add([]byte{0, 0, 7, 4, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := capped(t, in)
		if err != nil || len(got) != len(in) {
			t.Fatalf("read %d of %d bytes: %v", len(got), len(in), err)
		}
		for i := range in {
			if got[i] == in[i] {
				continue
			}
			// Only within a MAX_FRAME_SIZE value of the first frame.
			if i < frameHeaderLen+2 || in[3] != frameTypeSettings {
				t.Fatalf("byte %d changed: % x -> % x", i, in, got)
			}
			entry := (i - frameHeaderLen) / settingLen * settingLen
			s := got[frameHeaderLen+entry:]
			if binary.BigEndian.Uint16(s) != settingMaxFrameLen || binary.BigEndian.Uint32(s[2:]) != sendFrameCap {
				t.Fatalf("byte %d changed outside a MAX_FRAME_SIZE: % x -> % x", i, in, got)
			}
		}
	})
}
