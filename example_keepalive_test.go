package ws_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hackney-go/ws"
)

// A connection that finds out when its peer is gone: a ping after 20 s of
// silence, and the connection fails when 10 s more bring nothing back.
// Recv then returns a *CloseError wrapping ErrKeepalive.
func ExamplePingInterval() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url,
		ws.PingInterval(20*time.Second),
		ws.PingTimeout(10*time.Second),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	conn.Send(ws.Text("hello"))
	f, err := conn.Recv()
	if errors.Is(err, ws.ErrKeepalive) {
		fmt.Println("the server is gone")
		return
	}
	fmt.Println(f, err)
	// Output: text "hello" <nil>
}

// Ping measures the round trip to the server; Latency keeps the last one.
func ExampleConn_Ping() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rtt, err := conn.Ping(ctx)
	fmt.Println(err, rtt > 0, conn.Latency() == rtt)
	// Output: <nil> true true
}

// SendContext gives up on a frame that cannot go out in time, and leaves
// the Conn usable when nothing of it was written.
func ExampleConn_SendContext() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = conn.SendContext(ctx, ws.Text("on time"))
	switch {
	case errors.Is(err, ws.ErrTimeout):
		fmt.Println("not sent; the Conn is still usable")
	case errors.Is(err, ws.ErrClosed):
		fmt.Println("the connection is over:", err)
	}
	f, err := conn.Recv()
	fmt.Println(f, err)
	// Output: text "on time" <nil>
}
