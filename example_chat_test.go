package ws_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hackney-go/ws"
)

// chatClient is the guide's chat client: a connection in active mode
// whose messages a goroutine of its own prints until the connection
// closes.
type chatClient struct {
	conn *ws.Conn
	done chan struct{} // closed when the loop has seen the connection end
}

func startChat(url string) (*chatClient, error) {
	conn, err := ws.Connect(context.Background(), url, ws.ActiveMode(ws.Active))
	if err != nil {
		return nil, err
	}
	c := &chatClient{conn: conn, done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *chatClient) send(msg string) error {
	return c.conn.Send(ws.Text(msg))
}

// loop prints every text message. Events is closed after the last event,
// the one that says why the connection ended.
func (c *chatClient) loop() {
	defer close(c.done)
	for ev := range c.conn.Events() {
		var closed *ws.CloseError
		switch {
		case errors.As(ev.Err, &closed):
			fmt.Println("closed:", closed.Code, closed.Reason)
		case ev.Err != nil:
			fmt.Println("error:", ev.Err)
		case ev.Frame.Kind == ws.TextFrame:
			fmt.Println(ev.Frame.Text())
		}
	}
}

// A chat room: the server broadcasts every message to everyone, and says
// goodbye to a client that sends "/quit". Alice runs the chat client; Bob
// uses a plain passive connection.
func Example_chat() {
	url, stop := chatServer()
	defer stop()

	alice, err := startChat(url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer alice.conn.Close()
	bob, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bob.Close()

	bob.Send(ws.Text("bob: hi alice"))
	bob.Recv() // Bob's own message came back: everyone has it now.
	alice.send("alice: hi bob")
	alice.send("/quit")
	<-alice.done
	// Output:
	// bob: hi alice
	// alice: hi bob
	// closed: 1000 (normal closure) bye
}
