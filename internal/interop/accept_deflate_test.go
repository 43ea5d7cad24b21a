package interop

import (
	"testing"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testscale"
)

// The permessage-deflate offers a client peer makes in the server tests:
// each parameter of RFC 7692 section 7.1 that a client can offer.
var (
	offerDefault      = &clientDeflate{Default: true} // both libraries': client_max_window_bits without a value
	offerBare         = &clientDeflate{}
	offerClientWindow = &clientDeflate{ClientMaxWindowBits: 10}
	offerSmallWindow  = &clientDeflate{ClientMaxWindowBits: 8}
	offerServerWindow = &clientDeflate{ServerMaxWindowBits: 11, ClientMaxWindowBits: true}
	offerNoTakeover   = &clientDeflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true}
	offerEverything   = &clientDeflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 12}
)

// acceptDeflateCase is a client's offer against the server's terms
// (Compression), and the parameters both ends must agree on.
type acceptDeflateCase struct {
	name  string
	terms ws.Deflate
	offer *clientDeflate
	want  ws.Deflate
}

// acceptDeflate are the offers every client peer makes.
var acceptDeflate = []acceptDeflateCase{
	{"client-terms/default", ws.Deflate{}, offerDefault, agreed(false, false, 15, 15)},
	{"client-terms/bare", ws.Deflate{}, offerBare, agreed(false, false, 15, 15)},
	{"client-terms/client-window-10", ws.Deflate{}, offerClientWindow, agreed(false, false, 10, 15)},
	{"client-terms/server-window-11", ws.Deflate{}, offerServerWindow, agreed(false, false, 15, 11)},
	{"client-terms/no-context-takeover", ws.Deflate{}, offerNoTakeover, agreed(true, true, 15, 15)},
	{"client-terms/everything", ws.Deflate{}, offerEverything, agreed(true, true, 12, 9)},
	{"no-context-takeover/default", ws.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, offerDefault, agreed(true, true, 15, 15)},
	{"no-context-takeover/client-window-10", ws.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, offerClientWindow, agreed(true, true, 10, 15)},
	{"server-window-10/default", ws.Deflate{ServerMaxWindowBits: 10}, offerDefault, agreed(false, false, 15, 10)},
	{"server-window-10/bare", ws.Deflate{ServerMaxWindowBits: 10}, offerBare, agreed(false, false, 15, 10)},
	{"server-window-10/server-window-11", ws.Deflate{ServerMaxWindowBits: 10}, offerServerWindow, agreed(false, false, 15, 10)},
	{"client-window-9/default", ws.Deflate{ClientMaxWindowBits: 9}, offerDefault, agreed(false, false, 9, 15)},
	{"client-window-9/client-window-10", ws.Deflate{ClientMaxWindowBits: 9}, offerClientWindow, agreed(false, false, 9, 15)},
	{"client-window-9/bare", ws.Deflate{ClientMaxWindowBits: 9}, offerBare, agreed(false, false, 15, 15)},
	{"threshold-256/default", ws.Deflate{Threshold: 256}, offerDefault, agreed(false, false, 15, 15)},
}

// nodeAcceptDeflate are offers only Node's client can make: Python's
// zlib refuses a window of 8 bits (zlib.compressobj raises "Invalid
// initialization option"), so websockets fails the handshake after
// offering it, and hangs until its open timeout.
var nodeAcceptDeflate = []acceptDeflateCase{
	{"client-terms/client-window-8", ws.Deflate{}, offerSmallWindow, agreed(false, false, 8, 15)},
}

// testAcceptDeflate has each client offer permessage-deflate to a server
// with each of its terms: both ends must agree on the parameters, every
// message must come back whole, and the bytes on the wire must show both
// directions compressed. The first case sends deflateMessages, up to
// 1 MiB; the others smallDeflateMessages, unless at the full scale: the
// race detector makes a megabyte through deflate cost seconds.
func testAcceptDeflate(t *testing.T, spec peerSpec) {
	cases := acceptDeflate
	if spec.name == nodeClient.name {
		cases = append(cases[:len(cases):len(cases)], nodeAcceptDeflate...)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // most of a case's time is a peer starting
			a := startAcceptor(t, ws.Compression(tc.terms))
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Deflate: tc.offer})
			c := a.accept(t)
			want := tc.want
			want.Threshold = tc.terms.Threshold
			if got, ok := c.Compression(); !ok || got != want {
				t.Fatalf("Compression() = %+v, %t; want %+v", got, ok, want)
			}
			r := p.event(t, "open")
			if pp := (peerParams{tc.want.ServerNoContextTakeover, tc.want.ClientNoContextTakeover, tc.want.ServerMaxWindowBits, tc.want.ClientMaxWindowBits}); r.Deflate == nil || *r.Deflate != pp {
				t.Fatalf("client %s agreed to %+v, want %+v", p.name, r.Deflate, pp)
			}
			sent := 0
			msgs := smallDeflateMessages()
			if i == 0 || testscale.Full() {
				msgs = deflateMessages()
			}
			for _, m := range msgs {
				echoThrough(t, c, m)
				sent += len(m.Payload)
			}
			closeClient(t, p, c, ws.CloseNormal, "")
			// The incompressible bytes, 97 KiB, go as they are; the
			// others shrink tenfold or more.
			if in, out := a.in.Load(), a.out.Load(); in > int64(sent)/4 || out > int64(sent)/4 {
				t.Fatalf("%d bytes of messages each way took %d bytes in, %d out: not compressed", sent, in, out)
			}
		})
	}
}

// smallDeflateMessages are deflateMessages up to 64 KiB: compressible
// text and binary around the length encodings and thresholds, random
// bytes, and a message compressible in its first part only.
func smallDeflateMessages() []ws.Frame {
	var msgs []ws.Frame
	for _, n := range []int{0, 1, 255, 1024, 64 << 10} {
		msgs = append(msgs, ws.Text(compressibleText(n)), ws.Binary(compressibleBinary(n)))
	}
	mixed := append(compressibleBinary(32<<10), binaryPayload(8<<10)...)
	return append(msgs, ws.Binary(binaryPayload(1000)), ws.Binary(mixed))
}
