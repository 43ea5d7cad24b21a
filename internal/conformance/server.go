package conformance

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// DefaultTimeout is a timeout for the steps of a script that wait: long
// enough for a 16 MiB echo under the race detector on a starved machine.
// On two cores shared with eight CPU-bound processes, case 1.1.15 (16 MiB
// of text echoed) took up to 25 s; a machine at load 19 takes longer.
const DefaultTimeout = time.Minute

// Server is a WebSocket server on 127.0.0.1 that serves one connection
// with a script: one case, one connection, so a case's outcome never
// depends on another's.
type Server struct {
	ln net.Listener

	mu      sync.Mutex
	nc      net.Conn // the connection being served, nil until accepted
	stopped bool

	done chan struct{} // closed when the script has ended; err is set
	err  error
}

var errStopped = errors.New("conformance: server stopped")

// Serve starts a server that accepts one connection, answers its opening
// handshake and runs script on it. Each step waits at most timeout.
func Serve(timeout time.Duration, script ...Step) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan struct{})}
	go s.serveOne(func(nc net.Conn) error { return runScript(nc, timeout, script) })
	return s, nil
}

// URL returns the ws:// URL of the server.
func (s *Server) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

// serveOne accepts one connection and serves it; a Server stopped first
// serves none.
func (s *Server) serveOne(serve func(net.Conn) error) {
	defer close(s.done)
	nc, err := s.ln.Accept()
	s.ln.Close() // one connection only
	if err != nil {
		s.err = fmt.Errorf("conformance: no connection: %w", err)
		return
	}
	s.mu.Lock()
	stopped := s.stopped
	if !stopped {
		s.nc = nc
	}
	s.mu.Unlock()
	if stopped {
		nc.Close()
		s.err = errStopped
		return
	}
	s.err = serve(nc)
}

// Wait returns the outcome of the script: nil when every step passed, an
// error naming the step that failed otherwise, or if no client connected.
// It waits at most about d: past it, the server is stopped, which ends
// the script.
func (s *Server) Wait(d time.Duration) error {
	s.ln.Close()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.done:
		return s.err
	case <-t.C:
		s.Close()
		return fmt.Errorf("conformance: the script did not end within %v (%v)", d, s.err)
	}
}

// Close stops the server: no more connections, the one being served is
// closed, which ends its script. It returns once the server's goroutines
// have.
func (s *Server) Close() {
	s.mu.Lock()
	s.stopped = true
	if s.nc != nil {
		s.nc.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	<-s.done
}
