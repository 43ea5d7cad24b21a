package conformance

import (
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

// Over HTTP/2: the same tables with the client's Conn on an HTTP/2
// stream (RFC 8441; h2c with prior knowledge, ws.HTTP2Require on a ws://
// URL) and the script on the stream's other end (StreamServer, Go's
// net/http server). The frames are the same bytes in DATA frames, so
// every frame rule holds as over TCP; what changes is the end of the
// connection, which is the stream's: the client ends its side with
// END_STREAM after the close frames, without waiting for the server
// (EndTCP), or resets the stream when it fails the connection
// (ExpectEOF), and the server's CloseWrite ends the stream both ways.

// carrier is what carries a case's connection: the scripted server to
// start, and the client's options that reach it.
type carrier struct {
	serve        func(time.Duration, ...Step) (scriptServer, error)
	serveDeflate func(time.Duration, DeflateAnswer, func(*Deflate) []Step) (scriptServer, error)
	opts         []ws.Option
}

// scriptServer is Server or StreamServer.
type scriptServer interface {
	URL() string
	Wait(time.Duration) error
	Close()
}

var (
	overTCP = carrier{
		serve: func(d time.Duration, script ...Step) (scriptServer, error) { return Serve(d, script...) },
		serveDeflate: func(d time.Duration, a DeflateAnswer, script func(*Deflate) []Step) (scriptServer, error) {
			return ServeDeflate(d, a, script)
		},
	}
	overH2 = carrier{
		serve: func(d time.Duration, script ...Step) (scriptServer, error) { return ServeH2(d, script...) },
		serveDeflate: func(d time.Duration, a DeflateAnswer, script func(*Deflate) []Step) (scriptServer, error) {
			return ServeDeflateH2(d, a, script)
		},
		opts: []ws.Option{ws.HTTP2(ws.HTTP2Require)},
	}
)

// TestH2Conformance runs the table of TestConformance over HTTP/2. At the
// default scale each case runs on one receive path, the paths taking the
// cases in turn (see runTable): the receive paths are the same code over
// any net.Conn, and TestConformance runs every case on each of them;
// WS_TEST_FULL=1 runs every case on every path here too.
func TestH2Conformance(t *testing.T) {
	runTable(t, "TestH2Conformance", cases(), func(c *clientCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: true}
	}, func(t *testing.T, a agent, c *clientCase) { runCaseOver(t, overH2, a, c) })
}

// TestH2DeflateConformance runs the table of TestDeflateConformance over
// HTTP/2, each case on one receive path at the default scale.
func TestH2DeflateConformance(t *testing.T) {
	runTable(t, "TestH2DeflateConformance", allDeflateCases(), func(c *deflateCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: true}
	}, func(t *testing.T, a agent, c *deflateCase) { runDeflateCaseOver(t, overH2, a, c) })
}
