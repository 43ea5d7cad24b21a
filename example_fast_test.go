package ws_test

import (
	"context"
	"fmt"

	"github.com/hackney-go/ws"
)

// Receiving into one reused buffer: no allocation per message. Each
// payload is valid until the buffer is written to again.
func ExampleConn_RecvInto() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	buf := make([]byte, 4096)
	for _, word := range []string{"one", "two", "three"} {
		conn.Send(ws.Text(word))
		f, err := conn.RecvInto(buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(f.Text(), " ")
	}
	fmt.Println()
	// Output: one two three
}

// Sending a batch of frames in one write.
func ExampleConn_SendAll() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	if err := conn.SendAll(ws.Text("a"), ws.Text("b"), ws.Binary([]byte{1, 2})); err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		f, _ := conn.Recv()
		fmt.Println(f.Kind, f.Payload)
	}
	// Output:
	// text [97]
	// text [98]
	// binary [1 2]
}
