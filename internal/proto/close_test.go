package proto

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// Close codes by their status in RFC 6455 section 7.4 and the IANA
// registry (section 11.7).
var (
	sendableCodes = []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}
	// 1004 is reserved, 1005, 1006 and 1015 are local-only, 1016-2999 are
	// reserved for future revisions, and nothing exists above 4999.
	forbiddenCodes = []uint16{0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}
)

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

func TestParseClose(t *testing.T) {
	type parseCase struct {
		name      string
		payload   []byte
		code      uint16
		reason    string
		violation bool
		badText   bool // the violation is 1007, not 1002
	}
	tests := []parseCase{
		{name: "empty", payload: nil, code: CloseNoStatus},
		{name: "one byte", payload: []byte{0x03}, violation: true},
		{name: "code only", payload: closePayload(1000, ""), code: 1000},
		{name: "code and reason", payload: closePayload(1001, "going away"), code: 1001, reason: "going away"},
		{name: "multibyte reason", payload: closePayload(4000, "日本語 €"), code: 4000, reason: "日本語 €"},
		{name: "reason of 123 bytes", payload: closePayload(1000, strings.Repeat("r", 123)), code: 1000, reason: strings.Repeat("r", 123)},
		{name: "reason with a bad byte", payload: closePayload(1000, "bad \xFF"), violation: true, badText: true},
		{name: "reason with a surrogate", payload: closePayload(1000, "\xED\xA0\x80"), violation: true, badText: true},
		{name: "reason cut inside a character", payload: closePayload(1000, "\xE2\x82"), violation: true, badText: true},
	}
	for _, code := range sendableCodes {
		tests = append(tests, parseCase{name: "sendable code", payload: closePayload(code, "x"), code: code, reason: "x"})
	}
	for _, code := range forbiddenCodes {
		tests = append(tests, parseCase{name: "forbidden code", payload: closePayload(code, ""), violation: true})
	}
	for _, tt := range tests {
		code, reason, v := ParseClose(tt.payload)
		if tt.violation {
			want := CloseProtocolError
			if tt.badText {
				want = CloseInvalidPayload
			}
			if v == nil || v.Code != want {
				t.Errorf("%s: ParseClose(% x) = %d, %q, %v; want a Violation with code %d", tt.name, tt.payload, code, reason, v, want)
			}
			continue
		}
		if v != nil || code != tt.code || reason != tt.reason {
			t.Errorf("%s: ParseClose(% x) = %d, %q, %v; want %d, %q, nil", tt.name, tt.payload, code, reason, v, tt.code, tt.reason)
		}
	}
}

func TestValidWireCodeEveryCode(t *testing.T) {
	sendable := map[uint16]bool{}
	for _, c := range sendableCodes {
		sendable[c] = true
	}
	// Every code of each range named in section 7.4 lands on its side.
	for c := 0; c <= 0xFFFF; c++ {
		code := uint16(c)
		want := (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
		if sendable[code] && !want {
			t.Fatalf("test table lists %d as sendable, the ranges do not", code)
		}
		if got := ValidWireCode(code); got != want {
			t.Errorf("ValidWireCode(%d) = %t, want %t", code, got, want)
		}
	}
}

func TestAppendClose(t *testing.T) {
	type appendCase struct {
		name   string
		code   uint16
		reason string
		want   []byte // nil: refused
	}
	tests := []appendCase{
		{"normal", 1000, "", []byte{0x03, 0xE8}},
		{"with reason", 1000, "Goodbye", append([]byte{0x03, 0xE8}, "Goodbye"...)},
		{"application code", 4999, "é", []byte{0x13, 0x87, 0xC3, 0xA9}},
		{"registered 1012", 1012, "restart", append([]byte{0x03, 0xF4}, "restart"...)},
		{"no status", CloseNoStatus, "", []byte{}},
		{"reason of 123 bytes", 1000, strings.Repeat("a", 123), append([]byte{0x03, 0xE8}, strings.Repeat("a", 123)...)},
		{"reason of 123 bytes in 3-byte characters", 1000, strings.Repeat("€", 41), append([]byte{0x03, 0xE8}, strings.Repeat("€", 41)...)},
		{"no status with a reason", CloseNoStatus, "why", nil},
		{"reason of 124 bytes", 1000, strings.Repeat("a", 124), nil},
		{"reason of 124 bytes in 4-byte characters", 1000, strings.Repeat("𝄞", 31), nil},
		{"reason not UTF-8", 1000, "\xFF", nil},
		{"reason cut inside a character", 1000, "\xE2\x82", nil},
		{"reason with a surrogate", 1000, "\xED\xA0\x80", nil},
	}
	for _, code := range forbiddenCodes {
		if code != CloseNoStatus {
			tests = append(tests, appendCase{"forbidden code", code, "", nil})
		}
	}
	for _, tt := range tests {
		prefix := []byte{0xAA, 0xBB}
		got, err := AppendClose(bytes.Clone(prefix), tt.code, tt.reason)
		if tt.want == nil {
			if err == nil || !bytes.Equal(got, prefix) {
				t.Errorf("%s: AppendClose(%d, %q) = % x, %v; want dst unchanged and an error", tt.name, tt.code, tt.reason, got, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, append(prefix, tt.want...)) {
			t.Errorf("%s: AppendClose(%d, %q) = % x, %v; want % x", tt.name, tt.code, tt.reason, got, err, append(prefix, tt.want...))
			continue
		}
		// What one end sends, the other accepts as sent.
		code, reason, v := ParseClose(got[len(prefix):])
		if v != nil || code != tt.code || reason != tt.reason {
			t.Errorf("%s: ParseClose of AppendClose = %d, %q, %v", tt.name, code, reason, v)
		}
	}
}

func TestTruncateReason(t *testing.T) {
	euro := strings.Repeat("€", 41) // 123 bytes
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"bye", "bye"},
		{strings.Repeat("a", 123), strings.Repeat("a", 123)},
		{strings.Repeat("a", 200), strings.Repeat("a", 123)},
		{euro, euro},
		{"x" + euro, "x" + euro[:120]}, // the 41st euro sign would end at byte 124
	} {
		got := TruncateReason(tc.in)
		if got != tc.want {
			t.Errorf("TruncateReason(%d bytes) = %d bytes, want %d", len(tc.in), len(got), len(tc.want))
		}
		if _, err := AppendClose(nil, 1002, got); err != nil {
			t.Errorf("AppendClose(TruncateReason(%q)): %v", tc.in, err)
		}
	}
}

func TestCloseAnswers(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{nil, nil},
		{[]byte{0x03, 0xe8}, []byte{0x03, 0xe8}},
		{[]byte{0x03, 0xe9, 'b', 'y', 'e'}, []byte{0x03, 0xe9}},
	} {
		if got := CloseEcho(tc.in); string(got) != string(tc.want) {
			t.Errorf("CloseEcho(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
	long := &Violation{Code: CloseProtocolError, Reason: strings.Repeat("é", 100)}
	p := long.ClosePayload()
	code, reason, v := ParseClose(p)
	if v != nil || code != CloseProtocolError || len(p) > 125 || !strings.HasPrefix(long.Reason, reason) {
		t.Errorf("ClosePayload: %d bytes, code %d, reason %q, %v", len(p), code, reason, v)
	}
}
