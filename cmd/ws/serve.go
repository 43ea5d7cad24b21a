package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
	"github.com/hackney-go/ws/internal/server"
)

// stopTimeout bounds how long ws serve waits, when stopping, for the
// clients to answer its close frames.
const stopTimeout = 3 * time.Second

// serveConfig holds the flags of ws serve.
type serveConfig struct {
	addr       string
	chat       bool
	token      string
	protocols  stringList
	maxMessage int64
	compress   bool
}

func (c *serveConfig) flagSet() *flag.FlagSet {
	*c = serveConfig{maxMessage: ws.DefaultMaxMessageSize}
	fs := newFlagSet("serve")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "")
	fs.BoolVar(&c.chat, "chat", false, "")
	fs.StringVar(&c.token, "token", "", "")
	fs.Var(&c.protocols, "protocol", "")
	fs.Var(sizeValue{&c.maxMessage}, "max-message", "")
	fs.BoolVar(&c.compress, "compress", false, "")
	return fs
}

// runServe is "ws serve": the embedded server, for trying clients.
func runServe(args []string) int {
	var c serveConfig
	fs := c.flagSet()
	pos, code, done := parseCommand("serve", fs, args)
	if done {
		return code
	}
	if len(pos) > 0 {
		return usageError("serve takes no arguments, not %q (the address is --addr)", pos)
	}

	logger := log.New(os.Stderr, "", log.Ltime|log.Lmicroseconds)
	srv := &embedded.Server{
		Options: server.Options{Protocols: c.protocols, MaxMessage: c.maxMessage},
		Logf:    logger.Printf,
	}
	if c.compress {
		srv.Options.Deflate = &server.Deflate{}
	}
	var h http.Handler
	kind := "echo"
	if c.chat {
		kind = "chat"
		h = srv.Chat()
	} else {
		h = srv.Echo()
	}
	if c.token != "" {
		h = srv.RequireToken(c.token, h)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	a, err := srv.Listen(c.addr, h)
	if err != nil {
		newStyle(os.Stderr).errorf(os.Stderr, "cannot listen on %s: %v", c.addr, err)
		return exitConnect
	}
	where := "ws://" + a.String() + "/"
	if a.Network() == "unix" {
		path, _ := filepath.Abs(a.String())
		where = "ws+unix://" + path + ":/"
	}
	logger.Printf("%s server listening on %s (Ctrl-C stops it)", kind, where)
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
