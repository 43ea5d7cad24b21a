package interop

import (
	"fmt"
	"testing"

	"github.com/hackney-go/ws"
)

// testEcho sends text and binary messages of every size and checks that
// the peer's echo is the same message.
func testEcho(t *testing.T, p *conns) {
	for _, kind := range []ws.Kind{ws.TextFrame, ws.BinaryFrame} {
		t.Run(kind.String(), func(t *testing.T) {
			c := p.dial(t, "/echo")
			for _, n := range echoSizes() {
				t.Run(fmt.Sprint(n), func(t *testing.T) {
					m := message(kind, n)
					send(t, c, m)
					checkFrame(t, recv(t, c), m)
				})
			}
		})
	}
}

// testFragmented has the peer send each message back in pieces, with a
// ping between the first two: the client must join the pieces into one
// message, and report the ping, already answered, before it.
func testFragmented(t *testing.T, p *conns) {
	for _, pieces := range []int{2, 5} {
		for _, kind := range []ws.Kind{ws.TextFrame, ws.BinaryFrame} {
			t.Run(fmt.Sprintf("%d-pieces/%v", pieces, kind), func(t *testing.T) {
				c := p.dial(t, fmt.Sprintf("/fragment?pieces=%d", pieces), ws.ReportControl(true))
				for _, n := range sizes {
					t.Run(fmt.Sprint(n), func(t *testing.T) {
						m := message(kind, n)
						send(t, c, m)
						checkFrame(t, recv(t, c), ws.Ping([]byte("mid")))
						checkFrame(t, recv(t, c), m)
					})
				}
			})
		}
	}
}
