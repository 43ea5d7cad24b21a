package conformance

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

// The server role: the same cases, with the script playing the client
// (Dial, its frames masked as it writes them) against ws.Accept on an
// httptest server, whose handler runs the agent on the server's Conn.
// Every frame rule holds the same from that end, with the mask rule
// turned round (RFC 6455 section 5.1: an unmasked frame from the client
// fails the connection with 1002), and the server closes the TCP
// connection first (section 7.1.1), which EndTCP checks.

// acceptServer starts an httptest server whose handler accepts one
// WebSocket connection with opts, hands it to onAccept unless nil, and
// runs the agent on it; the agent's ending, or Accept's error, comes on
// the channel.
func acceptServer(a agent, closes bool, closeAfter int, onAccept func(*ws.Conn), opts ...ws.Option) (*httptest.Server, <-chan ending) {
	ended := make(chan ending, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := ws.Accept(w, r, append([]ws.Option{ws.ActiveMode(a.mode), ws.RecvTimeout(caseTimeout), ws.CloseTimeout(caseTimeout)}, opts...)...)
		if err != nil {
			ended <- ending{err: err}
			return
		}
		if onAccept != nil {
			onAccept(conn)
		}
		got := a.run(conn, closes, closeAfter)
		conn.Close()
		ended <- got
	}))
	return srv, ended
}

// agentEnding waits for the agent on the server's side to end, at most
// the case's timeout.
func agentEnding(t *testing.T, ended <-chan ending) (ending, bool) {
	t.Helper()
	timer := time.NewTimer(caseTimeout)
	defer timer.Stop()
	select {
	case got := <-ended:
		return got, true
	case <-timer.C:
		t.Errorf("server: the agent did not end within %v", caseTimeout)
		return ending{}, false
	}
}

// TestServerConformance runs the table of TestConformance in the server
// role. At the default scale each case runs on one receive path, the
// paths taking the cases in turn, as heavy cases do (see runTable): the
// receive paths are the same code in either role, and TestConformance
// runs every case on each of them; WS_TEST_FULL=1 runs every case on
// every path here too.
func TestServerConformance(t *testing.T) {
	runTable(t, "TestServerConformance", cases(), func(c *clientCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.serverBug, heavy: true}
	}, runServerCase)
}

// runServerCase runs a case with the script as the client and the agent
// on ws.Accept's Conn.
func runServerCase(t *testing.T, a agent, c *clientCase) {
	if c.big {
		bigSlots <- struct{}{}
		defer func() { <-bigSlots }()
	}
	srv, ended := acceptServer(a, c.closes, c.closeAfter, nil, c.opts...)
	defer srv.Close()
	if err := Dial(srv.Listener.Addr().String(), caseTimeout, nil, c.script...); err != nil {
		t.Errorf("client: %v", err)
	}
	got, ok := agentEnding(t, ended)
	if !ok {
		return
	}
	if err := endsAs(got, c.want); err != nil {
		t.Errorf("server: %v", err)
	}
}
