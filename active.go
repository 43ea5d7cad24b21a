package ws

// Mode says how a Conn delivers what it receives (hackney's active option).
type Mode uint8

const (
	// Passive delivers messages to Recv, one per call. It is the default.
	Passive Mode = iota
	// Active delivers every message as an Event, then the close or the
	// error that ended the connection.
	Active
	// ActiveOnce delivers the next message as an Event, then the Conn is
	// Passive again until SetActive grants another.
	ActiveOnce
)

// String returns a readable form of the Mode.
func (m Mode) String() string {
	switch m {
	case Passive:
		return "passive"
	case Active:
		return "active"
	case ActiveOnce:
		return "active-once"
	}
	return "invalid mode"
}

// Event is what a Conn delivers in active modes: a Frame received, or,
// as its last event, the reason the connection ended in Err: a *CloseError
// when the peer closed (hackney's closed), another error when it failed
// (hackney's hackney_ws_error). A Conn that the caller closes sends no
// last event.
//
// When the peer breaks the protocol, the Conn reads no further, and the
// close frame the breach calls for (1002, 1007, 1009) goes once the event
// that reports it is taken, at most CloseTimeout after it is offered: as
// in passive mode, the application answers the messages before it first.
type Event struct {
	Conn  *Conn
	Frame Frame
	Err   error
}

// Events returns the channel the Conn delivers its events to: its own,
// which it closes after its last event, or the one given with DeliverTo.
func (c *Conn) Events() <-chan Event { return c.events }

// SetActive switches the delivery mode (hackney's ws_setopts with
// active). Switching to ActiveOnce grants one event; call it again after
// each event for the next. A message the Conn holds while no one takes
// it goes to whichever consumer the new mode names: nothing is lost, and
// while nobody takes a message the Conn stops reading the socket, so the
// peer is slowed by TCP flow control instead of memory growing.
//
// A Recv waiting when the mode becomes active returns ErrActiveMode. On a
// Conn that has ended SetActive returns why (a *CloseError, or ErrClosed).
func (c *Conn) SetActive(m Mode) error {
	if m > ActiveOnce {
		return errInvalidMode
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.stateErr(); err != nil {
		return err
	}
	c.mode = m
	c.gen++
	if m != Passive {
		if c.unpassive != nil {
			close(c.unpassive)
			c.unpassive = nil
		}
		c.startPump()
		if c.parked == parkedPassive {
			c.wakePump()
		}
		c.interrupt() // a Recv reading gives the token to the pump
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return nil
}
