package ws

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
)

// A SOCKS5 client (RFC 1928) with username/password authentication (RFC
// 1929): the CONNECT command only, which is all a WebSocket needs. It is
// our own rather than golang.org/x/net/proxy's, which always has the proxy
// resolve names (no socks5://) and reports a refusal as text, without the
// reply code.

const (
	socksVersion    = 5
	socksNoAuth     = 0x00
	socksUserPass   = 0x02
	socksNoMethod   = 0xff
	socksCmdConnect = 1
	socksIPv4       = 1
	socksDomain     = 3
	socksIPv6       = 4
	// userPassVersion is the version of RFC 1929's subnegotiation.
	userPassVersion = 1
)

// socksReplyText names the reply codes of RFC 1928 section 6.
func socksReplyText(rep int) string {
	names := [...]string{
		1: "general SOCKS server failure",
		2: "connection not allowed by ruleset",
		3: "network unreachable",
		4: "host unreachable",
		5: "connection refused",
		6: "TTL expired",
		7: "command not supported",
		8: "address type not supported",
	}
	if rep > 0 && rep < len(names) {
		return fmt.Sprintf("reply %d (%s)", rep, names[rep])
	}
	return fmt.Sprintf("reply %d (unassigned)", rep)
}

// socksConnect asks the SOCKS5 proxy at the other end of nc for a tunnel
// to addr. With remote set (socks5h) the proxy resolves a host name;
// otherwise it is resolved here and the proxy gets its address.
func socksConnect(ctx context.Context, nc net.Conn, pu *url.URL, addr string, remote bool) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return fmt.Errorf("invalid port %q", portText)
	}
	req := []byte{socksVersion, socksCmdConnect, 0}
	ip, err := netip.ParseAddr(host)
	switch {
	case err == nil:
	case remote:
		if len(host) > 255 {
			return fmt.Errorf("host name of %d bytes: SOCKS5 takes at most 255", len(host))
		}
	default:
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return fmt.Errorf("resolve %s for the SOCKS5 request: %w", host, err)
		}
		ip = ips[0]
	}
	switch {
	case ip.Is4() || ip.Is4In6():
		req = append(append(req, socksIPv4), ip.Unmap().AsSlice()...)
	case ip.Is6():
		req = append(append(req, socksIPv6), ip.AsSlice()...)
	default:
		req = append(append(req, socksDomain, byte(len(host))), host...)
	}
	req = binary.BigEndian.AppendUint16(req, uint16(port))

	if err := socksAuthenticate(nc, pu.User); err != nil {
		return err
	}
	if _, err := nc.Write(req); err != nil {
		return fmt.Errorf("write the SOCKS5 request: %w", err)
	}
	rep, err := readSOCKSReply(nc)
	if err != nil {
		return err
	}
	if rep != 0 {
		return &ProxyError{Proxy: pu.Redacted(), SOCKSReply: rep}
	}
	return nil
}

// socksAuthenticate offers no authentication and, with a user, RFC 1929's
// username and password, and runs the method the proxy picks.
func socksAuthenticate(nc net.Conn, user *url.Userinfo) error {
	greeting := []byte{socksVersion, 1, socksNoAuth}
	var name, pw string
	if user != nil {
		name = user.Username()
		pw, _ = user.Password()
		if len(name) == 0 || len(name) > 255 || len(pw) > 255 {
			return errors.New("SOCKS5 username must have 1 to 255 bytes, and the password at most 255")
		}
		greeting = []byte{socksVersion, 2, socksNoAuth, socksUserPass}
	}
	if _, err := nc.Write(greeting); err != nil {
		return fmt.Errorf("write the SOCKS5 greeting: %w", err)
	}
	var choice [2]byte
	if _, err := io.ReadFull(nc, choice[:]); err != nil {
		return socksReadError("method choice", err)
	}
	if choice[0] != socksVersion {
		return fmt.Errorf("not a SOCKS5 proxy: its answer has version %d", choice[0])
	}
	switch {
	case choice[1] == socksNoAuth:
		return nil
	case choice[1] == socksUserPass && user != nil:
	case choice[1] == socksNoMethod && user == nil:
		return errors.New("SOCKS5 proxy asks for authentication: give a user and password in the proxy URL")
	case choice[1] == socksNoMethod:
		return errors.New("SOCKS5 proxy accepts none of the authentication methods offered")
	default:
		return fmt.Errorf("SOCKS5 proxy chose method %#x, which was not offered", choice[1])
	}
	msg := append([]byte{userPassVersion, byte(len(name))}, name...)
	msg = append(append(msg, byte(len(pw))), pw...)
	if _, err := nc.Write(msg); err != nil {
		return fmt.Errorf("write the SOCKS5 username and password: %w", err)
	}
	var status [2]byte
	if _, err := io.ReadFull(nc, status[:]); err != nil {
		return socksReadError("authentication status", err)
	}
	// RFC 1929 section 2: any status but 0 is a failure.
	if status[1] != 0 {
		return fmt.Errorf("SOCKS5 proxy refused the username and password (status %d)", status[1])
	}
	return nil
}

// readSOCKSReply reads a reply to the SOCKS5 request (RFC 1928 section 6)
// and returns its reply code. It reads the reply's bytes and no more: the
// tunnel's start.
func readSOCKSReply(r io.Reader) (rep int, err error) {
	var head [5]byte // VER REP RSV ATYP, and the first byte of BND.ADDR
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, socksReadError("reply", err)
	}
	if head[0] != socksVersion {
		return 0, fmt.Errorf("SOCKS5 reply has version %d", head[0])
	}
	var rest int // the bytes after head: the rest of BND.ADDR, BND.PORT
	switch head[3] {
	case socksIPv4:
		rest = 4 - 1 + 2
	case socksIPv6:
		rest = 16 - 1 + 2
	case socksDomain:
		rest = int(head[4]) + 2
	default:
		return 0, fmt.Errorf("SOCKS5 reply has address type %d", head[3])
	}
	var tail [16 - 1 + 2]byte
	if rest > len(tail) {
		// A domain name: read it into a larger buffer.
		if _, err := io.ReadFull(r, make([]byte, rest)); err != nil {
			return 0, socksReadError("reply", err)
		}
	} else if _, err := io.ReadFull(r, tail[:rest]); err != nil {
		return 0, socksReadError("reply", err)
	}
	return int(head[1]), nil
}

func socksReadError(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("SOCKS5 proxy closed the connection before its %s", what)
	}
	return fmt.Errorf("read the SOCKS5 %s: %w", what, err)
}
