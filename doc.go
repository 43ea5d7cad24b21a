// Package ws is a WebSocket client (RFC 6455) whose API follows the
// WebSocket client of hackney, the Erlang HTTP client, in Go's idiom.
//
// # From hackney to Go
//
//	hackney:ws_connect(URL)                  ws.Connect(ctx, url)
//	ws_connect(URL, Opts)                    ws.Connect(ctx, url, ws.ConnectTimeout(5*time.Second), ...)
//	  connect_timeout (8000)                   ConnectTimeout (8 s: TCP, TLS and upgrade together)
//	  recv_timeout (infinity)                  RecvTimeout (none)
//	  headers, protocols                       Header, Protocols; Conn.Subprotocol tells the choice
//	  active (false | true | once)             ActiveMode(ws.Passive | ws.Active | ws.ActiveOnce)
//	  ssl_options                              TLSConfig
//	ws_send(Conn, {text, B} | {binary, B})   conn.Send(ws.Text("Hello")), conn.Send(ws.Binary(b))
//	ws_send(Conn, ping | {ping, B})          conn.Send(ws.Ping(nil)), conn.Send(ws.Ping(b))
//	ws_recv(Conn) / ws_recv(Conn, 5000)      conn.Recv() / conn.RecvTimeout(5*time.Second) / conn.RecvContext(ctx)
//	{ok, {text, T}}, {ok, {binary, B}}       a Frame whose Kind is TextFrame or BinaryFrame
//	{ok, ping}, {ok, pong}                   with ReportControl(true): a Frame of PingFrame or PongFrame
//	                                         (by default pings are answered and not reported)
//	{error, {closed, Code, Reason}}          a *CloseError (errors.As)
//	ws_setopts(Conn, [{active, true}])       conn.SetActive(ws.Active)
//	{hackney_ws, Conn, Frame}                an Event{Conn, Frame} on conn.Events()
//	{hackney_ws, Conn, closed}               the last Event, with Err a *CloseError
//	{hackney_ws_error, Conn, Reason}         the last Event, with Err the error
//	ws_close(Conn) / ws_close(Conn, {C, R})  conn.Close() / conn.CloseWith(ws.CloseNormal, "Goodbye")
//	{error, {http_error, 401}}               a *HTTPError with status, headers and the body's start
//	{error, timeout}                         an error matching ErrTimeout, also a net.Error
//
// hackney runs a process per connection that owns the socket. Here, in
// passive mode, Recv reads the socket itself, answering pings and the
// peer's close on the way: a message goes from the socket to the caller
// with no hand-off between goroutines, and an idle Conn holds neither a
// goroutine nor a buffer. In the active modes a goroutine of the Conn's
// reads and delivers to the Events channel; on Linux, for a TCP or Unix
// socket, it returns once the connection has been silent for a second,
// and one epoll poller for the whole process starts it again when bytes
// arrive, so that idle Conns in an active mode hold no goroutine. Nothing
// one Conn does blocks another, and many Conns can deliver into one
// channel with DeliverTo, as many sockets deliver to one Erlang process.
//
// # Options
//
// Connect takes functional options rather than a struct: each option of
// hackney's table is one function, the defaults hold without any, and new
// options never break a call site.
//
// # Where this differs from hackney, on purpose
//
// Recv and Events report messages only, unless ReportControl(true): a Go
// loop of Recv and json.Unmarshal must not meet a server's ping. Pings are
// answered either way.
//
// A receive timeout leaves the Conn usable, even in the middle of a frame:
// the parse state lives in the Conn, not in the call, so none is lost. A
// Recv that waits never delays a Send from another goroutine. Active-once
// delivers one whole message per grant, however the bytes arrived. When
// nobody takes what the Conn received, it stops reading the socket: the
// peer is slowed by TCP flow control and memory stays bounded. Text is
// checked for UTF-8 as it arrives, every receiving rule of RFC 6455 is
// enforced with the close code the RFC names (1002, 1007, 1009) and a typed
// error, size limits apply before anything is buffered, the handshake
// response is checked in full, and Close ends the closing handshake, the
// socket and the goroutine, bounded by CloseTimeout.
//
// # Beyond hackney: staying connected
//
// PingInterval and PingTimeout find a peer that vanished without a word
// (ErrKeepalive), in every mode, without declaring dead a Conn that its own
// application holds back. SendContext and SendTimeout bound a send. Reconnect
// is a range-over-func loop that keeps a connection up, with the backoff of
// RFC 6455 section 7.2.3.
package ws
