package conformance

import (
	"errors"
	"time"

	ws "github.com/hackney-go/ws"
)

// An agent is the client under test beyond Connect: it takes every
// message through one of the Conn's receive paths and sends it back with
// the same kind, until the connection ends, or until it has echoed
// closeAfter messages when closes is set, and then closes it itself.
type agent struct {
	name string
	mode ws.Mode
	run  func(c *ws.Conn, closes bool, closeAfter int) ending
}

// ending is how an agent's connection ended: err is what the receive
// path reported, or with byUs, what Close returned.
type ending struct {
	err  error
	byUs bool
}

var agents = []agent{
	{"passive", ws.Passive, passiveAgent},
	{"active", ws.Active, activeAgent},
	{"activeonce", ws.ActiveOnce, activeOnceAgent},
}

var errNoEvent = errors.New("agent: no event within the timeout")

// echo sends back a message; pings and pongs are the Conn's own business.
// A failed Send shows as the end of the connection on the next receive.
func echo(c *ws.Conn, f ws.Frame) bool {
	if f.Kind != ws.TextFrame && f.Kind != ws.BinaryFrame {
		return false
	}
	c.Send(f)
	return true
}

// passiveAgent alternates Recv and RecvInto with one reused buffer, the
// two passive receive paths; Send copies a payload before the buffer is
// used again.
func passiveAgent(c *ws.Conn, closes bool, closeAfter int) ending {
	buf := make([]byte, 4096)
	for echoed, n := 0, 0; ; n++ {
		if closes && echoed == closeAfter {
			return ending{err: c.Close(), byUs: true}
		}
		var f ws.Frame
		var err error
		if n%2 == 0 {
			f, err = c.RecvTimeout(caseTimeout)
		} else {
			f, err = c.RecvInto(buf)
		}
		if err != nil {
			return ending{err: err}
		}
		if echo(c, f) {
			echoed++
		}
	}
}

func activeAgent(c *ws.Conn, closes bool, closeAfter int) ending {
	return eventAgent(c, closes, closeAfter, false)
}

// activeOnceAgent grants one event at a time. When the connection ends
// while no grant is pending, Events is closed without a last event and
// SetActive tells why.
func activeOnceAgent(c *ws.Conn, closes bool, closeAfter int) ending {
	return eventAgent(c, closes, closeAfter, true)
}

// eventAgent takes messages from Events, granting each one first when
// once is set.
func eventAgent(c *ws.Conn, closes bool, closeAfter int, once bool) ending {
	t := time.NewTimer(caseTimeout)
	defer t.Stop()
	for echoed := 0; ; {
		if closes && echoed == closeAfter {
			return ending{err: c.Close(), byUs: true}
		}
		t.Reset(caseTimeout)
		select {
		case ev, ok := <-c.Events():
			if !ok && once {
				err := c.SetActive(ws.ActiveOnce)
				if err == nil {
					err = errors.New("agent: Events closed on a Conn that has not ended")
				}
				return ending{err: err}
			}
			if !ok {
				return ending{err: errors.New("agent: Events closed without a last event")}
			}
			if ev.Err != nil {
				return ending{err: ev.Err}
			}
			if echo(c, ev.Frame) {
				echoed++
			}
			if once {
				if err := c.SetActive(ws.ActiveOnce); err != nil {
					return ending{err: err}
				}
			}
		case <-t.C:
			return ending{err: errNoEvent}
		}
	}
}
