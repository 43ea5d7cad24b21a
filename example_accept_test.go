package ws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/hackney-go/ws"
)

// A server is an http.Handler that calls Accept: here, one that echoes
// every message until the client closes.
func ExampleAccept() {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := ws.Accept(w, r)
		if err != nil {
			return // Accept has answered the request with the reason
		}
		defer conn.Close()
		for {
			f, err := conn.Recv()
			if err != nil {
				return // the client closed, or broke the protocol
			}
			if err := conn.Send(f); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(echo)
	defer srv.Close()

	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	conn.Send(ws.Text("Hello, server!"))
	f, _ := conn.Recv()
	fmt.Println(f.Text())
	conn.Close()
	// Output: Hello, server!
}

// room is a chat server: every member's Conn delivers its events into
// one channel, and one goroutine, which alone knows the members,
// broadcasts what arrives. A member too slow to take a message within a
// second is dropped rather than holding the room up.
type room struct {
	events chan ws.Event
	join   chan *ws.Conn
	quit   chan struct{}
	done   chan struct{}
}

func newRoom() *room {
	rm := &room{events: make(chan ws.Event), join: make(chan *ws.Conn), quit: make(chan struct{}), done: make(chan struct{})}
	go rm.run()
	return rm
}

func (rm *room) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := ws.Accept(w, r, ws.DeliverTo(rm.events), ws.SendTimeout(time.Second))
	if err != nil {
		return
	}
	select {
	case rm.join <- conn:
	case <-rm.quit:
		conn.Close()
	}
}

func (rm *room) run() {
	defer close(rm.done)
	members := map[*ws.Conn]bool{}
	for {
		select {
		case c := <-rm.join:
			members[c] = true
			c.Send(ws.Text("welcome"))
			c.SetActive(ws.Active) // from now on its messages come to rm.events
		case ev := <-rm.events:
			if ev.Err != nil { // the member left, or broke the protocol
				delete(members, ev.Conn)
				ev.Conn.Close()
				continue
			}
			for m := range members {
				if m.Send(ev.Frame) != nil {
					delete(members, m)
					go m.Close()
				}
			}
		case <-rm.quit:
			for m := range members {
				m.CloseWith(ws.CloseGoingAway, "server shutting down")
			}
			return
		}
	}
}

// The guide's chat room, served: a hub of server Conns delivering into
// one channel (DeliverTo), each Event naming its Conn.
func Example_chatServer() {
	rm := newRoom()
	srv := httptest.NewServer(rm)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	join := func(name string) *ws.Conn {
		conn, err := ws.Connect(context.Background(), url)
		if err != nil {
			panic(err)
		}
		f, _ := conn.Recv() // the welcome: a member from now on
		fmt.Println(name, "got", f.Text())
		return conn
	}
	alice, bob := join("alice"), join("bob")
	alice.Send(ws.Text("alice: hi all"))
	for _, c := range []*ws.Conn{alice, bob} {
		f, _ := c.Recv()
		fmt.Println(f.Text())
	}
	bob.Close()
	go alice.Recv() // reads the room's close frame when it comes
	close(rm.quit)
	<-rm.done
	alice.Close()
	// Output:
	// alice got welcome
	// bob got welcome
	// alice: hi all
	// alice: hi all
}
