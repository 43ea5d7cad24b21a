// Package conformance checks the client against RFC 6455 from the other
// end of the wire: a scriptable server that completes the opening
// handshake itself, then writes whatever bytes a script says (any frame,
// broken or not, cut across TCP writes at chosen points) and checks what
// the client sends back (echoes, pongs, close codes, the end of the TCP
// connection). The tests hold a table of client cases grouped as in the
// Autobahn testsuite, run against each of the Conn's receive paths.
//
// The server role (TestServerConformance, TestServerDeflateConformance)
// runs the same tables the other way round: a scripted client (Dial,
// DialDeflate) masks what it writes (the mask rule turned round: what a
// case sends as a server's masked frame goes as a client's unmasked one)
// against ws.Accept on an httptest server, whose handler runs the same
// agents on the server's Conn; EndTCP checks that the server closes the
// TCP connection first. Permessage-deflate adds every offer a client can
// make, those the server declines, and those it refuses with 400.
//
// Over HTTP/2 (TestH2Conformance, TestH2DeflateConformance), the client's
// tables run with the Conn on a stream of an h2c connection (RFC 8441)
// and the script on the stream's other end (StreamServer, Go's net/http
// server, with the extended CONNECT turned on by TestMain: see
// internal/xconnect). The end of the TCP connection is the stream's: the
// client's END_STREAM, or its reset when it fails the connection; the
// server's CloseWrite ends the stream both ways (see streamEnd).
//
// Two scales. By default, so that "go test -race ./..." stays short on a
// busy two-core machine, every case runs, and most on every receive path;
// the heavy ones (the big cases, of a MiB and more; the compressed
// messages of 256 KiB; the permessage-deflate parameters of group 13) run
// on one path each, the paths taking them in turn, and the other paths
// skip them, saying where they ran; in the server role and over HTTP/2
// every case runs on one path, and in the server role the big compressed
// ones not at all. With the
// environment variable
// WS_TEST_FULL=1, as CI sets it, every case runs on every path:
//
//	go test -race ./internal/conformance
//	WS_TEST_FULL=1 go test -race ./internal/conformance
package conformance
