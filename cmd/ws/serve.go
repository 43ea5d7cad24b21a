package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
)

// serveConfig holds the flags of ws serve.
type serveConfig struct {
	addr       string
	chat       bool
	exec       string
	static     string
	token      string
	protocols  stringList
	origins    stringList
	maxMessage int64
	compress   bool
}

func (c *serveConfig) flagSet() *flag.FlagSet {
	*c = serveConfig{maxMessage: ws.DefaultMaxMessageSize}
	fs := newFlagSet("serve")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "")
	fs.BoolVar(&c.chat, "chat", false, "")
	fs.StringVar(&c.exec, "exec", "", "")
	fs.StringVar(&c.static, "static", "", "")
	fs.StringVar(&c.token, "token", "", "")
	fs.Var(&c.protocols, "protocol", "")
	fs.Var(&c.origins, "allow-origin", "")
	fs.Var(sizeValue{&c.maxMessage}, "max-message", "")
	fs.BoolVar(&c.compress, "compress", false, "")
	return fs
}

// options are the Accept options the flags ask for.
func (c *serveConfig) options() []ws.Option {
	// A message of any size up to the limit may come in one frame.
	opts := []ws.Option{ws.MaxMessageSize(c.maxMessage), ws.MaxFrameSize(c.maxMessage)}
	if len(c.protocols) > 0 {
		opts = append(opts, ws.Protocols(c.protocols...))
	}
	if len(c.origins) > 0 {
		opts = append(opts, ws.OriginPatterns(c.origins...))
	}
	if c.compress {
		opts = append(opts, ws.Compression(ws.Deflate{}))
	}
	return opts
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
		return usageError("serve takes no arguments, not %q (the address is --addr; a command is one argument of --exec)", pos)
	}
	if c.chat && c.exec != "" {
		return usageError("--chat and --exec are two services: choose one")
	}
	if c.static != "" {
		if fi, err := os.Stat(c.static); err != nil || !fi.IsDir() {
			return usageError("--static %s: not a directory", c.static)
		}
	}

	logger := log.New(os.Stderr, "", log.Ltime|log.Lmicroseconds)
	srv := &embedded.Server{Options: c.options(), Logf: logger.Printf}
	var h http.Handler
	kind := "echo"
	switch {
	case c.chat:
		kind = "chat"
		h = srv.Chat()
	case c.exec != "":
		kind = fmt.Sprintf("exec (%s)", c.exec)
		h = srv.Exec(c.exec, c.maxMessage)
	default:
		h = srv.Echo()
	}
	if c.token != "" {
		h = srv.RequireToken(c.token, h)
	}
	if c.static != "" {
		h = embedded.Static(c.static, h)
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
	if c.static != "" && a.Network() != "unix" {
		logger.Printf("serving the files of %s on http://%s/", c.static, a)
	}
	<-sigs
	logger.Printf("stopping: closing every connection with 1001 (going away)")
	type result struct {
		n   int
		err error
	}
	stopped := make(chan result, 1)
	go func() {
		n, err := srv.Shutdown()
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
		srv.KillProcesses() // in process groups of their own, Ctrl-C did not reach them
		fmt.Fprintln(os.Stderr, "interrupted again: stopped at once")
		return exitInterrupted
	}
}
