// Package netpoll waits for many sockets to become readable with one
// goroutine, so that a connection waiting for its peer costs no goroutine
// of its own: hackney's many sockets delivering to one process. On Linux it
// is one epoll instance (epoll(7)) beside the runtime's; elsewhere there is
// no poller: Register returns nil.
//
// A socket is registered once and armed for one readiness report at a
// time (EPOLLONESHOT): the goroutine that found it silent can end instead
// of blocking, and the report goes to the socket's Waker, which starts
// another to read it.
//
// The poller's goroutine runs only while some socket is registered: it
// returns once the last Handle is closed, so that a program (or a test
// that checks for leaked goroutines) with no connection has none left.
package netpoll

// A Waker is told that its socket became readable, or that its peer
// closed or failed: Wake must not block, it starts the reading elsewhere.
// It may be told once more just after its Handle is closed, and must then
// do nothing.
type Waker interface{ Wake() }
