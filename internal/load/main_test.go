package load

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// full selects the full sizes; see the package documentation.
var full = flag.Bool("load.full", false, "run the load tests at full size (100 x 100 000 messages, 10 000 idle connections)")

// TestMain fails the run if a test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// stallTimeout bounds every wait for progress: a connect, the next
// message, a close, the child server's answer. The race detector on a
// loaded two-core machine makes single steps slow, but none takes this.
const stallTimeout = time.Minute

// size returns the default size, or the full one under -load.full.
func size(def, fullSize int) int {
	if *full {
		return fullSize
	}
	return def
}
