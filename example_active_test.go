package ws_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hackney-go/ws"
)

// Active mode: every message arrives as an Event on Events(), and the
// close as the last event, after which the channel is closed. This server
// sends two messages, then closes.
func ExampleActiveMode() {
	url, stop := scriptServer(text("one"), text("two"), closing(1000, "done"))
	defer stop()

	conn, err := ws.Connect(context.Background(), url, ws.ActiveMode(ws.Active))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	for ev := range conn.Events() {
		var closed *ws.CloseError
		switch {
		case errors.As(ev.Err, &closed):
			fmt.Println("closed:", closed.Code, closed.Reason)
		case ev.Err != nil:
			fmt.Println("error:", ev.Err)
		default:
			fmt.Println(ev.Frame)
		}
	}
	// Output:
	// text "one"
	// text "two"
	// closed: 1000 (normal closure) done
}

// Switching a passive Conn to active mode later. A message that arrived
// while the Conn was passive and nobody called Recv is not lost: it is the
// first event.
func ExampleConn_SetActive() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	conn.Send(ws.Text("sent while passive"))
	if err := conn.SetActive(ws.Active); err != nil {
		fmt.Println(err)
		return
	}
	ev := <-conn.Events()
	fmt.Println(ev.Frame, ev.Err)
	// Output: text "sent while passive" <nil>
}

// Active once: each grant delivers one message as an Event, after which
// the Conn is passive until SetActive grants the next.
func ExampleConn_SetActive_once() {
	url, stop := scriptServer(text("first"), text("second"), text("third"))
	defer stop()

	conn, err := ws.Connect(context.Background(), url, ws.ActiveMode(ws.ActiveOnce))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	ev := <-conn.Events()
	fmt.Println("event:", ev.Frame)

	f, err := conn.Recv() // passive again
	fmt.Println("recv:", f, err)

	if err := conn.SetActive(ws.ActiveOnce); err != nil { // get the next
		fmt.Println(err)
		return
	}
	ev = <-conn.Events()
	fmt.Println("event:", ev.Frame)
	// Output:
	// event: text "first"
	// recv: text "second" <nil>
	// event: text "third"
}

// Many connections can deliver into one channel that the caller owns;
// each Event names its Conn.
func ExampleDeliverTo() {
	url, stop := echoServer()
	defer stop()

	events := make(chan ws.Event)
	names := map[*ws.Conn]string{}
	var conns []*ws.Conn
	for _, name := range []string{"a", "b"} {
		conn, err := ws.Connect(context.Background(), url, ws.ActiveMode(ws.Active), ws.DeliverTo(events))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer conn.Close()
		names[conn] = name
		conns = append(conns, conn)
	}

	for _, conn := range conns {
		conn.Send(ws.Text("hello from " + names[conn]))
		ev := <-events
		fmt.Printf("%s got %s\n", names[ev.Conn], ev.Frame.Text())
	}
	// Output:
	// a got hello from a
	// b got hello from b
}
