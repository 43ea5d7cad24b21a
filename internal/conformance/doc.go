// Package conformance checks the client against RFC 6455 from the other
// end of the wire: a scriptable server that completes the opening
// handshake itself, then writes whatever bytes a script says (any frame,
// broken or not, cut across TCP writes at chosen points) and checks what
// the client sends back (echoes, pongs, close codes, the end of the TCP
// connection). The tests hold a table of client cases grouped as in the
// Autobahn testsuite, run against each of the Conn's receive paths.
//
// Two scales. By default, so that "go test -race ./..." stays short on a
// busy two-core machine, every case runs, and most on every receive path;
// the heavy ones (the big cases, of a MiB and more; the compressed
// messages of 256 KiB; the permessage-deflate parameters of group 13) run
// on one path each, the paths taking them in turn, and the other paths
// skip them, saying where they ran. With the environment variable
// WS_TEST_FULL=1, as CI sets it, every case runs on every path:
//
//	go test -race ./internal/conformance
//	WS_TEST_FULL=1 go test -race ./internal/conformance
package conformance
