package ws_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hackney-go/ws"
)

// Reconnect keeps a subscription up across server restarts: the loop body
// subscribes on every new connection and reads until it ends; failures
// come as a *RetryError with the delay before the next attempt. This
// server restarts after each tick.
func ExampleReconnect() {
	url, stop := tickerServer()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	connections := 0
	for conn, err := range ws.Reconnect(ctx, url, ws.Backoff(10*time.Millisecond, time.Second)) {
		var retry *ws.RetryError
		if errors.As(err, &retry) {
			fmt.Println("lost:", retry.Err) // retry.Delay says when the next attempt comes
			continue
		}
		if err != nil {
			fmt.Println("giving up:", err)
			break
		}
		connections++
		if connections > 2 {
			conn.Close()
			break
		}
		conn.Send(ws.Text("subscribe"))
		for {
			f, err := conn.Recv()
			if err != nil {
				break // Reconnect says why, and comes back with a new Conn
			}
			fmt.Println(f)
		}
	}
	// Output:
	// text "tick"
	// lost: ws: closed by peer: 1012 (service restart) "restart"
	// text "tick"
	// lost: ws: closed by peer: 1012 (service restart) "restart"
}
