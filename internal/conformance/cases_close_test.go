package conformance

import (
	"fmt"
	"strings"

	"github.com/hackney-go/ws/internal/proto"
)

// sendable reports whether a close frame may carry code, by RFC 6455
// section 7.4 and the IANA registry it sets up (section 11.7): 1000-1003,
// 1007-1014 and 3000-4999. Written out here rather than taken from the
// code under test.
func sendable(code int) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
}

// closeCodes are the codes group 7 sends: every code up to the end of the
// RFC's own range, and the edges and middles of the others.
func closeCodes() []int {
	var codes []int
	for c := 1000; c <= 1016; c++ {
		codes = append(codes, c)
	}
	return append(codes,
		0, 1, 500, 998, 999,
		1017, 1100, 1500, 2000, 2500, 2998, 2999,
		3000, 3001, 3500, 3998, 3999,
		4000, 4001, 4500, 4998, 4999,
		5000, 5001, 10000, 32767, 32768, 65534, 65535)
}

// answered is the end of a case the server closes with code: the client
// echoes the code (section 5.5.1) and closes the TCP connection once the
// server has (section 7.1.1).
func answered(code uint16) []Step {
	return []Step{ExpectClose(code), EndTCP()}
}

// closeCases is group 7: the closing handshake (RFC 6455 sections 5.5.1
// and 7), close frame payloads, codes and reasons, and what comes after a
// close frame in either direction.
func closeCases(t *table) {
	g := t.sub("7.1")
	g.closed("close_without_payload", proto.CloseNoStatus,
		append([]Step{WriteFrames(Msg(proto.OpClose, nil))}, answered(proto.CloseNoStatus)...)...)
	g.closed("close_1000_without_reason", 1000, append([]Step{WriteFrames(Close(1000, ""))}, answered(1000)...)...)
	for _, r := range []struct{ name, reason string }{
		{"reason", "Goodbye"},
		{"123B_reason", strings.Repeat("r", 123)},
		{"multibyte_reason", "κόσμε 𝄞 日本語"},
		{"123B_multibyte_reason", strings.Repeat("ö", 61) + "!"},
	} {
		c := g.closed("close_1000_"+r.name, 1000, append([]Step{WriteFrames(Close(1000, r.reason))}, answered(1000)...)...)
		c.want.reason, c.want.checkReason = r.reason, true
	}
	g.closed("close_bytewise", 1000, append([]Step{bytewise(Close(1000, "bye").Bytes())}, answered(1000)...)...)
	g.closed("close_after_a_message", 1000, append(before(), append([]Step{WriteFrames(Close(1000, ""))}, answered(1000)...)...)...)
	g.closed("close_after_a_ping_in_one_write", 1000,
		append([]Step{WriteFrames(Ping([]byte("last")), Close(1000, "")), ExpectPong([]byte("last"))}, answered(1000)...)...)
	g.fail("close_with_1B_payload", 1002, append(before(), WriteFrames(Msg(proto.OpClose, []byte{0x03})))...)
	g.fail("close_with_124B_reason", 1002, append(before(), WriteFrames(Close(1000, strings.Repeat("r", 124))))...)
	// Section 8.1: text the endpoint interprets as UTF-8 that is not fails
	// the connection; 1007 is the code for invalid data (section 7.4.1).
	g.fail("close_with_invalid_utf8_reason", 1007, append(before(), WriteFrames(Close(1000, "κόσμε\xed\xa0\x80edited")))...)
	g.fail("close_with_truncated_utf8_reason", 1007, append(before(), WriteFrames(Close(1000, "κ\xce")))...)

	// After its close frame a peer sends nothing (section 5.5.1): what
	// comes after it is ignored.
	g = t.sub("7.2")
	for _, a := range []struct {
		name   string
		frames []Frame
	}{
		{"text", []Frame{Text("after")}},
		{"ping", []Frame{Ping([]byte("after"))}},
		{"second_close", []Frame{Close(3000, "again")}},
		{"invalid_utf8_text", []Frame{Text("\xff\xfe")}},
		{"reserved_opcode", []Frame{Msg(5, nil)}},
		{"wrong_mask_frame", []Frame{Text("masked").WithMask([4]byte{1, 2, 3, 4})}},
		{"fragment", []Frame{Text("frag").More()}},
	} {
		g.closed("close_then_"+a.name, 1000, append([]Step{WriteFrames(append([]Frame{Close(1000, "")}, a.frames...)...)}, answered(1000)...)...)
	}
	g.closed("close_then_garbage", 1000,
		append([]Step{Write(append(Close(1000, "").Bytes(), 0xff, 0xff, 0xff, 0xff, 0x00))}, answered(1000)...)...)
	g.closed("close_inside_a_fragmented_message", 1000,
		append([]Step{WriteFrames(Text("frag").More(), Close(1000, ""))}, answered(1000)...)...)
	g.closed("close_inside_a_fragmented_message_then_the_rest", 1000,
		append([]Step{WriteFrames(Text("frag").More(), Close(1000, ""), Cont([]byte("ment")))}, answered(1000)...)...)

	// The client closes first (the agent, after one echo); what the server
	// sends before its own close frame is ignored, and the client sends
	// nothing after its close frame.
	g = t.sub("7.3")
	agentCloses := func(name string, steps ...Step) {
		c := g.add(clientCase{name: name, want: outcome{how: byAgent}, closes: true, closeAfter: 1})
		c.script = append(append(before(), ExpectClose(1000)), steps...)
	}
	agentCloses("answered_with_1000", WriteFrames(Close(1000, "")), EndTCP())
	agentCloses("answered_with_3000", WriteFrames(Close(3000, "other")), EndTCP())
	agentCloses("answered_without_code", WriteFrames(Msg(proto.OpClose, nil)), EndTCP())
	agentCloses("text_and_ping_before_the_answer",
		WriteFrames(Text("late"), Ping([]byte("late")), Close(1000, "")), EndTCP())
	agentCloses("fragment_before_the_answer",
		WriteFrames(Binary([]byte("late")).More(), Close(1000, "")), EndTCP())
	agentCloses("answered_bytewise", bytewise(Close(1000, "").Bytes()), EndTCP())
	agentCloses("1MiB_message_before_the_answer", lazy("1 MiB, then close", func() []Step {
		return []Step{WriteFrames(Binary(payloadOf(proto.OpBinary, 1<<20)), Close(1000, ""))}
	}), EndTCP())
	agentCloses("answered_by_closing_the_tcp_connection", CloseWrite(), ExpectEOF())

	// Section 7.4: every code the server may send is echoed, every other
	// fails the connection.
	g = t.sub("7.4")
	bad := t.sub("7.5")
	for _, code := range closeCodes() {
		if sendable(code) {
			c := g.closed(fmt.Sprintf("code_%d", code), uint16(code),
				append([]Step{WriteFrames(Close(uint16(code), "reason"))}, answered(uint16(code))...)...)
			c.want.reason, c.want.checkReason = "reason", true
		} else {
			bad.fail(fmt.Sprintf("code_%d", code), 1002, append(before(), WriteFrames(Close(uint16(code), "")))...)
		}
	}
}
