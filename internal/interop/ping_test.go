package interop

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/hackney-go/ws"
)

// pingPayloads go from empty to the 125 bytes a control frame may carry
// (RFC 6455 section 5.5).
var pingPayloads = [][]byte{nil, {0}, []byte("\x00\xffheartbeat"), binaryPayload(125)}

// testClientPing pings the peer, which answers with a pong carrying the
// ping's payload (section 5.5.2), reported by Recv with ReportControl(true).
func testClientPing(t *testing.T, p *conns) {
	c := p.dial(t, "/echo", ws.ReportControl(true))
	for _, payload := range pingPayloads {
		t.Run(fmt.Sprint(len(payload)), func(t *testing.T) {
			send(t, c, ws.Ping(payload))
			checkFrame(t, recv(t, c), ws.Pong(payload))
		})
	}
}

// testServerPing has the peer ping the client, which answers on its own
// with a pong of the same payload; the peer sends that pong's payload back
// as a binary message. Recv reports the ping unless ReportControl(false).
func testServerPing(t *testing.T, p *conns) {
	for _, report := range []bool{true, false} {
		for _, payload := range pingPayloads {
			t.Run(fmt.Sprintf("report=%v/%d", report, len(payload)), func(t *testing.T) {
				c := p.dial(t, "/ping?data="+hex.EncodeToString(payload), ws.ReportControl(report))
				if report {
					checkFrame(t, recv(t, c), ws.Ping(payload))
				}
				checkFrame(t, recv(t, c), ws.Binary(payload))
			})
		}
	}
}
