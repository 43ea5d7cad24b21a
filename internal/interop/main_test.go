package interop

import (
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proxytest"
	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}

// testTimeout bounds every wait on a peer: a connect, a message, a report.
// It is generous because a 16 MiB message under the race detector, with a
// peer in an interpreted language, takes seconds on a loaded machine.
const testTimeout = 60 * time.Second
