package ws

import (
	"crypto/tls"
	"net/http"
	"time"
)

// An Option configures Connect, Accept or Reconnect. Options are applied in order; with none,
// a Conn has the defaults of hackney's option table: connect timeout 8 s,
// no receive timeout, no extra headers, no subprotocol, passive mode, and
// Go's default TLS configuration for wss://.
type Option func(*config)

type config struct {
	// What the Conn keeps once it is open (newConn).
	connConfig
	connectTimeout time.Duration
	header         http.Header
	protocols      []string
	mode           Mode
	tls            *tls.Config
	maxFrame       int64
	pingInterval   time.Duration
	pingTimeout    time.Duration
	backoffFirst   time.Duration
	backoffMax     time.Duration
	retryIf        func(error) bool
	dial           dialConfig
	jar            http.CookieJar
	http2          HTTP2Mode
	// Accept's alone.
	origins        []string
	selectProtocol func(offered []string) string
}

// Defaults of the options without a value in hackney's table.
const (
	DefaultCloseTimeout   = 5 * time.Second
	DefaultMaxMessageSize = 32 << 20
	DefaultMaxFrameSize   = 32 << 20
)

func newConfig(opts []Option) *config {
	c := &config{
		connConfig: connConfig{
			closeTimeout: DefaultCloseTimeout,
			maxMessage:   DefaultMaxMessageSize,
			hideControl:  true,
		},
		connectTimeout: 8 * time.Second,
		maxFrame:       DefaultMaxFrameSize,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// ConnectTimeout bounds the whole of Connect: TCP connect, the way
// through a proxy, TLS handshakes and WebSocket upgrade together
// (hackney's connect_timeout, default 8 s).
// Zero means no bound other than Connect's context.
func ConnectTimeout(d time.Duration) Option { return func(c *config) { c.connectTimeout = d } }

// RecvTimeout sets how long Recv waits for a message (hackney's
// recv_timeout, default: no limit). Zero means no limit.
func RecvTimeout(d time.Duration) Option { return func(c *config) { c.recvTimeout = d } }

// CloseTimeout bounds how long Close waits for the peer's close frame and
// for a blocked write to finish (default 5 s). It also bounds, once the
// connection has ended, the writing of the close frame owed to the peer
// and the wait for the peer to close the TCP connection first; and in an
// active mode, how long the close frame that a breach of the protocol
// calls for waits for the application to take the Event reporting it.
func CloseTimeout(d time.Duration) Option { return func(c *config) { c.closeTimeout = d } }

// Header adds a header to the upgrade request (hackney's headers); it may
// be given many times. Host replaces the Host header taken from the URL.
// The headers of the WebSocket handshake itself (Upgrade, Connection and
// Sec-WebSocket-*) are the Conn's: Connect refuses them here.
func Header(name, value string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(name, value)
	}
}

// Protocols offers subprotocols in Sec-WebSocket-Protocol, most preferred
// first (hackney's protocols). Conn.Subprotocol tells which the server
// chose; Connect fails if it chose one that was not offered.
func Protocols(protocols ...string) Option {
	return func(c *config) { c.protocols = append(c.protocols, protocols...) }
}

// ActiveMode sets the mode the Conn starts in (hackney's active, default
// Passive). Messages that arrive with the server's handshake response are
// delivered in that mode.
func ActiveMode(m Mode) Option { return func(c *config) { c.mode = m } }

// TLSConfig sets the TLS configuration for wss:// (hackney's ssl_options).
// It is used as given (cloned); only an empty ServerName is filled in from
// the URL, and NextProtos, when empty, is set to http/1.1.
func TLSConfig(t *tls.Config) Option { return func(c *config) { c.tls = t } }

// DeliverTo makes the Conn send its events to ch, a channel the caller
// owns, instead of a channel of its own: many connections can deliver
// into one channel, each Event naming its Conn. The Conn never closes ch.
func DeliverTo(ch chan Event) Option { return func(c *config) { c.events = ch } }

// MaxMessageSize bounds a received message's payload, fragments joined
// (default 32 MiB). A larger message is refused before it is buffered,
// with close code 1009. Zero or less means no limit.
func MaxMessageSize(n int64) Option { return func(c *config) { c.maxMessage = n } }

// MaxFrameSize bounds a received frame's payload (default 32 MiB), with
// close code 1009 for a larger one. Zero or less means no limit.
func MaxFrameSize(n int64) Option { return func(c *config) { c.maxFrame = n } }

// ReportControl sets whether pings and pongs received are reported by
// Recv and Events. Pings are answered with a pong either way. The default
// is false, unlike hackney, which hands them to ws_recv: a loop of Recv and
// json.Unmarshal, the most natural Go program, must not meet a server's
// ping, and gorilla, coder, gws, python-websockets and Node's ws never
// hand one to a message read. ReportControl(true) is hackney's behaviour.
func ReportControl(report bool) Option { return func(c *config) { c.hideControl = !report } }

// FragmentSize makes Send split a text or binary message whose payload is
// larger than n bytes into fragments of n bytes (RFC 6455 section 5.4), so
// that a server with a small frame limit still takes it, and pongs and the
// close frame can go between fragments: the close frame that answers the
// peer's ends the message there, as nothing may follow it, and Send
// returns the peer's *CloseError. Text may be split inside a UTF-8
// sequence: the peer validates the message, not each fragment. Zero or
// less (the default) sends every message as one frame.
func FragmentSize(n int) Option { return func(c *config) { c.fragment = n } }
