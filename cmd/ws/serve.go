package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
	"github.com/hackney-go/ws/internal/server"
)

// stopTimeout bounds how long ws serve waits, when stopping, for the
// clients to answer its close frames.
const stopTimeout = 3 * time.Second

// runServe is "ws serve": the embedded server, for trying clients.
func runServe(args []string) int {
	fs := newFlagSet("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "")
	chat := fs.Bool("chat", false, "")
	token := fs.String("token", "", "")
	var protocols stringList
	fs.Var(&protocols, "protocol", "")
	maxMessage := int64(ws.DefaultMaxMessageSize)
	fs.Var(sizeValue{&maxMessage}, "max-message", "")
	pos, code, done := parseCommand("serve", fs, args)
	if done {
		return code
	}
	if len(pos) > 0 {
		return usageError("serve takes no arguments, not %q (the address is --addr)", pos)
	}

	logger := log.New(os.Stderr, "", log.Ltime|log.Lmicroseconds)
	srv := &embedded.Server{
		Options: server.Options{Protocols: protocols, MaxMessage: maxMessage},
		Logf:    logger.Printf,
	}
	var h http.Handler
	kind := "echo"
	if *chat {
		kind = "chat"
		h = srv.Chat()
	} else {
		h = srv.Echo()
	}
	if *token != "" {
		h = srv.RequireToken(*token, h)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	a, err := srv.Listen(*addr, h)
	if err != nil {
		newStyle(os.Stderr).errorf(os.Stderr, "cannot listen on %s: %v", *addr, err)
		return exitConnect
	}
	logger.Printf("%s server listening on ws://%s/ (Ctrl-C stops it)", kind, a)
	<-sigs
	logger.Printf("stopping: closing every connection with 1001 (going away)")
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	type result struct {
		n   int
		err error
	}
	stopped := make(chan result, 1)
	go func() {
		n, err := srv.Shutdown(ctx)
		stopped <- result{n, err}
	}()
	select {
	case r := <-stopped:
		if r.err != nil {
			logger.Printf("stopped: %v", r.err)
		} else {
			logger.Printf("stopped: %s closed", plural(r.n, "connection"))
		}
		return exitOK
	case <-sigs:
		fmt.Fprintln(os.Stderr, "interrupted again: stopped at once")
		return exitInterrupted
	}
}
