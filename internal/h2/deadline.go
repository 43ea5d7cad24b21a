package h2

import (
	"sync"
	"time"
)

// deadline is one direction's deadline of a Stream: done returns a
// channel closed once the deadline has passed, so that a wait can select
// on it. Setting a new deadline reopens it, as net.Conn's deadlines are
// reset by a later Set*Deadline.
type deadline struct {
	mu    sync.Mutex
	ch    chan struct{} // closed when the deadline has passed; nil while none was set
	timer *time.Timer
	gen   uint64 // counts set calls, so a timer that fired late closes nothing
}

// set moves the deadline to t; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.ch == nil || isClosed(d.ch) {
		d.ch = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		close(d.ch)
		return
	}
	gen, ch := d.gen, d.ch
	d.timer = time.AfterFunc(wait, func() {
		d.mu.Lock()
		if d.gen == gen {
			close(ch)
		}
		d.mu.Unlock()
	})
}

// done returns the channel closed when the deadline passes; a nil
// channel, which never is, while none was set.
func (d *deadline) done() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch
}

// passed reports whether the deadline has passed.
func (d *deadline) passed() bool {
	ch := d.done()
	return ch != nil && isClosed(ch)
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
