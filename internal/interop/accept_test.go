package interop

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// acceptScenarios run ws.Accept against every client peer.
var acceptScenarios = []struct {
	name string
	run  func(*testing.T, peerSpec)
}{
	{"echo", testAcceptEcho},
	{"server-fragments", testAcceptServerFragments},
	{"client-fragments", testAcceptClientFragments},
	{"client-ping", testAcceptClientPing},
	{"server-ping", testAcceptServerPing},
	{"client-close", testAcceptClientClose},
	{"server-close", testAcceptServerClose},
	{"subprotocol", testAcceptSubprotocol},
	{"origin", testAcceptOrigin},
	{"deflate", testAcceptDeflate},
	{"hub", testAcceptHub},
}

func TestNodeClient(t *testing.T) {
	t.Parallel()
	testClient(t, nodeClient)
}

func TestPythonClient(t *testing.T) {
	t.Parallel()
	testClient(t, pythonClient)
}

func testClient(t *testing.T, spec peerSpec) {
	requirePeer(t, spec)
	// Scenarios and their cases run in parallel, each with its own
	// server and client: most of a case's time is a peer starting.
	for _, s := range acceptScenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, spec)
		})
	}
}

// echoThrough sends each message to the client, which echoes it, and
// checks the echo.
func echoThrough(t *testing.T, c *ws.Conn, msgs ...ws.Frame) {
	t.Helper()
	for _, m := range msgs {
		send(t, c, m)
		checkFrame(t, recv(t, c), m)
	}
}

// closeClient closes c with a code and reason, and checks that the
// client saw them.
func closeClient(t *testing.T, p *peer, c *ws.Conn, code ws.CloseCode, reason string) {
	t.Helper()
	if err := c.CloseWith(code, reason); err != nil {
		t.Fatalf("CloseWith(%d, %q): %v", code, reason, err)
	}
	if r := p.event(t, "close"); r.Code != int(code) || r.Reason != reason {
		t.Fatalf("client %s saw close %d %q, want %d %q", p.name, r.Code, r.Reason, code, reason)
	}
}

// testAcceptEcho sends text and binary messages of every size, up to
// 16 MiB at the full scale, which the client echoes.
func testAcceptEcho(t *testing.T, spec peerSpec) {
	a := startAcceptor(t)
	p := runClient(t, spec, clientPlan{URL: a.url + "/echo"})
	c := a.accept(t)
	if r := p.event(t, "open"); r.Protocol != "" || r.Deflate != nil {
		t.Fatalf("client %s opened with %+v, want no subprotocol and no compression", p.name, r)
	}
	for _, kind := range []ws.Kind{ws.TextFrame, ws.BinaryFrame} {
		for _, n := range echoSizes() {
			t.Run(fmt.Sprintf("%v/%d", kind, n), func(t *testing.T) { echoThrough(t, c, message(kind, n)) })
		}
	}
	closeClient(t, p, c, ws.CloseNormal, "")
}

// testAcceptServerFragments has the server send every message in frames
// of at most 1000 bytes (FragmentSize), which the client joins.
func testAcceptServerFragments(t *testing.T, spec peerSpec) {
	a := startAcceptor(t, ws.FragmentSize(1000))
	p := runClient(t, spec, clientPlan{URL: a.url + "/"})
	c := a.accept(t)
	for _, kind := range []ws.Kind{ws.TextFrame, ws.BinaryFrame} {
		for _, n := range []int{999, 1000, 1001, 65536} {
			t.Run(fmt.Sprintf("%v/%d", kind, n), func(t *testing.T) { echoThrough(t, c, message(kind, n)) })
		}
	}
	closeClient(t, p, c, ws.CloseNormal, "")
}

// testAcceptClientFragments has the client echo every message in pieces,
// Node's cut at byte offsets (inside UTF-8 sequences too), which the
// server joins into one message.
func testAcceptClientFragments(t *testing.T, spec peerSpec) {
	for _, pieces := range []int{2, 5} {
		t.Run(fmt.Sprint(pieces), func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t)
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Fragments: pieces})
			c := a.accept(t)
			for _, kind := range []ws.Kind{ws.TextFrame, ws.BinaryFrame} {
				for _, n := range sizes {
					t.Run(fmt.Sprintf("%v/%d", kind, n), func(t *testing.T) { echoThrough(t, c, message(kind, n)) })
				}
			}
			closeClient(t, p, c, ws.CloseNormal, "")
		})
	}
}

// testAcceptClientPing has the client ping: the server reports the ping
// (ReportControl), answers it with the same payload, and gets that
// payload back from the client in a binary message once the pong came.
func testAcceptClientPing(t *testing.T, spec peerSpec) {
	for _, data := range []string{"", "01ff", strings.Repeat("ab", 125)} {
		t.Run(fmt.Sprint(len(data)/2), func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t, ws.ReportControl(true))
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Ping: &data})
			c := a.accept(t)
			payload, _ := hex.DecodeString(data)
			checkFrame(t, recv(t, c), ws.Ping(payload))
			checkFrame(t, recv(t, c), ws.Binary(payload))
			if r := p.event(t, "pong"); r.Data != data {
				t.Fatalf("client %s got a pong of %q, want %q", p.name, r.Data, data)
			}
			closeClient(t, p, c, ws.CloseNormal, "")
		})
	}
}

// testAcceptServerPing has the server Ping the client, whose library
// answers: Ping returns the round trip once the pong came, and the Conn
// goes on echoing.
func testAcceptServerPing(t *testing.T, spec peerSpec) {
	a := startAcceptor(t)
	p := runClient(t, spec, clientPlan{URL: a.url + "/"})
	c := a.accept(t)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		rtt, err := c.Ping(ctx)
		cancel()
		if err != nil || rtt <= 0 {
			t.Fatalf("Ping: %v, %v; want a round trip", rtt, err)
		}
	}
	echoThrough(t, c, ws.Text("after the pings"))
	closeClient(t, p, c, ws.CloseNormal, "")
}

// testAcceptClientClose has the client close, after one echo, with a
// code and reason that Recv returns; the server echoes the code (RFC 6455
// section 5.5.1), which the client reports.
func testAcceptClientClose(t *testing.T, spec peerSpec) {
	for _, tc := range []struct {
		code   ws.CloseCode
		reason string
	}{
		{ws.CloseNormal, "Goodbye"},
		{ws.CloseGoingAway, ""},
		{4001, "x"},
		{3000, "ünïcødé reason"},
	} {
		t.Run(fmt.Sprint(uint16(tc.code)), func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t)
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Close: &clientClose{After: 1, Code: int(tc.code), Reason: tc.reason}})
			c := a.accept(t)
			echoThrough(t, c, ws.Text("before close"))
			if ce := recvClose(t, c); ce.Code != tc.code || ce.Reason != tc.reason {
				t.Fatalf("Recv: close %d %q, want %d %q", ce.Code, ce.Reason, tc.code, tc.reason)
			}
			if r := p.event(t, "close"); r.Code != int(tc.code) {
				t.Fatalf("client %s saw %+v, want the echo of close %d", p.name, r, tc.code)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close after the client closed: %v", err)
			}
		})
	}
}

// testAcceptServerClose has the server close, after one echo, with a
// code and reason that the client reports; CloseWith returns once the
// client echoed the close.
func testAcceptServerClose(t *testing.T, spec peerSpec) {
	for _, tc := range []struct {
		code   ws.CloseCode
		reason string
	}{
		{ws.CloseNormal, ""},
		{4000, "bye"},
		{ws.CloseGoingAway, "going away"},
		{ws.CloseInternalError, "internal error"},
		{ws.ClosePolicyViolation, strings.Repeat("r", 123)},
	} {
		t.Run(fmt.Sprint(uint16(tc.code)), func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t)
			p := runClient(t, spec, clientPlan{URL: a.url + "/"})
			c := a.accept(t)
			echoThrough(t, c, ws.Binary([]byte("before close")))
			closeClient(t, p, c, tc.code, tc.reason)
		})
	}
}

// testAcceptSubprotocol offers subprotocols to servers with Protocols
// (the server's order of preference) or SelectProtocol.
func testAcceptSubprotocol(t *testing.T, spec peerSpec) {
	for _, tc := range []struct {
		name   string
		opt    ws.Option
		offer  []string
		chosen string
	}{
		{"server-preference", ws.Protocols("b", "a"), []string{"a", "b"}, "b"},
		{"only-common", ws.Protocols("x", "chat.v2"), []string{"chat.v1", "chat.v2"}, "chat.v2"},
		{"select", ws.SelectProtocol(func(offered []string) string { return offered[len(offered)-1] }), []string{"a", "b", "c"}, "c"},
		{"none-offered", ws.Protocols("a"), nil, ""},
		{"none-common", ws.Protocols("a"), []string{"c"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t, tc.opt)
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Protocols: tc.offer})
			c := a.accept(t)
			if got := c.Subprotocol(); got != tc.chosen {
				t.Fatalf("Subprotocol() = %q, want %q", got, tc.chosen)
			}
			if tc.chosen == "" && len(tc.offer) > 0 && spec.name == nodeClient.name {
				// Node's ws fails the connection when the server chooses
				// none of those it offered (RFC 6455 section 4.1 lets a
				// client do so).
				r := p.waitFor(t, "an error", func(r report) bool { return r.Event == "error" || r.Event == "open" })
				if r.Event != "error" || r.Message != "Server sent no subprotocol" {
					t.Fatalf("client %s reported %+v, want the error \"Server sent no subprotocol\"", p.name, r)
				}
				return
			}
			if r := p.event(t, "open"); r.Protocol != tc.chosen {
				t.Fatalf("client %s opened with subprotocol %q, want %q", p.name, r.Protocol, tc.chosen)
			}
			echoThrough(t, c, ws.Text(tc.chosen))
			closeClient(t, p, c, ws.CloseNormal, "")
		})
	}
}

// testAcceptOrigin has clients send an Origin header: another site's is
// refused with 403 by default, the server's own and those OriginPatterns
// allow are taken.
func testAcceptOrigin(t *testing.T, spec peerSpec) {
	t.Run("other-site-refused", func(t *testing.T) {
		t.Parallel()
		a := startAcceptor(t)
		p := runClient(t, spec, clientPlan{URL: a.url + "/", Origin: "https://evil.example"})
		err := a.refused(t)
		var he *ws.HTTPError
		if !errors.As(err, &he) || he.StatusCode != http.StatusForbidden {
			t.Fatalf("Accept: %v, want a *ws.HTTPError 403", err)
		}
		if r := p.event(t, "refused"); r.Status != http.StatusForbidden {
			t.Fatalf("client %s was refused with %d, want 403", p.name, r.Status)
		}
	})
	for _, tc := range []struct {
		name   string
		origin func(a *acceptor) string
		opts   []ws.Option
	}{
		{"same-host", func(a *acceptor) string { return "http://" + strings.TrimPrefix(a.url, "ws://") }, nil},
		{"allowed-pattern", func(*acceptor) string { return "https://app.example.com" }, []ws.Option{ws.OriginPatterns("*.example.com")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := startAcceptor(t, tc.opts...)
			p := runClient(t, spec, clientPlan{URL: a.url + "/", Origin: tc.origin(a)})
			c := a.accept(t)
			p.event(t, "open")
			echoThrough(t, c, ws.Text("allowed"))
			closeClient(t, p, c, ws.CloseNormal, "")
		})
	}
}

// testAcceptHub serves three clients in active mode, all delivering into
// one channel (DeliverTo): each client echoes two messages, then closes
// with a code of its own. Every event names its Conn, each Conn's echoes
// come in order, and its client's close is its last event.
func testAcceptHub(t *testing.T, spec peerSpec) {
	const clients, msgs = 3, 2
	hub := make(chan ws.Event)
	a := startAcceptor(t, ws.ActiveMode(ws.Active), ws.DeliverTo(hub))
	index := map[*ws.Conn]int{}
	peers := make([]*peer, clients)
	for i := range clients {
		peers[i] = runClient(t, spec, clientPlan{URL: a.url + "/", Close: &clientClose{After: msgs, Code: 4000 + i, Reason: fmt.Sprint("client ", i)}})
		c := a.accept(t)
		index[c] = i
		for k := range msgs {
			send(t, c, ws.Text(fmt.Sprintf("to client %d: message %d", i, k)))
		}
	}
	got := make([]int, clients) // echoes received per client
	timeout := time.NewTimer(testTimeout)
	defer timeout.Stop()
	for closed := 0; closed < clients; {
		var ev ws.Event
		select {
		case ev = <-hub:
		case <-timeout.C:
			t.Fatalf("%d of %d clients closed within %v; echoes %v", closed, clients, testTimeout, got)
		}
		i, ok := index[ev.Conn]
		if !ok {
			t.Fatalf("event %+v names no Conn of the test", ev)
		}
		if ev.Err == nil {
			checkFrame(t, ev.Frame, ws.Text(fmt.Sprintf("to client %d: message %d", i, got[i])))
			got[i]++
			continue
		}
		var ce *ws.CloseError
		if !errors.As(ev.Err, &ce) || ce.Code != ws.CloseCode(4000+i) || ce.Reason != fmt.Sprint("client ", i) || got[i] != msgs {
			t.Fatalf("client %d: last event %v after %d echoes, want its close %d after %d", i, ev.Err, got[i], 4000+i, msgs)
		}
		closed++
	}
	for i, p := range peers {
		if r := p.event(t, "close"); r.Code != 4000+i {
			t.Fatalf("client %d saw close %d, want the echo of %d", i, r.Code, 4000+i)
		}
	}
}
