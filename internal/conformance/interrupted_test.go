package conformance

import (
	"errors"
	"regexp"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

// splitDelivery matches the names of the cases whose bytes reach the
// client in many writes: there a receive timeout can fall inside a frame.
var splitDelivery = regexp.MustCompile(`bytewise|cut_|between_writes|writes_of`)

// TestConformanceInterruptedRecv runs the cases delivered in pieces with
// a passive agent whose Recv gives up every 200 µs and is called again: a
// timeout leaves the Conn usable, a partial frame kept for the next call,
// so every case must end as it does with a patient Recv.
func TestConformanceInterruptedRecv(t *testing.T) {
	a := agent{"interrupted", ws.Passive, interruptedAgent}
	for _, c := range cases() {
		// Big cases cost seconds under the race detector and add nothing
		// here: 1.1.14 and 1.2.14 cut the same 64-bit length headers.
		if !splitDelivery.MatchString(c.name) || c.big {
			continue
		}
		t.Run(c.id+"_"+c.name, func(t *testing.T) {
			if c.bug != "" {
				t.Skipf("BUG: %s", c.bug)
			}
			t.Parallel()
			runCase(t, a, c)
		})
	}
}

func interruptedAgent(c *ws.Conn, closes bool, closeAfter int) ending {
	deadline := time.Now().Add(caseTimeout)
	for echoed := 0; ; {
		if closes && echoed == closeAfter {
			return ending{err: c.Close(), byUs: true}
		}
		f, err := c.RecvTimeout(200 * time.Microsecond)
		if errors.Is(err, ws.ErrTimeout) && time.Now().Before(deadline) {
			continue
		}
		if err != nil {
			return ending{err: err}
		}
		deadline = time.Now().Add(caseTimeout)
		if echo(c, f) {
			echoed++
		}
	}
}
