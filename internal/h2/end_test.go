package h2_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// The ends of a client's stream, seen by a server that reads the raw
// stream (found by the conformance cases over HTTP/2).

// rawStream answers an extended CONNECT with 200 and hands the stream to
// f, whose error comes on the channel; the handler returns, ending the
// stream, when f does. Its reads and writes fail after testTimeout.
func rawStream(f func(w http.ResponseWriter, r *http.Request) error) (http.HandlerFunc, <-chan error) {
	errs := make(chan error, 1)
	return func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(testTimeout))
		rc.SetWriteDeadline(time.Now().Add(testTimeout))
		w.WriteHeader(http.StatusOK)
		if err := rc.Flush(); err != nil {
			errs <- err
			return
		}
		errs <- f(w, r)
	}, errs
}

// writeFrame writes one unmasked frame and flushes it.
func writeFrame(w http.ResponseWriter, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	return http.NewResponseController(w).Flush()
}

// readClose reads the client's next frame, which must be a masked close
// frame, and returns its code.
func readClose(body io.Reader) (uint16, error) {
	var h [2]byte
	if _, err := io.ReadFull(body, h[:]); err != nil {
		return 0, fmt.Errorf("reading the close frame: %w", err)
	}
	if h[0] != 0x88 || h[1]&0x80 == 0 || h[1]&0x7f > 125 {
		return 0, fmt.Errorf("frame header %x, want a masked close frame", h)
	}
	rest := make([]byte, 4+int(h[1]&0x7f))
	if _, err := io.ReadFull(body, rest); err != nil {
		return 0, fmt.Errorf("reading the close frame: %w", err)
	}
	p := rest[4:]
	proto.Mask([4]byte(rest[:4]), 0, p)
	if len(p) < 2 {
		return proto.CloseNoStatus, nil
	}
	return uint16(p[0])<<8 | uint16(p[1]), nil
}

// TestCloseEndsStream: once the close frames have crossed, Close ends the
// client's side with END_STREAM, and waits for the server's, rather than
// resetting the stream (RFC 8441 section 5: RST_STREAM is a TCP reset).
// The server here ends its side only once it has read the client's end,
// as the client of RFC 6455 section 7.1.1 would have it; Close used to
// cut that wait short and reset the stream, mostly before its
// END_STREAM went out.
func TestCloseEndsStream(t *testing.T) {
	h, errs := rawStream(func(w http.ResponseWriter, r *http.Request) error {
		if err := writeFrame(w, []byte{0x88, 0x02, 0x03, 0xe8}); err != nil {
			return err
		}
		if code, err := readClose(r.Body); err != nil || code != 1000 {
			return fmt.Errorf("close %d, %v; want the echo of 1000", code, err)
		}
		// io.EOF, which ReadAll does not report, is END_STREAM; a
		// reset is an error.
		if rest, err := io.ReadAll(r.Body); err != nil || len(rest) > 0 {
			return fmt.Errorf("after the close frame: %d bytes, then %v; want END_STREAM", len(rest), err)
		}
		return nil
	})
	s := startH2Server(t, true, h)
	c := s.connect(t)
	var ce *ws.CloseError
	if _, err := c.Recv(); !errors.As(err, &ce) || ce.Code != 1000 {
		t.Fatalf("Recv: %v, want the server's close 1000", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := result(t, errs); err != nil {
		t.Fatalf("server: %v", err)
	}
}

// TestFailureCloseFrameArrives: a Conn that fails the connection sends
// the close frame it owes and closes at once, while the server is still
// writing; the close frame must reach the server all the same. It used
// to be lost two ways: the stream's reset cut the transport short with
// the frame taken but not written, and the connection, closed with it,
// met the server's writes with a TCP reset, on which Go's server drops
// the connection with what it had not read.
func TestFailureCloseFrameArrives(t *testing.T) {
	h, errs := rawStream(func(w http.ResponseWriter, r *http.Request) error {
		// A text frame with RSV2 set, no extension agreed: 1002.
		if err := writeFrame(w, []byte{0xa1, 0x01, 'x'}); err != nil {
			return err
		}
		stop := make(chan struct{})
		wrote := make(chan struct{})
		go func() {
			// Garbage the client no longer reads, one byte a write.
			defer close(wrote)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if writeFrame(w, []byte{0x00}) != nil {
					return
				}
			}
		}()
		code, err := readClose(r.Body)
		close(stop)
		<-wrote
		if err != nil || code != 1002 {
			return fmt.Errorf("close %d, %v; want 1002", code, err)
		}
		return nil
	})
	s := startH2Server(t, true, h)
	c := s.connect(t)
	var pe *ws.ProtocolError
	if _, err := c.Recv(); !errors.As(err, &pe) {
		t.Fatalf("Recv: %v, want a *ws.ProtocolError", err)
	}
	c.Close()
	if err := result(t, errs); err != nil {
		t.Fatalf("server: %v", err)
	}
}
