package ws

import (
	"context"
	"net"
	"testing"
	"time"
)

// BenchmarkDialDirect dials an IP address bounded as net.Dialer bounds it
// (a Deadline, of which it makes a context.WithDeadline) and as
// dialDirect does (a dialBound). The listener's accepts count in both.
func BenchmarkDialDirect(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			nc.Close()
		}
	}()
	defer func() {
		ln.Close()
		<-accepted
	}()
	t := &target{addr: ln.Addr().String(), ipLiteral: true}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		dial func(deadline time.Time) (net.Conn, error)
	}{
		{"Deadline", func(deadline time.Time) (net.Conn, error) {
			d := net.Dialer{Deadline: deadline}
			return d.DialContext(ctx, "tcp", t.addr)
		}},
		{"dialBound", func(deadline time.Time) (net.Conn, error) {
			var bound dialBound
			return dialDirect(ctx, deadline, t, &bound)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				nc, err := bc.dial(time.Now().Add(testTimeout))
				if err != nil {
					b.Fatal(err)
				}
				nc.Close()
			}
		})
	}
}
