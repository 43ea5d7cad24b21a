package ws

import (
	"context"
	"net"
)

// NetDial makes Connect open its connection with dial instead of TCP: any
// transport the caller brings, such as an SSH channel, an in-memory pipe,
// or a proxy that Proxy does not speak (NTLM...). Connect calls dial with
// network "tcp" and the server's host:port, or the proxy's when Proxy or
// ProxyFunc names one: the proxy is then reached through dial. The
// environment's proxy is not used with NetDial: dial is trusted to reach
// the server. Connect's context and ConnectTimeout bound dial, and then
// the connection it returned through its SetDeadline.
func NetDial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *config) { c.dial.netDial = dial }
}

// UnixSocket makes Connect reach the server through the Unix domain
// socket at path, as NetDial with a dialer of that socket. The URL still
// gives the Host header, the request's path and, for wss://, the name the
// certificate must have. A ws+unix:// or wss+unix:// URL names the socket
// itself (see Connect).
func UnixSocket(path string) Option { return NetDial(unixDialer(path)) }

func unixDialer(path string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
}

// forTarget completes the configuration for the target: a ws+unix:// URL
// brings its socket's dialer, which a dialer of its own would contradict.
func (d *dialConfig) forTarget(t *target) error {
	if err := checkProxyHeader(d.proxyHeader); err != nil {
		return err
	}
	if t.unixSocket == "" {
		return nil
	}
	if d.netDial != nil {
		return &URLError{URL: t.url.String(), Reason: "the URL names a Unix socket, and NetDial or UnixSocket another way"}
	}
	d.netDial = unixDialer(t.unixSocket)
	return nil
}
