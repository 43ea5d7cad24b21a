package proto

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzReader feeds arbitrary bytes to a Reader of either role with small
// limits (0 is none). Besides not panicking, the Reader must give the same
// frames and the same violation whether the input comes whole, cut at the
// fuzzer's point, or byte by byte, and what it delivers must obey the
// rules it enforces.
func FuzzReader(f *testing.F) {
	for _, server := range []bool{false, true} {
		f.Add(encode(server, msg(OpText, "Hello")), server, uint16(0), uint16(0), uint(3))
		f.Add(encode(server, first(OpText, "Hel\xE2"), msg(OpPing, "p"), last("\x82\xACo"), msg(OpClose, "\x03\xe8bye")), server, uint16(16), uint16(32), uint(9))
		f.Add(encode(server, first(OpBinary, "0123456789"), header(true, OpContinuation, 1<<63-5)), server, uint16(0), uint16(100), uint(12))
		f.Add(encode(server, msg(OpBinary, string(make([]byte, 300)))), server, uint16(200), uint16(0), uint(150))
		f.Add(encode(server, header(true, OpBinary, 1<<62)), server, uint16(0), uint16(0), uint(1))
		f.Add(encode(server, first(OpText, "\xED"), last("\xA0\x80")), server, uint16(0), uint16(0), uint(4))
		f.Add(encode(server, fspec{fin: true, rsv: 4, op: OpText, payload: "x"}), server, uint16(0), uint16(0), uint(1))
		f.Add(encode(server, fspec{fin: true, op: OpPing, wrongMask: true}), server, uint16(0), uint16(0), uint(2))
	}
	f.Add([]byte{0x82, 0x7E, 0x00, 0x05}, false, uint16(0), uint16(0), uint(2))
	f.Fuzz(func(t *testing.T, data []byte, server bool, maxFrame, maxMessage uint16, cut uint) {
		newReader := func() *Reader {
			return &Reader{Server: server, MaxFrame: int64(maxFrame), MaxMessage: int64(maxMessage)}
		}
		want := drive(t, newReader(), [][]byte{data})
		c := int(cut % uint(len(data)+1))
		if got := drive(t, newReader(), [][]byte{data[:c], data[c:]}); !sameResult(got, want) {
			t.Fatalf("cut at %d:\n got %v\nwant %v (whole)", c, got, want)
		}
		if len(data) <= 4096 {
			if got := drive(t, newReader(), oneByOne(data)); !sameResult(got, want) {
				t.Fatalf("byte by byte:\n got %v\nwant %v (whole)", got, want)
			}
		}
		for _, fr := range want.frames {
			switch {
			case fr.Op.IsControl():
				if !fr.Op.known() || len(fr.Payload) > MaxControlPayload {
					t.Fatalf("delivered %v of %d bytes", fr.Op, len(fr.Payload))
				}
				if _, _, v := ParseClose(fr.Payload); fr.Op == OpClose && v != nil {
					t.Fatalf("delivered a bad close payload % x", fr.Payload)
				}
			case fr.Op != OpText && fr.Op != OpBinary:
				t.Fatalf("delivered a message of opcode %v", fr.Op)
			case maxMessage > 0 && len(fr.Payload) > int(maxMessage):
				t.Fatalf("delivered a message of %d bytes over the limit of %d", len(fr.Payload), maxMessage)
			case fr.Op == OpText && !utf8.Valid(fr.Payload):
				t.Fatalf("delivered invalid text %q", fr.Payload)
			}
		}
		if want.err != nil && want.err.Code != CloseProtocolError && want.err.Code != CloseInvalidPayload && want.err.Code != CloseMessageTooBig {
			t.Fatalf("violation with code %d", want.err.Code)
		}
	})
}

// FuzzParseResponse checks that ParseResponse never panics, keeps n within
// its input, and judges a head by its own bytes only: more bytes after it
// change nothing, and a head found in a prefix is found whole.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(switching), []byte("\x81\x05Hello"))
	f.Add([]byte("HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: Upgrade\n\n"), []byte(""))
	f.Add([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\nContent-Length: 4\r\n\r\nnope"), []byte("more"))
	f.Add([]byte("HTTP/1.1 101 OK\r\nX: a\r\n b\r\n\r\n"), []byte(""))
	f.Add([]byte("HTTP/1.1 101 OK\r\nX: a\rb\r\n\r\n"), []byte(""))
	f.Add([]byte("HTTP/1.1 101 Switching"), []byte(" Protocols\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 101 OK\r\nSec-WebSocket-Protocol: chat\r\nSec-WebSocket-Accept: x\r\n"), []byte("\r\n"))
	f.Fuzz(func(t *testing.T, data, extra []byte) {
		resp, n, err := ParseResponse(data)
		switch {
		case n < 0 || n > len(data):
			t.Fatalf("n = %d for %d bytes", n, len(data))
		case err != nil && (resp != nil || n != 0 || !errors.Is(err, ErrMalformedResponse)):
			t.Fatalf("error %v with resp %v, n %d", err, resp, n)
		case err == nil && (resp == nil) != (n == 0):
			t.Fatalf("resp %v with n %d", resp, n)
		case err == nil && n == 0 && len(data) > MaxResponseHead:
			t.Fatalf("waiting for more after %d bytes", len(data))
		}
		resp2, n2, err2 := ParseResponse(append(bytes.Clone(data), extra...))
		switch {
		case err != nil && err2 == nil:
			t.Fatalf("%q refused, but accepted with %q after it", data, extra)
		case n > 0 && (n2 != n || err2 != nil || !reflect.DeepEqual(resp2, resp)):
			t.Fatalf("%q gives %+v, %d; with %q after it %+v, %d, %v", data, resp, n, extra, resp2, n2, err2)
		}
		if n > 0 {
			if r, m, e := ParseResponse(data[:n-1]); r != nil || m != 0 || e != nil {
				t.Fatalf("head of %d bytes found in its first %d: %d, %v", n, n-1, m, e)
			}
			// Checking whatever parsed must not panic either.
			CheckResponse(resp, "dGhlIHNhbXBsZSBub25jZQ==", []string{"chat"}, false)
		}
	})
}

// FuzzParseClose checks ParseClose against the rules of RFC 6455 section
// 5.5.1 and 7.4 stated independently: a payload is accepted exactly when
// it is empty, or a sendable code and a valid UTF-8 reason; what it accepts
// AppendClose writes back byte for byte.
func FuzzParseClose(f *testing.F) {
	for _, p := range []string{"", "\x03", "\x03\xe8", "\x03\xe8bye", "\x03\xed", "\x0b\xb8\xff", "\x13\x88", "\x03\xe9\xed\xa0\x80"} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		code, reason, v := ParseClose(p)
		valid := len(p) == 0 || len(p) >= 2 && ValidWireCode(uint16(p[0])<<8|uint16(p[1])) && utf8.Valid(p[2:])
		if (v == nil) != valid {
			t.Fatalf("ParseClose(% x): violation %v, want valid %t", p, v, valid)
		}
		if v != nil {
			// Bad text is 1007, anything else 1002.
			wantCode := CloseProtocolError
			if len(p) >= 2 && ValidWireCode(uint16(p[0])<<8|uint16(p[1])) {
				wantCode = CloseInvalidPayload
			}
			if v.Code != wantCode || code != 0 || reason != "" {
				t.Fatalf("ParseClose(% x): %d %q with violation %v", p, code, reason, v)
			}
			return
		}
		if len(p) > MaxControlPayload {
			return // the Reader refuses such a frame before its payload is parsed
		}
		back, err := AppendClose(nil, code, reason)
		if err != nil || !bytes.Equal(back, p) {
			t.Fatalf("ParseClose(% x) = %d %q, written back as % x, %v", p, code, reason, back, err)
		}
	})
}
