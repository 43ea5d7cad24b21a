package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
)

// Constants of the demo's server and steps.
const (
	demoToken    = "demo-token"
	demoProtocol = "demo.v1"
	demoWait     = 5 * time.Second // bounds every wait of a step
	demoShort    = 100 * time.Millisecond
)

// demo walks through hackney's WebSocket guide (its quick start, options,
// modes, closing, chat example and error handling) against the embedded
// server, timing each step.
type demo struct {
	w   io.Writer
	st  style
	srv *embedded.Server
	url string // the server's base URL, ending in "/"

	logMu  sync.Mutex
	log    []string      // the server's log lines
	logged chan struct{} // signaled after each line

	conn       *ws.Conn // the connection the steps share
	alice, bob *ws.Conn // the chat clients
	silent     net.Listener
}

// demoStep is one step: its title, the Go it runs, and the run itself,
// which returns what it saw or why it misbehaved.
type demoStep struct {
	title string
	code  string
	run   func() ([]string, error)
}

// demoSection groups steps under a part of the guide.
type demoSection struct {
	title string
	steps []demoStep
}

func runDemo(args []string) int {
	pos, code, done := parseCommand("demo", newFlagSet("demo"), args)
	if done {
		return code
	}
	if len(pos) > 0 {
		return usageError("demo takes no arguments")
	}
	// The embedded server is on loopback, which a proxy named by the
	// environment could not reach.
	os.Setenv("no_proxy", "127.0.0.0/8,"+os.Getenv("no_proxy")+","+os.Getenv("NO_PROXY"))
	d := &demo{w: os.Stdout, st: newStyle(os.Stdout)}
	if err := d.start(); err != nil {
		newStyle(os.Stderr).errorf(os.Stderr, "demo: cannot start the server: %v", err)
		return exitAbnormal
	}
	defer d.stop()
	return d.run()
}

// start runs the embedded server on a free loopback port: echo at /, a
// chat room at /chat, and at /private an echo that needs a bearer token
// and speaks a subprotocol. A listener that never answers serves the
// timeout step.
func (d *demo) start() error {
	d.logged = make(chan struct{}, 1)
	d.srv = &embedded.Server{
		Options: []ws.Option{ws.Protocols(demoProtocol)},
		Logf: func(format string, args ...any) {
			d.logMu.Lock()
			d.log = append(d.log, fmt.Sprintf(format, args...))
			d.logMu.Unlock()
			select {
			case d.logged <- struct{}{}:
			default:
			}
		},
	}
	mux := http.NewServeMux()
	mux.Handle("/", d.srv.Echo())
	mux.Handle("/chat", d.srv.Chat())
	mux.Handle("/private", d.srv.RequireToken(demoToken, d.srv.Echo()))
	addr, err := d.srv.Listen("127.0.0.1:0", mux)
	if err != nil {
		return err
	}
	d.url = "ws://" + addr.String() + "/"
	d.silent, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go holdConnections(d.silent)
	return nil
}

// holdConnections accepts connections and never answers them, until the
// listener is closed.
func holdConnections(ln net.Listener) {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

// stop ends whatever a failed step left open.
func (d *demo) stop() {
	for _, c := range []*ws.Conn{d.conn, d.alice, d.bob} {
		if c != nil {
			c.Close()
		}
	}
	d.srv.Shutdown()
	d.silent.Close()
}

func (d *demo) run() int {
	fmt.Fprintf(d.w, "%s\n", d.st.paint(sgrBold, "ws demo: hackney's WebSocket guide, step by step, with this library"))
	fmt.Fprintf(d.w, "embedded server on %s: / echoes, /chat is a chat room, /private wants \"Authorization: Bearer %s\"\n", d.url, demoToken)
	start := time.Now()
	n := 0
	for _, sec := range d.sections() {
		fmt.Fprintf(d.w, "\n%s\n", d.st.paint(sgrBold, sec.title))
		for _, s := range sec.steps {
			n++
			t0 := time.Now()
			lines, err := s.run()
			took := time.Since(t0)
			status := d.st.paint(sgrGreen, "ok  ")
			if err != nil {
				status = d.st.paint(sgrRed, "FAIL")
			}
			fmt.Fprintf(d.w, "  %s %9s  %-27s %s\n", status, formatDuration(took), s.title, d.st.paint(sgrDim, s.code))
			for _, l := range lines {
				fmt.Fprintf(d.w, "  %16s%s\n", "", l)
			}
			if err != nil {
				fmt.Fprintf(d.w, "  %16s%s\n", "", d.st.paint(sgrRed, err.Error()))
				fmt.Fprintf(d.w, "\n%s\n", d.st.paint(sgrRed, fmt.Sprintf("step %d (%s) misbehaved", n, s.title)))
				return exitAbnormal
			}
		}
	}
	fmt.Fprintf(d.w, "\n%s\n", d.st.paint(sgrGreen, fmt.Sprintf("all %d steps behaved, in %s", n, formatDuration(time.Since(start)))))
	return exitOK
}

// formatDuration shows a step's time with three significant digits.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func (d *demo) sections() []demoSection {
	private := d.url + "private"
	chat := d.url + "chat"
	return []demoSection{
		{"Quick start", []demoStep{
			{"connect", fmt.Sprintf("conn, err := ws.Connect(ctx, %q)", d.url), d.connect},
			{"send text", `conn.Send(ws.Text("Hello!"))`, d.sendHello},
			{"receive it back", `frame, err := conn.Recv()`, d.recvHello},
			{"close", `conn.Close()`, d.closeQuick},
		}},
		{"Connecting with options", []demoStep{
			{"connect with options", fmt.Sprintf(`ws.Connect(ctx, %q, ws.ConnectTimeout(5*time.Second), ws.RecvTimeout(30*time.Second), ws.Header("Authorization", "Bearer %s"), ws.Protocols(%q))`, private, demoToken, demoProtocol), d.connectOptions},
		}},
		{"Sending and receiving (passive mode)", []demoStep{
			{"send binary", `conn.Send(ws.Binary([]byte{1, 2, 3})); conn.Recv()`, d.binary},
			{"ping, and its round trip", `rtt, err := conn.Ping(ctx)`, d.ping},
			{"receive with a timeout", `conn.RecvTimeout(100 * time.Millisecond)`, d.recvTimeout},
		}},
		{"Active mode", []demoStep{
			{"active", `conn.SetActive(ws.Active); <-conn.Events() ×3`, d.active},
			{"active once", `conn.SetActive(ws.ActiveOnce); <-conn.Events()`, d.activeOnce},
		}},
		{"Closing", []demoStep{
			{"close with code and reason", `conn.CloseWith(1000, "Goodbye")`, d.closeGoodbye},
		}},
		{"Example: chat client", []demoStep{
			{"two clients join", fmt.Sprintf("ws.Connect(ctx, %q, ws.ActiveMode(ws.Active)) ×2", chat), d.chatJoin},
			{"one speaks, all hear", `alice.Send(ws.Text("hi, I'm alice")); ev := <-conn.Events()`, d.chatSpeak},
		}},
		{"Error handling", []demoStep{
			{"refused upgrade (401)", fmt.Sprintf("ws.Connect(ctx, %q)", private), d.refused},
			{"connect timeout", `ws.Connect(ctx, url, ws.ConnectTimeout(100*time.Millisecond))`, d.connectTimeout},
			{"server goes away", `server stops; ev := <-conn.Events(): ev.Err`, d.goingAway},
		}},
	}
}

func demoCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), demoWait)
}

func (d *demo) connect() ([]string, error) {
	ctx, cancel := demoCtx()
	defer cancel()
	c, err := ws.Connect(ctx, d.url)
	if err != nil {
		return nil, err
	}
	d.conn = c
	return []string{fmt.Sprintf("connected from %s to %s", c.LocalAddr(), c.RemoteAddr())}, nil
}

func (d *demo) sendHello() ([]string, error) {
	return []string{"sent 6 bytes of text"}, d.conn.Send(ws.Text("Hello!"))
}

// expect receives one frame in passive mode and checks it.
func (d *demo) expect(c *ws.Conn, want ws.Frame) (string, error) {
	f, err := c.RecvTimeout(demoWait)
	if err != nil {
		return "", fmt.Errorf("conn.Recv: %w", err)
	}
	if f.Kind != want.Kind || !bytes.Equal(f.Payload, want.Payload) {
		return "", fmt.Errorf("got %v, want %v", f, want)
	}
	return "got " + showFrame(f), nil
}

// showFrame describes a frame received: text quoted, other payloads in
// hex or quoted.
func showFrame(f ws.Frame) string {
	if f.Kind == ws.BinaryFrame {
		return fmt.Sprintf("binary % x", f.Payload)
	}
	return fmt.Sprintf("%v %q", f.Kind, f.Payload)
}

func (d *demo) recvHello() ([]string, error) {
	got, err := d.expect(d.conn, ws.Text("Hello!"))
	return []string{got}, err
}

func (d *demo) closeQuick() ([]string, error) {
	err := d.conn.Close()
	d.conn = nil
	return []string{"closing handshake done: sent 1000, the server answered"}, err
}

func (d *demo) connectOptions() ([]string, error) {
	ctx, cancel := demoCtx()
	defer cancel()
	c, err := ws.Connect(ctx, d.url+"private",
		ws.ConnectTimeout(5*time.Second),
		ws.RecvTimeout(30*time.Second),
		ws.Header("Authorization", "Bearer "+demoToken),
		ws.Protocols(demoProtocol))
	if err != nil {
		return nil, err
	}
	d.conn = c
	if c.Subprotocol() != demoProtocol {
		return nil, fmt.Errorf("subprotocol %q, want %q", c.Subprotocol(), demoProtocol)
	}
	return []string{fmt.Sprintf("the token was accepted; conn.Subprotocol() = %q", c.Subprotocol())}, nil
}

func (d *demo) binary() ([]string, error) {
	if err := d.conn.Send(ws.Binary([]byte{1, 2, 3})); err != nil {
		return nil, err
	}
	got, err := d.expect(d.conn, ws.Binary([]byte{1, 2, 3}))
	return []string{got}, err
}

func (d *demo) ping() ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), demoWait)
	defer cancel()
	rtt, err := d.conn.Ping(ctx)
	if err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("the server's pong came back after %v (hackney hands it to ws_recv: ws.ReportControl(true) does that)", rtt.Round(time.Microsecond))}, nil
}

func (d *demo) recvTimeout() ([]string, error) {
	_, err := d.conn.RecvTimeout(demoShort)
	if !errors.Is(err, ws.ErrTimeout) {
		return nil, fmt.Errorf("RecvTimeout with nothing to receive returned %v, want ws.ErrTimeout", err)
	}
	lines := []string{"nothing came: errors.Is(err, ws.ErrTimeout) after 100ms"}
	if err := d.conn.Send(ws.Text("still there?")); err != nil {
		return lines, err
	}
	got, err := d.expect(d.conn, ws.Text("still there?"))
	return append(lines, "the connection is still usable: "+got), err
}

// nextEvent takes the next event of c, bounded by demoWait.
func nextEvent(c *ws.Conn) (ws.Event, error) {
	select {
	case ev, ok := <-c.Events():
		if !ok {
			return ev, errors.New("the Events channel was closed")
		}
		return ev, nil
	case <-time.After(demoWait):
		return ws.Event{}, fmt.Errorf("no event within %v", demoWait)
	}
}

// expectEvent takes the next event of c and checks it.
func expectEvent(c *ws.Conn, want ws.Frame) (string, error) {
	ev, err := nextEvent(c)
	switch {
	case err != nil:
		return "", err
	case ev.Err != nil:
		return "", fmt.Errorf("event with error %v, want %v", ev.Err, want)
	case ev.Frame.Kind != want.Kind || !bytes.Equal(ev.Frame.Payload, want.Payload):
		return "", fmt.Errorf("event %v, want %v", ev.Frame, want)
	}
	return showFrame(ev.Frame), nil
}

func (d *demo) active() ([]string, error) {
	if err := d.conn.SetActive(ws.Active); err != nil {
		return nil, err
	}
	words := []string{"one", "two", "three"}
	for _, w := range words {
		if err := d.conn.Send(ws.Text(w)); err != nil {
			return nil, err
		}
	}
	var got []string
	for _, w := range words {
		s, err := expectEvent(d.conn, ws.Text(w))
		if err != nil {
			return nil, err
		}
		got = append(got, s)
	}
	return []string{"events: " + strings.Join(got, ", ")}, nil
}

func (d *demo) activeOnce() ([]string, error) {
	if err := d.conn.SetActive(ws.ActiveOnce); err != nil {
		return nil, err
	}
	for _, w := range []string{"four", "five", "six"} {
		if err := d.conn.Send(ws.Text(w)); err != nil {
			return nil, err
		}
	}
	first, err := expectEvent(d.conn, ws.Text("four"))
	if err != nil {
		return nil, err
	}
	lines := []string{"one event: " + first + "; the Conn is passive again"}
	if err := d.conn.SetActive(ws.ActiveOnce); err != nil {
		return lines, err
	}
	second, err := expectEvent(d.conn, ws.Text("five"))
	if err != nil {
		return lines, err
	}
	lines = append(lines, "conn.SetActive(ws.ActiveOnce) again: "+second)
	third, err := d.expect(d.conn, ws.Text("six"))
	if err != nil {
		return lines, fmt.Errorf("after the granted event the Conn should be passive: %w", err)
	}
	return append(lines, "then passive, conn.Recv(): "+third), nil
}

func (d *demo) closeGoodbye() ([]string, error) {
	if err := d.conn.CloseWith(ws.CloseNormal, "Goodbye"); err != nil {
		return nil, err
	}
	c := d.conn
	d.conn = nil
	// The server's Conn answers the close frame, then the server logs it.
	if err := d.waitServerLog(`"Goodbye"`, 1); err != nil {
		return nil, err
	}
	lines := []string{"the server saw: " + d.serverSaw(`"Goodbye"`)}
	if err := c.Send(ws.Text("late")); !errors.Is(err, ws.ErrClosed) {
		return lines, fmt.Errorf("conn.Send after close returned %v, want ws.ErrClosed", err)
	}
	return append(lines, "a later Send returns ws.ErrClosed"), nil
}

// waitServerLog waits until n lines of the server's log contain s.
func (d *demo) waitServerLog(s string, n int) error {
	timeout := time.After(demoWait)
	for {
		d.logMu.Lock()
		found := 0
		for _, l := range d.log {
			if strings.Contains(l, s) {
				found++
			}
		}
		d.logMu.Unlock()
		if found >= n {
			return nil
		}
		select {
		case <-d.logged:
		case <-timeout:
			return fmt.Errorf("the server logged %d lines with %q, want %d", found, s, n)
		}
	}
}

// serverSaw returns the latest server log line containing s.
func (d *demo) serverSaw(s string) string {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	for i := len(d.log) - 1; i >= 0; i-- {
		if strings.Contains(d.log[i], s) {
			_, line, _ := strings.Cut(d.log[i], " ") // the connection's number
			return line
		}
	}
	return ""
}

func (d *demo) chatJoin() ([]string, error) {
	ctx, cancel := demoCtx()
	defer cancel()
	var err error
	if d.alice, err = ws.Connect(ctx, d.url+"chat", ws.ActiveMode(ws.Active)); err != nil {
		return nil, err
	}
	if d.bob, err = ws.Connect(ctx, d.url+"chat", ws.ActiveMode(ws.Active)); err != nil {
		return nil, err
	}
	// Connect returns once the server has answered; the server puts a
	// client in the room just after, before it logs the connection.
	if err := d.waitServerLog("connected to chat", 2); err != nil {
		return nil, err
	}
	return []string{"alice and bob are in the room, in active mode"}, nil
}

func (d *demo) chatSpeak() ([]string, error) {
	msg := ws.Text("hi, I'm alice")
	if err := d.alice.Send(msg); err != nil {
		return nil, err
	}
	var lines []string
	for _, m := range []struct {
		name string
		conn *ws.Conn
	}{{"alice", d.alice}, {"bob", d.bob}} {
		got, err := expectEvent(m.conn, msg)
		if err != nil {
			return lines, fmt.Errorf("%s: %w", m.name, err)
		}
		lines = append(lines, fmt.Sprintf("%s's loop got %s", m.name, got))
	}
	return lines, nil
}

func (d *demo) refused() ([]string, error) {
	ctx, cancel := demoCtx()
	defer cancel()
	c, err := ws.Connect(ctx, d.url+"private")
	if err == nil {
		c.Close()
		return nil, errors.New("the upgrade without a token was accepted")
	}
	var refused *ws.HTTPError
	if !errors.As(err, &refused) || refused.StatusCode != http.StatusUnauthorized {
		return nil, fmt.Errorf("got %v, want a *ws.HTTPError with 401", err)
	}
	lines := []string{fmt.Sprintf("err is a *ws.HTTPError: StatusCode %d, Status %q, %s of body; ws prints, and exits with 2:", refused.StatusCode, refused.Status, plural(len(refused.Body), "byte"))}
	_, detail := connectFailure(d.url+"private", err, 0)
	for _, l := range detail {
		lines = append(lines, "  "+l)
	}
	return lines, nil
}

func (d *demo) connectTimeout() ([]string, error) {
	ctx, cancel := demoCtx()
	defer cancel()
	url := "ws://" + d.silent.Addr().String() + "/"
	c, err := ws.Connect(ctx, url, ws.ConnectTimeout(demoShort))
	if err == nil {
		c.Close()
		return nil, errors.New("connected to a server that never answers")
	}
	if !errors.Is(err, ws.ErrTimeout) {
		return nil, fmt.Errorf("got %v, want ws.ErrTimeout", err)
	}
	return []string{fmt.Sprintf("%s: a server that accepts and never answers; errors.Is(err, ws.ErrTimeout)", url)}, nil
}

func (d *demo) goingAway() ([]string, error) {
	if _, err := d.srv.Shutdown(); err != nil {
		return nil, err
	}
	var lines []string
	for _, m := range []struct {
		name string
		conn *ws.Conn
	}{{"alice", d.alice}, {"bob", d.bob}} {
		ev, err := nextEvent(m.conn)
		if err != nil {
			return lines, fmt.Errorf("%s: %w", m.name, err)
		}
		var ce *ws.CloseError
		if !errors.As(ev.Err, &ce) || ce.Code != ws.CloseGoingAway {
			return lines, fmt.Errorf("%s: got event %+v, want a *ws.CloseError with 1001", m.name, ev)
		}
		lines = append(lines, fmt.Sprintf("%s's loop got the closed event: %v %q", m.name, ce.Code, ce.Reason))
	}
	d.alice, d.bob = nil, nil
	return lines, nil
}
