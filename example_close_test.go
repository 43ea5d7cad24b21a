package ws_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hackney-go/ws"
)

// Close runs the closing handshake with 1000 (normal closure). When it
// returns the Conn holds no resources, and every later call returns
// ws.ErrClosed. The server reports the close frame it received.
func ExampleConn_Close() {
	url, closes, stop := closeReportingServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(conn.Close())

	fmt.Println("server got", <-closes)
	_, err = conn.Recv()
	fmt.Println(errors.Is(err, ws.ErrClosed))
	// Output:
	// <nil>
	// server got 1000 ""
	// true
}

// Closing with a code and a reason.
func ExampleConn_CloseWith() {
	url, closes, stop := closeReportingServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(conn.CloseWith(1000, "Goodbye"))

	fmt.Println("server got", <-closes)
	// Output:
	// <nil>
	// server got 1000 "Goodbye"
}

// The close codes have names; a close received carries one in its
// *ws.CloseError. This server closes with 1001 (going away).
func ExampleCloseCode() {
	for _, code := range []ws.CloseCode{ws.CloseNormal, ws.CloseGoingAway, ws.CloseProtocolError} {
		fmt.Println(code)
	}

	url, stop := scriptServer(closing(1001, "restarting"))
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	// Codes that may not be sent are refused, and nothing is sent.
	fmt.Println(conn.CloseWith(ws.CloseAbnormal, ""))

	_, err = conn.Recv()
	var closed *ws.CloseError
	if errors.As(err, &closed) && closed.Code == ws.CloseGoingAway {
		fmt.Println("server going away:", closed.Reason)
	}
	// Output:
	// 1000 (normal closure)
	// 1001 (going away)
	// 1002 (protocol error)
	// ws: close 1006 (abnormal closure): close code may not be sent
	// server going away: restarting
}
