package interop

import (
	"errors"
	"testing"

	"github.com/hackney-go/ws"
)

// testSubprotocol offers subprotocols; the peer picks "b" when offered
// (RFC 6455 section 4.2.2) and tells which one it chose in a message.
func testSubprotocol(t *testing.T, p *conns) {
	for _, tc := range []struct {
		name  string
		offer []string
		want  string
	}{
		{"offered", []string{"a", "b"}, "b"},
		{"none-acceptable", []string{"a"}, ""},
		{"none-offered", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := p.dial(t, "/protocol", ws.Protocols(tc.offer...))
			if got := c.Subprotocol(); got != tc.want {
				t.Fatalf("Subprotocol() = %q, want %q", got, tc.want)
			}
			checkFrame(t, recv(t, c), ws.Text(tc.want))
		})
	}
}

// refusalBody is what both peers answer /401 with.
const refusalBody = "{\"error\":\"token required\"}\n"

// testRefusal has the peer refuse the upgrade with 401 and a body, which
// Connect returns in a *ws.HTTPError.
func testRefusal(t *testing.T, p *conns) {
	c, err := p.connect(t, "/401")
	if err == nil {
		c.Close()
		t.Fatal("Connect succeeded, want a 401 refusal")
	}
	var he *ws.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("Connect: %v (%T), want a *ws.HTTPError", err, err)
	}
	if he.StatusCode != 401 || he.Status != "Unauthorized" {
		t.Fatalf("status %d %q, want 401 Unauthorized", he.StatusCode, he.Status)
	}
	if string(he.Body) != refusalBody {
		t.Fatalf("body %q, want %q", he.Body, refusalBody)
	}
	if got, want := he.Header.Get("WWW-Authenticate"), `Bearer realm="interop"`; got != want {
		t.Fatalf("WWW-Authenticate %q, want %q", got, want)
	}
}
