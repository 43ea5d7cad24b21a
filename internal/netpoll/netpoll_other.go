//go:build !linux

package netpoll

import (
	"errors"
	"net"
)

// Handle is a socket's registration with the poller; there is none on
// this system.
type Handle struct{}

// Register returns nil: a Conn waits on its own goroutine here.
func Register(net.Conn, Waker) *Handle { return nil }

// Arm fails: Register returns no Handle here.
func (*Handle) Arm() error { return errors.ErrUnsupported }

// Close does nothing.
func (*Handle) Close() {}
