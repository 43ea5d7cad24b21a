package ws_test

import (
	"context"
	"fmt"

	"github.com/hackney-go/ws"
)

// Sending a text message; the echo server sends it back.
func ExampleConn_Send() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	if err := conn.Send(ws.Text("Hello")); err != nil {
		fmt.Println(err)
		return
	}

	f, err := conn.Recv()
	fmt.Println(f, err)
	// Output: text "Hello" <nil>
}

// Sending a binary message.
func ExampleConn_Send_binary() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	if err := conn.Send(ws.Binary([]byte{1, 2, 3})); err != nil {
		fmt.Println(err)
		return
	}

	f, err := conn.Recv()
	fmt.Println(f.Kind, f.Payload, err)
	// Output: binary [1 2 3] <nil>
}

// Pings, without and with a payload; the server answers each with a pong
// carrying the same payload, which Recv reports with ReportControl(true).
// (Conn.Ping measures a round trip without it.)
func ExampleConn_Send_ping() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url, ws.ReportControl(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	for _, p := range []ws.Frame{ws.Ping(nil), ws.Ping([]byte("heartbeat"))} {
		if err := conn.Send(p); err != nil {
			fmt.Println(err)
			return
		}
		f, err := conn.Recv()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v %q\n", f.Kind, f.Payload)
	}
	// Output:
	// pong ""
	// pong "heartbeat"
}

// Send refuses what the peer would have to reject, before writing a byte:
// the Conn stays usable.
func ExampleConn_Send_refused() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	fmt.Println(conn.Send(ws.Text([]byte{0xff, 0xfe})))
	fmt.Println(conn.Send(ws.Ping(make([]byte, 126))))
	fmt.Println(conn.Send(ws.Text("still fine")))
	// Output:
	// ws: text is not valid UTF-8
	// ws: ping payload of 126 bytes exceeds 125
	// <nil>
}
