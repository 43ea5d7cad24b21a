package conformance

import (
	"fmt"

	"github.com/hackney-go/ws/internal/proto"
)

// pingCases is group 2: the client answers every ping with a pong of the
// same payload (RFC 6455 section 5.5.2), ignores unsolicited pongs
// (section 5.5.3), and refuses control frames over 125 bytes (section
// 5.5).
func pingCases(t *table) {
	g := t.sub("2.1")
	for _, p := range []struct {
		name    string
		payload []byte
	}{
		{"empty", nil},
		{"text", []byte("Hello, world!")},
		{"binary", []byte{0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}},
		{"invalid_utf8", []byte("\xce\xba\xff\xc0\xaf")}, // control payloads are not text
		{"125B", binaryOf(125)},
	} {
		for _, d := range deliveries {
			g.ok("ping_"+p.name+d.suffix, deliver(Ping(p.payload).Bytes(), d.bytes), ExpectPong(p.payload))
		}
	}
	var pings []Frame
	var pongs []Step
	for i := range 10 {
		payload := fmt.Appendf(nil, "ping %d", i)
		pings = append(pings, Ping(payload))
		pongs = append(pongs, ExpectPong(payload))
	}
	g.ok("10_pings_in_one_write", append([]Step{WriteFrames(pings...)}, pongs...)...)
	var apart []Step
	for i, p := range pings {
		apart = append(apart, WriteFrames(p), Pause(splitPause), pongs[i])
	}
	g.ok("10_pings_one_by_one", apart...)
	g.ok("ping_between_two_messages", WriteFrames(Text("one"), Ping([]byte("between")), Text("two")),
		ExpectMessage(proto.OpText, []byte("one")), ExpectPong([]byte("between")), ExpectMessage(proto.OpText, []byte("two")))

	g = t.sub("2.2")
	after := ExpectMessage(proto.OpText, []byte("after"))
	for _, p := range []struct {
		name    string
		payload []byte
	}{{"empty", nil}, {"text", []byte("unsolicited")}, {"125B", binaryOf(125)}} {
		for _, d := range deliveries {
			g.ok("unsolicited_pong_"+p.name+d.suffix, deliver(Wire(Pong(p.payload), Text("after")), d.bytes), after)
		}
	}
	g.ok("unsolicited_pong_then_ping", WriteFrames(Pong([]byte("pong")), Ping([]byte("ping"))), ExpectPong([]byte("ping")))
	var tenPongs []Frame
	for i := range 10 {
		tenPongs = append(tenPongs, Pong(fmt.Appendf(nil, "pong %d", i)))
	}
	g.ok("10_unsolicited_pongs", WriteFrames(append(tenPongs, Text("after"))...), after)

	// Section 5.5: "All control frames MUST have a payload length of 125
	// bytes or less".
	g = t.sub("2.3")
	long := binaryOf(126)
	for _, d := range deliveries {
		g.fail("ping_126B"+d.suffix, 1002, append(before(), deliver(Ping(long).Bytes(), d.bytes))...)
	}
	g.fail("pong_126B", 1002, append(before(), WriteFrames(Pong(long)))...)
	g.fail("ping_126B_in_64bit_length", 1002, append(before(), WriteFrames(Ping(long).WithForm(Len64)))...)
	g.fail("ping_header_announcing_65536B", 1002, append(before(), WriteFrames(Ping(nil).Declare(65536)))...)
	g.fail("pong_header_announcing_65536B", 1002, append(before(), WriteFrames(Pong(nil).Declare(65536)))...)
}
