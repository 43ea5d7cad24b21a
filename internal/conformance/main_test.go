package conformance

import (
	"testing"

	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/xconnect"
	"go.uber.org/goleak"
)

// TestMain fails the run if a case leaves a goroutine behind: the
// client's, after any kind of end, or the server's. It runs the tests in
// a process with Go's extended CONNECT on, for StreamServer (see
// internal/xconnect).
func TestMain(m *testing.M) {
	xconnect.Reexec()
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}
