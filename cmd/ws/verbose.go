package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	ws "github.com/hackney-go/ws"
)

// verboseTrace shows a connection being made, as curl -v does: "*" lines
// for each step with its time, "> " for the request head sent, "< " for
// the response head received. ws.Connect reports the steps to the
// httptrace.ClientTrace of its context.
type verboseTrace struct {
	mu    sync.Mutex
	w     io.Writer
	st    style
	start time.Time
	mark  time.Time // when the current step started
	legs  []string  // "DNS 1.2ms", ..., for the summary
	wrote bool      // the request line was written
	url   string
}

func newVerboseTrace(w io.Writer, st style, rawURL string) *verboseTrace {
	now := time.Now()
	return &verboseTrace{w: w, st: st, start: now, mark: now, url: rawURL}
}

func (v *verboseTrace) printf(format string, args ...any) {
	fmt.Fprintf(v.w, format+"\n", args...)
}

// leg ends the current step, named name, and returns its duration.
func (v *verboseTrace) leg(name string) string {
	now := time.Now()
	d := round(now.Sub(v.mark))
	v.mark = now
	v.legs = append(v.legs, name+" "+d)
	return d
}

func round(d time.Duration) string { return d.Round(time.Microsecond).String() }

func (v *verboseTrace) clientTrace() *httptrace.ClientTrace {
	locked := func(f func()) { v.mu.Lock(); defer v.mu.Unlock(); f() }
	return &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) {
			locked(func() { v.mark = time.Now(); v.printf("* resolving %s", i.Host) })
		},
		DNSDone: func(i httptrace.DNSDoneInfo) {
			locked(func() {
				d := v.leg("DNS")
				if i.Err != nil {
					v.printf("* could not resolve: %v (%s)", i.Err, d)
					return
				}
				addrs := make([]string, len(i.Addrs))
				for n, a := range i.Addrs {
					addrs[n] = a.String()
				}
				v.printf("* resolved to %s (DNS %s)", strings.Join(addrs, ", "), d)
			})
		},
		ConnectStart: func(network, addr string) {
			locked(func() { v.mark = time.Now(); v.printf("* connecting to %s (%s)", addr, network) })
		},
		ConnectDone: func(network, addr string, err error) {
			locked(func() {
				d := v.leg("TCP")
				if err != nil {
					v.printf("* could not connect to %s: %v (%s)", addr, err, d)
					return
				}
				v.printf("* connected to %s (TCP %s)", addr, d)
			})
		},
		TLSHandshakeStart: func() {
			locked(func() { v.mark = time.Now() })
		},
		TLSHandshakeDone: func(s tls.ConnectionState, err error) {
			locked(func() { v.tlsDone(s, err) })
		},
		WroteHeaderField: func(name string, values []string) {
			locked(func() {
				if !v.wrote {
					v.wrote = true
					v.printf("> GET %s HTTP/1.1", requestTarget(v.url))
				}
				for _, val := range values {
					v.printf("> %s: %s", name, terminalSafe(val))
				}
			})
		},
		WroteHeaders: func() {
			locked(func() { v.printf(">") })
		},
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			locked(func() {
				d := v.leg("upgrade")
				v.printf("< HTTP/1.1 %d Switching Protocols", code)
				names := make([]string, 0, len(h))
				for name := range h {
					names = append(names, name)
				}
				slices.Sort(names)
				for _, name := range names {
					for _, val := range h[name] {
						v.printf("< %s: %s", name, terminalSafe(val))
					}
				}
				v.printf("<")
				v.printf("* upgraded (upgrade %s)", d)
			})
			return nil
		},
	}
}

// tlsDone shows the TLS session: version, cipher suite, ALPN and the
// certificate chain the server sent.
func (v *verboseTrace) tlsDone(s tls.ConnectionState, err error) {
	d := v.leg("TLS")
	if err != nil {
		v.printf("* TLS handshake failed: %v (%s)", err, d)
		return
	}
	alpn := s.NegotiatedProtocol
	if alpn == "" {
		alpn = "none"
	}
	v.printf("* %s, cipher %s, ALPN %s (TLS %s)", tls.VersionName(s.Version), tls.CipherSuiteName(s.CipherSuite), alpn, d)
	for n, c := range s.PeerCertificates {
		v.printf("* certificate %d: subject %s; issuer %s; expires %s", n, certName(c.Subject.String()), certName(c.Issuer.String()), c.NotAfter.UTC().Format(time.DateOnly))
	}
	if len(s.PeerCertificates) > 0 && len(s.VerifiedChains) == 0 {
		v.printf("* the certificate was not verified (--insecure)")
	}
}

func certName(s string) string {
	if s == "" {
		return "(empty)"
	}
	return terminalSafe(s)
}

// connected ends the trace: with --http2, the protocol that carries the
// WebSocket; the compression negotiated, and a summary of
// the time each step took.
func (v *verboseTrace) connected(conn *ws.Conn, offered, http2 bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case !http2:
	case conn.Proto() == "HTTP/2.0":
		v.printf("* carried by HTTP/2: a stream of an HTTP/2 connection (RFC 8441)")
	default:
		v.printf("* carried by %s", conn.Proto())
	}
	if d, ok := conn.Compression(); ok {
		v.printf("* permessage-deflate: %s", deflateParams(d))
	} else if offered {
		v.printf("* permessage-deflate: declined by the server")
	}
	summary := fmt.Sprintf("connected to %s (%s) in %s", v.url, conn.RemoteAddr(), round(time.Since(v.start)))
	if len(v.legs) > 0 {
		summary += ": " + strings.Join(v.legs, ", ")
	}
	v.st.notef(v.w, "%s", summary)
}

// deflateParams shows the permessage-deflate parameters in effect each
// way (RFC 7692 section 7.1): the window, and whether it is kept from
// one message to the next.
func deflateParams(d ws.Deflate) string {
	way := func(bits int, noTakeover bool) string {
		s := fmt.Sprintf("%d-bit window", bits)
		if noTakeover {
			return s + ", reset for each message"
		}
		return s + ", kept across messages"
	}
	return fmt.Sprintf("agreed; client to server %s; server to client %s",
		way(d.ClientMaxWindowBits, d.ClientNoContextTakeover), way(d.ServerMaxWindowBits, d.ServerNoContextTakeover))
}

// requestTarget is the request-target of the upgrade request for rawURL:
// its path, "/" when empty, and query.
func requestTarget(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "/"
	}
	t := u.EscapedPath()
	if t == "" {
		t = "/"
	}
	if u.RawQuery != "" {
		t += "?" + u.RawQuery
	}
	return t
}
