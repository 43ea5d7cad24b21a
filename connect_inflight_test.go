//go:build linux

package ws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// unansweredAddr returns the address of a TCP listener on 127.0.0.1 that
// never answers a connect(2), as a host that drops packets: its backlog
// of 0 holds one connection, made here and never accepted, and Linux
// drops the SYN sent to a listener whose queue is full, so that a
// connect waits for an answer until it is cut short.
func unansweredAddr(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*unix.SockaddrInet4).Port)
	filler, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	// The filler's connect returns once its SYN is answered; it is in the
	// queue once the listener has had its ACK, which a listener's TCP_INFO
	// counts in Unacked.
	for deadline := time.Now().Add(testTimeout); ; time.Sleep(time.Millisecond) {
		info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			t.Fatal(err)
		}
		if info.Unacked >= 1 {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener's queue did not fill")
		}
	}
}

// hiddenCancel is a context that can be canceled, and that hides from
// package context that it is a context.WithCancel.
type hiddenCancel struct{ context.Context }

func (hiddenCancel) Value(any) any { return nil }

// TestConnectInFlight: a connect(2) in flight, to a server that never
// answers it, ends at ConnectTimeout, at the deadline of Connect's
// context, and when that context is canceled, whatever the kind of
// context: the bound of a dial to an IP address is no context of
// package context (dialBound).
func TestConnectInFlight(t *testing.T) {
	url := "ws://" + unansweredAddr(t) + "/"
	for _, tc := range []struct {
		name string
		// ctx is Connect's context; cancel, if not nil, is called once
		// the dial has begun.
		ctx     func(t *testing.T) (ctx context.Context, cancel func())
		timeout time.Duration
		want    func(t *testing.T, err error)
	}{
		{"Timeout", background, shortWait, checkTimeout},
		{"TimeoutCancelable", cancelable, shortWait, checkTimeout},
		{"TimeoutHidden", hidden, shortWait, checkTimeout},
		{"ContextDeadline", deadlined, testTimeout, checkTimeout},
		{"ContextDeadlineNoTimeout", deadlined, 0, checkTimeout},
		{"Cancel", cancelable, testTimeout, checkCanceled},
		{"CancelNoTimeout", cancelable, 0, checkCanceled},
		{"CancelHidden", hidden, testTimeout, checkCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx(t)
			var mu sync.Mutex
			var steps []string
			note := func(s string) {
				mu.Lock()
				steps = append(steps, s)
				mu.Unlock()
			}
			var stop *time.Timer
			trace := &httptrace.ClientTrace{
				ConnectStart: func(string, string) {
					note("ConnectStart")
					if cancel != nil {
						// Whether it comes before the connect(2) or
						// during it, it must end it.
						stop = time.AfterFunc(shortWait, cancel)
					}
				},
				ConnectDone: func(_, _ string, err error) {
					if err != nil {
						note("ConnectDone with an error")
					} else {
						note("ConnectDone")
					}
				},
				WroteHeaders: func() { note("WroteHeaders") },
			}
			res := make(chan error, 1)
			go func() {
				c, err := Connect(httptrace.WithClientTrace(ctx, trace), url, ConnectTimeout(tc.timeout))
				if err == nil {
					c.Close()
				}
				res <- err
			}()
			var err error
			select {
			case err = <-res:
			case <-time.After(testTimeout):
				t.Fatal("the connect was not cut short")
			}
			if stop != nil {
				stop.Stop()
			}
			mu.Lock()
			defer mu.Unlock()
			if len(steps) != 2 || steps[0] != "ConnectStart" || steps[1] != "ConnectDone with an error" {
				t.Fatalf("steps %q, want a connect that failed and nothing after it; the error: %v", steps, err)
			}
			tc.want(t, err)
		})
	}
}

func background(*testing.T) (context.Context, func()) { return context.Background(), nil }

func cancelable(t *testing.T) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

func hidden(t *testing.T) (context.Context, func()) {
	ctx, cancel := cancelable(t)
	return hiddenCancel{ctx}, cancel
}

func deadlined(t *testing.T) (context.Context, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	t.Cleanup(cancel)
	return ctx, nil
}

func checkCanceled(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v, want context.Canceled and no timeout", err)
	}
}
