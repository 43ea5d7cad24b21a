// Package interop tests the ws client against WebSocket servers of other
// implementations, run as real peers: Node's ws package and Python's
// websockets package. It holds only tests; the peers' programs are in
// testdata.
//
// A test skips when its peer is not installed here, except when the
// environment has CI=true: then a missing peer fails the run, so that CI
// never passes without having talked to both peers. .ci/run installs them.
package interop
