package ws_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hackney-go/ws"
)

// Passive mode, the default: Recv returns the next message, waiting at
// most the RecvTimeout option's duration (by default for ever);
// RecvTimeout sets the bound for one call.
func ExampleConn_Recv() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	conn.Send(ws.Text("first"))
	f, err := conn.Recv()
	fmt.Println(f, err)

	conn.Send(ws.Text("second"))
	f, err = conn.RecvTimeout(5 * time.Second)
	fmt.Println(f, err)
	// Output:
	// text "first" <nil>
	// text "second" <nil>
}

// A receive that times out matches ws.ErrTimeout, and leaves the Conn
// usable: the next Recv gets the next message.
func ExampleConn_RecvTimeout() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	// The echo server sends nothing unasked.
	_, err = conn.RecvTimeout(100 * time.Millisecond)
	var ne net.Error
	fmt.Println(errors.Is(err, ws.ErrTimeout), errors.As(err, &ne) && ne.Timeout())

	conn.Send(ws.Text("still here"))
	f, err := conn.Recv()
	fmt.Println(f, err)
	// Output:
	// true true
	// text "still here" <nil>
}

// The frame types Recv returns, and the close that ends the connection.
// This server sends one of each, then closes. Pings and pongs are reported
// with ReportControl(true), as hackney's ws_recv does.
func ExampleFrame() {
	url, stop := scriptServer(text("hello"), binary([]byte{1, 2, 3}), ping("are you there?"), pong(""), closing(1000, "done"))
	defer stop()
	conn, err := ws.Connect(context.Background(), url, ws.ReportControl(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	for {
		f, err := conn.Recv()
		var closed *ws.CloseError
		switch {
		case errors.As(err, &closed):
			fmt.Println("closed:", closed.Code, closed.Reason)
			return
		case err != nil:
			fmt.Println("error:", err)
			return
		}
		switch f.Kind {
		case ws.TextFrame:
			fmt.Println("text:", f.Text())
		case ws.BinaryFrame:
			fmt.Println("binary:", f.Payload)
		case ws.PingFrame:
			fmt.Println("ping, already answered:", f.Text())
		case ws.PongFrame:
			fmt.Println("pong")
		}
	}
	// Output:
	// text: hello
	// binary: [1 2 3]
	// ping, already answered: are you there?
	// pong
	// closed: 1000 (normal closure) done
}

// By default Recv returns messages only: pings are answered on the way.
// With ReportControl(true), as hackney's ws_recv does, it returns them
// too, answered already.
func ExampleReportControl() {
	url, stop := scriptServer(ping("answered"), text("hello"))
	defer stop()
	for _, report := range []bool{false, true} {
		conn, err := ws.Connect(context.Background(), url, ws.ReportControl(report))
		if err != nil {
			fmt.Println(err)
			return
		}
		f, err := conn.Recv()
		fmt.Println(report, f, err)
		conn.Close()
	}
	// Output:
	// false text "hello" <nil>
	// true ping [8 bytes] <nil>
}
