// Package interop tests the ws client against WebSocket servers of other
// implementations, run as real peers: Node's ws package and Python's
// websockets package; and ws.Accept, the server side, against the clients
// of the same two packages (accept_test.go), each connection a client
// process following a plan the test gives it. It holds only tests; the
// peers' programs are in testdata.
//
// A test skips when its peer is not installed here, except when the
// environment has CI=true: then a missing peer fails the run, so that CI
// never passes without having talked to both peers. .ci/run installs them.
//
// The echo test's largest message, 16 MiB, costs the peers seconds each
// time; it is sent only at the full scale, with the environment variable
// WS_TEST_FULL=1, as CI sets it. By default the largest is 1 MiB, which
// already spans many reads and writes at both ends.
package interop
