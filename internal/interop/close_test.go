package interop

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/hackney-go/ws"
)

// testClientClose closes with a code and reason, which the peer reports
// having received (RFC 6455 section 7.1.2).
func testClientClose(t *testing.T, p *conns) {
	for _, tc := range []struct {
		code   ws.CloseCode
		reason string
	}{
		{ws.CloseNormal, "Goodbye"},
		{4001, "x"},
		{ws.CloseGoingAway, ""},
		{3000, "ünïcødé reason"},
	} {
		t.Run(fmt.Sprint(uint16(tc.code)), func(t *testing.T) {
			id := newID()
			c := p.dial(t, "/echo?id="+id)
			// A round trip first, so the close comes on an established
			// connection rather than racing the peer's handler.
			m := ws.Text("before close")
			send(t, c, m)
			checkFrame(t, recv(t, c), m)
			if err := c.CloseWith(tc.code, tc.reason); err != nil {
				t.Fatalf("CloseWith(%d, %q): %v", tc.code, tc.reason, err)
			}
			if _, err := c.RecvTimeout(testTimeout); err != ws.ErrClosed {
				t.Fatalf("Recv after CloseWith: %v, want ErrClosed", err)
			}
			r := p.waitReport(t, id)
			if r.Event != "close" || r.Code != int(tc.code) || r.Reason != tc.reason {
				t.Fatalf("peer %s saw %+v, want close %d %q", p.name, r, tc.code, tc.reason)
			}
		})
	}
}

// testServerClose has the peer close first: Recv returns its code and
// reason as a *CloseError, and the client echoes the code (section 5.5.1).
func testServerClose(t *testing.T, p *conns) {
	for _, tc := range []struct {
		code   ws.CloseCode
		reason string
	}{
		{4000, "bye"},
		{ws.CloseNormal, ""},
		{ws.CloseGoingAway, "going away"},
		{ws.CloseInternalError, "internal error"},
		{ws.CloseServiceRestart, "restart"},
	} {
		t.Run(fmt.Sprint(uint16(tc.code)), func(t *testing.T) {
			id := newID()
			q := url.Values{"id": {id}, "code": {fmt.Sprint(uint16(tc.code))}, "reason": {tc.reason}}
			c := p.dial(t, "/close?"+q.Encode())
			_, err := c.RecvTimeout(testTimeout)
			var ce *ws.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("Recv: %v, want a *ws.CloseError", err)
			}
			if ce.Code != tc.code || ce.Reason != tc.reason {
				t.Fatalf("Recv: %+v, want code %d reason %q", *ce, tc.code, tc.reason)
			}
			if !errors.Is(err, ws.ErrClosed) {
				t.Fatalf("Recv: %v does not match ErrClosed", err)
			}
			if _, again := c.RecvTimeout(testTimeout); !errors.As(again, &ce) || ce.Code != tc.code {
				t.Fatalf("second Recv: %v, want the same *ws.CloseError", again)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close after the peer closed: %v", err)
			}
			if r := p.waitReport(t, id); r.Event != "close" || r.Code != int(tc.code) {
				t.Fatalf("peer %s saw %+v, want the echo of close %d", p.name, r, tc.code)
			}
		})
	}
}
