package h2_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testcert"
)

// The real HTTP/2 fronts: nghttpx (Debian's nghttp2-proxy) and Apache
// httpd with mod_http2's H2WebSockets and mod_proxy_wstunnel (Debian's
// apache2), each taking RFC 8441 streams over TLS and passing them to
// python-websockets (Debian's python3-websockets) over HTTP/1.1. .ci/run
// installs them; under CI=true a missing one fails the test.

// requireBin returns the path of a peer's program, or skips the test
// (fails it under CI=true) when it is not installed.
func requireBin(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if path, err = exec.LookPath("/usr/sbin/" + name); err != nil {
			msg := fmt.Sprintf("%s is not installed (apt-get install %s)", name, pkg)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	return path
}

// startBackend starts python-websockets on HTTP/1.1 and returns its port.
func startBackend(t *testing.T) string {
	t.Helper()
	requireBin(t, "/usr/bin/python3", "python3-websockets")
	if err := exec.Command("/usr/bin/python3", "-c", "import websockets").Run(); err != nil {
		msg := "python3 cannot import websockets (apt-get install python3-websockets)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return startProcess(t, exec.Command("/usr/bin/python3", "../interop/testdata/python/server.py"))
}

// frontCert writes a certificate for 127.0.0.1 and returns its files and
// a client configuration that trusts it.
func frontCert(t *testing.T) (certFile, keyFile string, conf *tls.Config) {
	ca := testcert.NewCA(t, "h2 front CA")
	certFile, keyFile = testcert.WritePEM(t, ca.Issue(t, testcert.Options{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	return certFile, keyFile, &tls.Config{RootCAs: ca.Pool}
}

// freePort returns a port nobody listens on now, for a server that takes
// its port on the command line.
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// startDaemon starts a server that listens on port, waits until it
// accepts connections (at most testTimeout), and ends it with SIGTERM
// when the test does.
func startDaemon(t *testing.T, port string, cmd *exec.Cmd) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(testTimeout):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(testTimeout)
	for {
		nc, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err == nil {
			nc.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %s", cmd.Path, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s after %v: %s", cmd.Path, port, testTimeout, out.String())
		}
	}
}

// startNghttpx runs nghttpx as the h2 front of the backend.
func startNghttpx(t *testing.T) *goPeer {
	bin := requireBin(t, "nghttpx", "nghttp2-proxy")
	backend := startBackend(t)
	certFile, keyFile, conf := frontCert(t)
	port := freePort(t)
	startDaemon(t, port, exec.Command(bin, "--conf=/dev/null", "--single-process", "--no-ocsp",
		"-f127.0.0.1,"+port, "-b127.0.0.1,"+backend, "--errorlog-file=/dev/stderr", "--accesslog-file=/dev/null",
		"--http2-max-concurrent-streams=1000", keyFile, certFile))
	return &goPeer{base: "wss://127.0.0.1:" + port, tls: conf}
}

// startApache runs Apache httpd as the h2 front of the backend
// (mod_http2's H2WebSockets, Apache 2.4.58 and later, and
// mod_proxy_wstunnel).
func startApache(t *testing.T) *goPeer {
	bin := requireBin(t, "apache2", "apache2")
	backend := startBackend(t)
	certFile, keyFile, conf := frontCert(t)
	port := freePort(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // the server's user reads nothing there but runs beside it
	m := "/usr/lib/apache2/modules/"
	config := fmt.Sprintf(`ServerRoot %[1]s
ServerName 127.0.0.1
Listen 127.0.0.1:%[2]s
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
LogLevel warn
User nobody
Group nogroup
LoadModule mpm_event_module %[3]smod_mpm_event.so
LoadModule authz_core_module %[3]smod_authz_core.so
LoadModule ssl_module %[3]smod_ssl.so
LoadModule http2_module %[3]smod_http2.so
LoadModule proxy_module %[3]smod_proxy.so
LoadModule proxy_http_module %[3]smod_proxy_http.so
LoadModule proxy_wstunnel_module %[3]smod_proxy_wstunnel.so
Protocols h2 http/1.1
H2WebSockets on
H2MaxSessionStreams 1000
SSLEngine on
SSLCertificateFile %[4]s
SSLCertificateKeyFile %[5]s
ProxyPass /echo ws://127.0.0.1:%[6]s/echo
`, dir, port, m, certFile, keyFile, backend)
	confFile := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(confFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, port, exec.Command(bin, "-X", "-f", confFile))
	return &goPeer{base: "wss://127.0.0.1:" + port, tls: conf}
}

// TestFronts: through each real front, Conns open on HTTP/2 streams of
// one connection, echo text and binary (a message of 1 MiB among them),
// negotiate permessage-deflate with the backend, and close cleanly.
func TestFronts(t *testing.T) {
	for _, front := range []struct {
		name  string
		start func(*testing.T) *goPeer
	}{{"nghttpx", startNghttpx}, {"apache", startApache}} {
		t.Run(front.name, func(t *testing.T) {
			p := front.start(t)
			var conns []*ws.Conn
			for range 5 {
				conns = append(conns, p.connect(t, "/echo", ws.Compression(ws.Deflate{})))
			}
			for i, c := range conns {
				if c.Proto() != "HTTP/2.0" {
					t.Fatalf("Proto() = %q", c.Proto())
				}
				if _, ok := c.Compression(); !ok {
					t.Fatal("permessage-deflate not negotiated through the front")
				}
				if c.LocalAddr().String() != conns[0].LocalAddr().String() {
					t.Fatalf("Conn %d is not on the first Conn's connection", i)
				}
				echo(t, c, ws.Text(fmt.Sprintf("conn %d", i)))
				echo(t, c, ws.Binary(bytes.Repeat([]byte{byte(i)}, 1<<20)))
			}
			for _, c := range conns {
				if err := c.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
		})
	}
}
