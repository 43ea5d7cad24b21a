package conformance

import (
	"testing"

	"github.com/hackney-go/ws/internal/proxytest"
	"go.uber.org/goleak"
)

// TestMain fails the run if a case leaves a goroutine behind: the
// client's, after any kind of end, or the server's.
func TestMain(m *testing.M) {
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}
