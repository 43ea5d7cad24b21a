// Package conformance checks the client against RFC 6455 from the other
// end of the wire: a scriptable server that completes the opening
// handshake itself, then writes whatever bytes a script says (any frame,
// broken or not, cut across TCP writes at chosen points) and checks what
// the client sends back (echoes, pongs, close codes, the end of the TCP
// connection). The tests hold a table of client cases grouped as in the
// Autobahn testsuite, run against each of the Conn's receive paths.
package conformance
