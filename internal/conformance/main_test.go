package conformance

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a case leaves a goroutine behind: the
// client's, after any kind of end, or the server's.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fullEnv, set to 1, selects the full scale; see the package documentation.
const fullEnv = "WS_TEST_FULL"

// full reports whether the tests run at the full scale (WS_TEST_FULL=1,
// as CI sets it): every case on every receive path.
func full() bool { return os.Getenv(fullEnv) == "1" }
