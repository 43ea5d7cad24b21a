package load

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/testscale"
)

// huge selects the hour-long sizes; see the package documentation.
var huge = flag.Bool("load.full", false, "run the load tests at their largest size (100 x 100 000 messages, 10 000 idle connections), about an hour under -race")

// TestMain fails the run if a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}

// stallTimeout bounds every wait for progress: a connect, the next
// message, a close, the child server's answer. It is a bound for a lost
// wakeup, not for a slow machine: under the race detector on two cores
// shared with eight CPU-bound processes, at the full scale, the echo of
// a 200 KiB text message took up to 50 s to come while other connections
// went on receiving, the server's goroutine and the client's reader
// runnable or allocating all along (CPU and GC starvation; a minute was
// too short on a machine at load 19).
const stallTimeout = 3 * time.Minute

// size returns the size of a test at the default scale, at the full one
// (WS_TEST_FULL=1) or under -load.full.
func size(def, fullSize, hugeSize int) int {
	switch {
	case *huge:
		return hugeSize
	case testscale.Full():
		return fullSize
	}
	return def
}
