package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	ws "github.com/hackney-go/ws"
)

// connectConfig holds the flags of the client.
type connectConfig struct {
	headers        stringList
	protocols      stringList
	sends          []sendItem
	connectTimeout time.Duration
	recvTimeout    time.Duration
	closeTimeout   time.Duration
	wait           time.Duration
	waitForever    bool
	count          int
	binary         bool
	null           bool
	json           bool
	showControl    bool
	verbose        bool
	cacert         string
	cert           string
	key            string
	insecure       bool
	maxMessage     int64
	maxFrame       int64 // -1: as maxMessage
	headerFiles    stringList
	origin         string
	user           string
	compress       bool
	http2          bool
	until          *regexp.Regexp
	noHistory      bool
	route          routeFlags
	pingInterval   time.Duration
	pingTimeout    time.Duration
	reconnect      bool
	reconnectDelay time.Duration // the first delay's bound; 0: the library's
}

func (c *connectConfig) flagSet() *flag.FlagSet {
	*c = connectConfig{
		connectTimeout: 8 * time.Second,
		closeTimeout:   ws.DefaultCloseTimeout,
		wait:           time.Second,
		maxMessage:     ws.DefaultMaxMessageSize,
		maxFrame:       -1,
	}
	fs := newFlagSet("connect")
	fs.Var(&c.headers, "H", "")
	fs.Var(&c.headers, "header", "")
	fs.Var(&c.protocols, "protocol", "")
	fs.Var(sendList{items: &c.sends}, "x", "")
	fs.Var(sendList{items: &c.sends}, "send", "")
	fs.Var(sendList{items: &c.sends, file: true}, "file", "")
	fs.IntVar(&c.count, "count", 0, "")
	fs.Var(durationValue{d: &c.wait, forever: &c.waitForever}, "wait", "")
	fs.BoolVar(&c.binary, "binary", false, "")
	fs.BoolVar(&c.null, "null", false, "")
	fs.BoolVar(&c.json, "json", false, "")
	fs.BoolVar(&c.showControl, "show-control", false, "")
	fs.BoolVar(&c.verbose, "v", false, "")
	fs.BoolVar(&c.verbose, "verbose", false, "")
	fs.Var(durationValue{d: &c.connectTimeout}, "connect-timeout", "")
	fs.Var(durationValue{d: &c.recvTimeout}, "recv-timeout", "")
	fs.Var(durationValue{d: &c.closeTimeout}, "close-timeout", "")
	fs.StringVar(&c.cacert, "cacert", "", "")
	fs.StringVar(&c.cert, "cert", "", "")
	fs.StringVar(&c.key, "key", "", "")
	fs.BoolVar(&c.insecure, "insecure", false, "")
	fs.Var(sizeValue{&c.maxMessage}, "max-message", "")
	fs.Var(sizeValue{&c.maxFrame}, "max-frame", "")
	fs.Var(&c.headerFiles, "header-file", "")
	fs.StringVar(&c.origin, "origin", "", "")
	fs.StringVar(&c.user, "user", "", "")
	fs.BoolVar(&c.compress, "compress", false, "")
	fs.BoolVar(&c.http2, "http2", false, "")
	fs.Var(regexpValue{&c.until}, "until", "")
	fs.BoolVar(&c.noHistory, "no-history", false, "")
	c.route.register(fs)
	fs.Var(durationValue{d: &c.pingInterval}, "ping-interval", "")
	fs.Var(durationValue{d: &c.pingTimeout}, "ping-timeout", "")
	fs.BoolVar(&c.reconnect, "reconnect", false, "")
	fs.Var(durationValue{d: &c.reconnectDelay}, "reconnect-delay", "")
	return fs
}

// options turns the flags into the library's connect options.
func (c *connectConfig) options(reportControl bool) ([]ws.Option, error) {
	maxFrame := c.maxFrame
	if maxFrame < 0 {
		maxFrame = c.maxMessage
	}
	opts := []ws.Option{
		ws.ConnectTimeout(c.connectTimeout),
		ws.RecvTimeout(c.recvTimeout),
		ws.CloseTimeout(c.closeTimeout),
		ws.MaxMessageSize(c.maxMessage),
		ws.MaxFrameSize(maxFrame),
		ws.ReportControl(reportControl),
	}
	switch {
	case c.pingInterval > 0:
		opts = append(opts, ws.PingInterval(c.pingInterval), ws.PingTimeout(c.pingTimeout))
	case c.pingTimeout > 0:
		return nil, fmt.Errorf("--ping-timeout needs --ping-interval: the keepalive is off without it")
	}
	headers, err := c.allHeaders()
	if err != nil {
		return nil, err
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("-H %q: give a header as 'Name: value'", h)
		}
		canon := http.CanonicalHeaderKey(name)
		if canon == "Upgrade" || canon == "Connection" || strings.HasPrefix(canon, "Sec-Websocket-") {
			return nil, fmt.Errorf("-H %q: the handshake sets %s itself (offer subprotocols with --protocol)", h, name)
		}
		opts = append(opts, ws.Header(name, strings.TrimSpace(value)))
	}
	for _, p := range c.protocols {
		if p == "" || strings.ContainsAny(p, ", \t\r\n") {
			return nil, fmt.Errorf("--protocol %q: a subprotocol is one token, without spaces or commas", p)
		}
	}
	if len(c.protocols) > 0 {
		opts = append(opts, ws.Protocols(c.protocols...))
	}
	if c.compress {
		opts = append(opts, ws.Compression(ws.Deflate{}))
	}
	if c.http2 {
		opts = append(opts, ws.HTTP2(ws.HTTP2Prefer))
	}
	conf, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	if conf != nil {
		opts = append(opts, ws.TLSConfig(conf))
	}
	return opts, nil
}

// runConnect is "ws URL" and "ws connect URL".
func runConnect(args []string) int {
	var c connectConfig
	fs := c.flagSet()
	pos, code, done := parseCommand("connect", fs, args)
	if done {
		return code
	}
	switch {
	case len(pos) == 0:
		return usageError("no URL: ws [flags] ws://host[:port]/path")
	case len(pos) > 1:
		return usageError("one URL only, not %q", pos)
	case c.count < 0:
		return usageError("--count %d: give a number of messages, 0 for no limit", c.count)
	}
	url := pos[0]
	if c.until != nil && !flagGiven(fs, "wait") {
		// --until waits for its message, bounded by --recv-timeout.
		c.waitForever = true
	}
	for _, it := range c.sends {
		if it.file == "" {
			continue
		}
		if _, err := os.Stat(it.file); err != nil {
			return usageError("--file: %v", err)
		}
	}
	oneShot := len(c.sends) > 0
	interactive := !oneShot && isTerminal(os.Stdin) && isTerminal(os.Stdout)
	opts, err := c.options(interactive || c.showControl)
	if err != nil {
		return usageError("%v", err)
	}
	routeOpts, route, err := c.route.options(url)
	if err != nil {
		return usageError("%v", err)
	}
	opts = append(opts, routeOpts...)

	errStyle := newStyle(os.Stderr)
	interrupts := notifyInterrupts()

	ctx := context.Background()
	var trace *verboseTrace
	if c.verbose {
		if route != "" {
			errStyle.notef(os.Stderr, "connecting to %s %s", url, route)
		}
		trace = newVerboseTrace(os.Stderr, errStyle, url)
		ctx = httptrace.WithClientTrace(ctx, trace.clientTrace())
	}
	if c.reconnect {
		if interactive {
			return usageError("--reconnect is for scripts: give the messages with -x or --file, or pipe them in")
		}
		return c.runReconnect(ctx, url, opts, errStyle, interrupts)
	}
	conn, err := connect(ctx, url, opts, interrupts)
	if errors.Is(err, context.Canceled) {
		errStyle.errorf(os.Stderr, "interrupted while connecting to %s", url)
		return exitInterrupted
	}
	if err != nil {
		code, lines := connectFailure(url, err, c.connectTimeout)
		printLines(os.Stderr, errStyle, lines)
		return code
	}
	if trace != nil {
		trace.connected(conn, c.compress, c.http2)
	}
	var t *terminal
	if interactive {
		if t, err = openTerminal(interrupts, c.noHistory); err != nil {
			conn.Close()
			errStyle.errorf(os.Stderr, "terminal: %v", err)
			return exitAbnormal
		}
	}
	s := c.newSession(conn, errStyle, interrupts, t)
	s.out.opened(openInfo{url: url, subprotocol: conn.Subprotocol(), header: conn.ResponseHeader()})
	in := c.newInput(t)
	restore := func() {}
	if t != nil {
		restore = t.restore
	}
	o := s.run(in)
	restore()
	return c.report(o, s, errStyle, interactive)
}

// report prints how the last session ended and returns the exit code.
func (c *connectConfig) report(o outcome, s *session, st style, interactive bool) int {
	if c.until != nil && !s.matched.Load() && o.code == exitOK {
		o = outcome{code: exitAbnormal, msg: "no message matched --until " + c.until.String() + ": " + o.msg}
	}
	switch {
	case o.msg == "":
	case o.code != exitOK:
		st.errorf(os.Stderr, "%s", o.msg)
	case interactive || c.verbose:
		st.notef(os.Stderr, "%s", o.msg)
	}
	return o.code
}

// newSession prepares the session of a connection; t is the terminal of
// the interactive mode, nil otherwise.
func (c *connectConfig) newSession(conn *ws.Conn, st style, interrupts <-chan struct{}, t *terminal) *session {
	s := &session{
		conn:        conn,
		st:          st,
		note:        os.Stderr,
		count:       c.count,
		recvTimeout: c.recvTimeout,
		wait:        c.wait,
		waitForever: c.waitForever,
		interrupts:  interrupts,
		until:       c.until,
		received:    new(atomic.Int64),
	}
	if isTerminal(os.Stderr) {
		s.progress = &statusLine{w: os.Stderr}
	}
	if t != nil {
		s.note = t.editor
		s.closeAtEnd = true
	}
	s.out = newPrinter(c, t != nil, s.note, s.progress)
	return s
}

// newInput returns what the sessions send: the -x and --file messages,
// the prompt's lines (t, in interactive mode), or stdin's lines.
func (c *connectConfig) newInput(t *terminal) input {
	switch {
	case len(c.sends) > 0:
		return argsInput{items: c.sends, binary: c.binary}
	case t != nil:
		return interactiveInput{t: t, st: newStyle(os.Stdout)}
	}
	sep := byte('\n')
	if c.null {
		sep = 0
	}
	return lineInput{lines: readLines(os.Stdin, sep), sep: sep, binary: c.binary}
}

// newPrinter picks the output of the flags and mode; w is the line
// editor in interactive mode, status the progress line on stderr, if any.
func newPrinter(c *connectConfig, interactive bool, w io.Writer, status *statusLine) printer {
	out := w
	if !interactive {
		out = os.Stdout
	}
	switch {
	case c.json:
		return newJSONPrinter(out, c.showControl)
	case interactive:
		return &termPrinter{w: out, st: newStyle(os.Stdout), showPing: c.showControl, status: status}
	}
	sep := byte('\n')
	if c.null {
		sep = 0
	}
	p := &plainPrinter{w: out, sep: sep, terminal: isTerminal(os.Stdout)}
	if p.terminal {
		p.status = status
	}
	return p
}

// notifyInterrupts returns a channel that gets SIGINT and SIGTERM, and
// to which raw mode's Ctrl-C key is added later. It holds a few, so that
// two quick Ctrl-Cs are both seen.
func notifyInterrupts() chan struct{} {
	interrupts := make(chan struct{}, 4)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for range sigs {
			select {
			case interrupts <- struct{}{}:
			default:
			}
		}
	}()
	return interrupts
}

// connect runs ws.Connect, which a Ctrl-C cancels.
func connect(ctx context.Context, url string, opts []ws.Option, interrupts <-chan struct{}) (*ws.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		conn *ws.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := ws.Connect(ctx, url, opts...)
		done <- result{conn, err}
	}()
	select {
	case r := <-done:
		return r.conn, r.err
	case <-interrupts:
		cancel()
		if r := <-done; r.conn != nil {
			r.conn.Close()
		}
		return nil, context.Canceled
	}
}
