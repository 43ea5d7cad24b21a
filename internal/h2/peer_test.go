package h2_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/testcert"
	"github.com/hackney-go/ws/internal/xconnect"
)

// The Go peer: this test binary, run again with peerEnv set and
// GODEBUG=http2xconnect=1, which Go's HTTP/2 server reads when the
// process starts: only then does it send SETTINGS_ENABLE_CONNECT_PROTOCOL
// and take extended CONNECTs (Go 1.24 to 1.26; see internal/xconnect).
// It is a process of its own so that benchmarks measure the client
// alone; the tests of the server side (ws.Accept) serve in-process.
const (
	peerEnv       = "WS_H2_PEER"
	peerCertEnv   = "WS_H2_PEER_CERT"
	peerKeyEnv    = "WS_H2_PEER_KEY"
	peerStreamEnv = "WS_H2_PEER_MAX_STREAMS"
)

// testTimeout bounds every wait in the tests.
const testTimeout = 20 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(peerEnv) == "1" {
		servePeer()
		return
	}
	// The tests' in-process servers take extended CONNECTs too.
	xconnect.Reexec()
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}

// servePeer serves the Go peer's routes on 127.0.0.1, TLS when given a
// certificate, h2c otherwise, printing its port first; it exits when its
// standard input ends. Each TCP connection has an http.Server of its own,
// so that /goaway ends the one connection it came on (Shutdown's GOAWAY)
// while the listener takes new ones.
func servePeer() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	var conf *tls.Config
	if certFile := os.Getenv(peerCertEnv); certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, os.Getenv(peerKeyEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		conf = &tls.Config{Certificates: []tls.Certificate{pair}, NextProtos: []string{"h2", "http/1.1"}}
	}
	maxStreams, _ := strconv.Atoi(os.Getenv(peerStreamEnv))
	var mu sync.Mutex
	var servers []*http.Server
	go func() {
		io.Copy(io.Discard, os.Stdin)
		l.Close()
		mu.Lock()
		for _, s := range servers {
			s.Close()
		}
		mu.Unlock()
		os.Exit(0)
	}()
	for {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		protocols := new(http.Protocols)
		protocols.SetHTTP1(true)
		protocols.SetHTTP2(true)
		protocols.SetUnencryptedHTTP2(conf == nil)
		s := &http.Server{
			Handler:   peerRoutes(),
			TLSConfig: conf,
			Protocols: protocols,
			HTTP2:     &http.HTTP2Config{MaxConcurrentStreams: maxStreams},
		}
		mu.Lock()
		servers = append(servers, s)
		mu.Unlock()
		one := &oneConn{nc: nc, done: make(chan struct{})}
		if conf != nil {
			go s.ServeTLS(one, "", "")
		} else {
			go s.Serve(one)
		}
	}
}

// oneConn is a listener of one connection, for a server of its own.
type oneConn struct {
	nc    net.Conn
	taken bool
	once  sync.Once
	done  chan struct{}
}

func (o *oneConn) Accept() (net.Conn, error) {
	if !o.taken {
		o.taken = true
		return o.nc, nil
	}
	<-o.done
	return nil, net.ErrClosed
}
func (o *oneConn) Close() error   { o.once.Do(func() { close(o.done) }); return nil }
func (o *oneConn) Addr() net.Addr { return o.nc.LocalAddr() }

// peerRoutes are the Go peer's WebSocket routes, served by ws.Accept
// but for those that must misbehave:
//
//	/echo         echoes (subprotocol "chat", permessage-deflate)
//	/flood?n=N    sends N binary messages of 64 KiB, then echoes
//	/reset        sends the first half of a message, then resets the stream
//	/goaway       sends GOAWAY on its connection and closes it 200 ms later
//	              (Shutdown's grace), echoing meanwhile
//	/refuse       answers 403 with a body
func peerRoutes() http.Handler {
	opts := []ws.Option{ws.Protocols("chat"), ws.Compression(ws.Deflate{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, opts, echoConn)
	})
	mux.HandleFunc("/flood", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, opts, func(c *ws.Conn) {
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			msg := ws.Binary(make([]byte, 64<<10))
			for range n {
				if c.Send(msg) != nil {
					return
				}
			}
			echoConn(c)
		})
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		// Raw: a Conn never sends half a message.
		w.WriteHeader(http.StatusOK)
		h := proto.AppendHeader(nil, proto.Header{Fin: true, Op: proto.OpBinary, Length: 1000})
		w.Write(append(h, make([]byte, 500)...))
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // RST_STREAM (INTERNAL_ERROR)
	})
	mux.HandleFunc("/goaway", func(w http.ResponseWriter, r *http.Request) {
		s := r.Context().Value(http.ServerContextKey).(*http.Server)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			s.Shutdown(ctx)
			s.Close()
		}()
		serve(w, r, opts, echoConn)
	})
	mux.HandleFunc("/refuse", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no entry", http.StatusForbidden)
	})
	return mux
}

// serve accepts the WebSocket and runs f on it, then closes it: the
// handler does not return before the Conn is closed, as HTTP/2 asks.
func serve(w http.ResponseWriter, r *http.Request, opts []ws.Option, f func(*ws.Conn)) {
	c, err := ws.Accept(w, r, opts...)
	if err != nil {
		return
	}
	defer c.Close()
	f(c)
}

// echoConn sends back every message until the Conn ends.
func echoConn(c *ws.Conn) {
	for {
		f, err := c.Recv()
		if err != nil || c.Send(f) != nil {
			return
		}
	}
}

// goPeer is a running Go peer.
type goPeer struct {
	base string      // wss://127.0.0.1:PORT or ws://...
	tls  *tls.Config // trusts the peer's certificate
}

// startGoPeer starts the Go peer, with TLS unless h2c, allowing
// maxStreams streams per connection (0: Go's default, 250).
func startGoPeer(t testing.TB, h2c bool, maxStreams int) *goPeer {
	return startPeer(t, h2c, maxStreams, true)
}

// startPeer starts the Go peer, with the extended CONNECT on or off.
func startPeer(t testing.TB, h2c bool, maxStreams int, xconnectOn bool) *goPeer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(xconnect.Env(os.Environ(), xconnectOn), peerEnv+"=1", peerStreamEnv+"="+strconv.Itoa(maxStreams))
	p := &goPeer{base: "ws://127.0.0.1:"}
	if !h2c {
		ca := testcert.NewCA(t, "h2 peer CA")
		certFile, keyFile := testcert.WritePEM(t, ca.Issue(t, testcert.Options{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
		cmd.Env = append(cmd.Env, peerCertEnv+"="+certFile, peerKeyEnv+"="+keyFile)
		p.base = "wss://127.0.0.1:"
		p.tls = &tls.Config{RootCAs: ca.Pool}
	}
	port := startProcess(t, cmd)
	p.base += port
	return p
}

// startProcess starts a peer process that prints its port first and
// exits when its standard input ends; the test's cleanup ends it.
func startProcess(t testing.TB, cmd *exec.Cmd) string {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(testTimeout):
			cmd.Process.Kill()
			<-exited
		}
	})
	portc := make(chan string, 1)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			portc <- strings.TrimSpace(sc.Text())
		}
		io.Copy(io.Discard, stdout)
		cmd.Wait()
	}()
	select {
	case port := <-portc:
		if _, err := strconv.Atoi(port); err != nil {
			t.Fatalf("%s printed %q, not a port; stderr: %s", cmd.Path, port, stderr.String())
		}
		return port
	case <-exited:
		t.Fatalf("%s exited before printing its port: %s", cmd.Path, stderr.String())
	case <-time.After(testTimeout):
		t.Fatalf("%s printed no port in %v", cmd.Path, testTimeout)
	}
	return ""
}

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
