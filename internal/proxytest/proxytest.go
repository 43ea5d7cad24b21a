// Package proxytest starts real proxy servers from Debian for tests:
// tinyproxy and squid (HTTP CONNECT), microsocks and dante (SOCKS5), and
// stunnel as the TLS front of an HTTPS proxy. Each runs on a loopback
// port of its own, with a configuration file written in the test's
// temporary directory, and is killed with every process it started when
// the test ends. A missing program skips the test, or fails it under
// CI=true, which installs them all (.ci/run). It is used only by tests.
package proxytest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startWait bounds how long a proxy may take to accept connections: squid
// takes about a second on a quiet machine, more under load.
const startWait = 30 * time.Second

// lifetime bounds how long a proxy process may run, should the test's
// cleanup never come.
const lifetime = 10 * time.Minute

// Require returns the path of the program, or skips the test when it is
// missing; under CI=true, which installs every proxy, it fails the test.
func Require(tb testing.TB, program, debianPackage string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		if p := filepath.Join(dir, program); fileExists(p) {
			return p
		}
	}
	msg := fmt.Sprintf("%s is missing (apt-get install %s)", program, debianPackage)
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s, and CI=true forbids skipping", msg)
	}
	tb.Skip(msg)
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Version returns the version of a Debian package, for the test log.
func Version(debianPackage string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", debianPackage).Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

// isRoot says whether the proxies start as root: each is then told to
// run as an unprivileged user, as Debian runs them.
var isRoot = os.Geteuid() == 0

// output collects a process's output for the failure log.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// freePort returns a loopback port that was free a moment ago: the proxy
// is told to listen on it. start tries again should another process take
// it first.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs the program with the arguments and configuration that argv
// returns for a port, in a process group of its own, and waits until the
// port accepts connections. When the test ends the whole group is killed:
// squid's helpers and dante's children with it.
func start(tb testing.TB, name string, argv func(port int) []string) (port int) {
	tb.Helper()
	port, _ = startProcess(tb, name, argv)
	return port
}

// startUnprivileged is start for a proxy told to drop root's privileges:
// when the test runs as root, it fails unless the proxy's process runs
// as another user within startWait (some listen first, then drop them).
func startUnprivileged(tb testing.TB, name string, argv func(port int) []string) (port int) {
	tb.Helper()
	port, pid := startProcess(tb, name, argv)
	if !isRoot {
		return port
	}
	var uid string
	for deadline := time.Now().Add(startWait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if uid = effectiveUID(pid); uid != "0" && uid != "" {
			return port
		}
	}
	tb.Fatalf("%s still runs as root (uid %q) after %v", name, uid, startWait)
	return 0
}

// effectiveUID reads a process's effective user id from /proc.
func effectiveUID(pid int) string {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(status), "\n") {
		// Uid: real, effective, saved, filesystem.
		if f := strings.Fields(line); len(f) == 5 && f[0] == "Uid:" {
			return f[2]
		}
	}
	return ""
}

func startProcess(tb testing.TB, name string, argv func(port int) []string) (port, pid int) {
	tb.Helper()
	var last string
	for try := 0; try < 3; try++ {
		port = freePort(tb)
		args := argv(port)
		ctx, cancel := context.WithTimeout(context.Background(), lifetime)
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = 10 * time.Second
		out := &output{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			cancel()
			tb.Fatalf("start %s: %v", name, err)
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		stop := func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			cancel()
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if waitListening(addr, exited) {
			tb.Cleanup(func() {
				stop()
				if tb.Failed() {
					tb.Logf("%s output:\n%s", name, out.String())
				}
			})
			return port, cmd.Process.Pid
		}
		stop()
		last = out.String()
	}
	tb.Fatalf("%s did not accept connections within %v:\n%s", name, startWait, last)
	return 0, 0
}

// waitListening reports whether addr accepts a connection before the
// process exits or startWait passes.
func waitListening(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(startWait)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// writeConfig writes a configuration file in the test's directory, where
// the proxy, even once it runs as an unprivileged user, needs no access:
// each reads its file before it drops its privileges.
func writeConfig(tb testing.TB, name, text string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// proxyURL is the URL of a proxy on the loopback port, with a user and
// password if user is not empty.
func proxyURL(scheme string, port int, user, password string) string {
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// TinyproxyOptions configure Tinyproxy.
type TinyproxyOptions struct {
	// User and Password, when set, are the only credentials it accepts
	// (BasicAuth): it answers others with 407.
	User, Password string
	// ConnectPorts, when set, are the only ports it tunnels to: it
	// answers CONNECT to others with 403.
	ConnectPorts []int
}

// Tinyproxy starts tinyproxy and returns its http:// URL, with the
// credentials it wants.
func Tinyproxy(tb testing.TB, o TinyproxyOptions) string {
	tb.Helper()
	bin := Require(tb, "tinyproxy", "tinyproxy")
	port := startUnprivileged(tb, "tinyproxy", func(port int) []string {
		var c strings.Builder
		fmt.Fprintf(&c, "Port %d\nListen 127.0.0.1\nTimeout 60\nMaxClients 100\nLogLevel Info\n", port)
		if isRoot {
			c.WriteString("User nobody\nGroup nogroup\n")
		}
		for _, p := range o.ConnectPorts {
			fmt.Fprintf(&c, "ConnectPort %d\n", p)
		}
		if o.User != "" {
			fmt.Fprintf(&c, "BasicAuth %s %s\n", o.User, o.Password)
		}
		return []string{bin, "-d", "-c", writeConfig(tb, "tinyproxy.conf", c.String())}
	})
	return proxyURL("http", port, o.User, o.Password)
}

// SquidOptions configure Squid.
type SquidOptions struct {
	// SSLPorts are the ports, besides 443, that squid tunnels to: it
	// refuses CONNECT to others with 403, as Debian's default
	// configuration does.
	SSLPorts []int
	// Auth makes squid require the user SquidUser with the password
	// SquidPassword (Basic, checked by its basic_ncsa_auth helper): it
	// answers others with 407.
	Auth bool
	// Header, as "Name: value", makes squid refuse CONNECT requests
	// without that header with 403.
	Header string
}

// The credentials squid requires with SquidOptions.Auth, and the
// password's hash in its password file (openssl passwd -apr1).
const (
	SquidUser     = "alice"
	SquidPassword = "s3cret"
	squidHash     = "$apr1$wsproxy1$lfi9uHJMiEl9zNes6AjQe/"
)

// Squid starts squid with the access rules of Debian's default
// configuration. It runs as Debian's proxy user when started as root. It
// returns squid's http:// URL, with the credentials it requires.
func Squid(tb testing.TB, o SquidOptions) string {
	tb.Helper()
	bin := Require(tb, "squid", "squid")
	var auth string
	if o.Auth {
		helper := "/usr/lib/squid/basic_ncsa_auth"
		if !fileExists(helper) {
			tb.Fatalf("squid's %s is missing", helper)
		}
		// The helper runs as squid's user, which must read the file: the
		// test's own directory is not open to it.
		dir, err := os.MkdirTemp("", "ws-squid-")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		passwd := filepath.Join(dir, "passwd")
		if err := os.WriteFile(passwd, []byte(SquidUser+":"+squidHash+"\n"), 0o644); err != nil {
			tb.Fatal(err)
		}
		auth = "auth_param basic program " + helper + " " + passwd + "\n" +
			"auth_param basic children 1 startup=1\nauth_param basic realm ws-test\n" +
			"acl users proxy_auth REQUIRED\nhttp_access deny !users\n"
	}
	port := startUnprivileged(tb, "squid", func(port int) []string {
		ports := "443"
		for _, p := range o.SSLPorts {
			ports += " " + strconv.Itoa(p)
		}
		var c strings.Builder
		fmt.Fprintf(&c, "http_port 127.0.0.1:%d\n", port)
		c.WriteString(auth)
		if name, value, ok := strings.Cut(o.Header, ":"); ok {
			fmt.Fprintf(&c, "acl marked req_header %s ^%s$\nhttp_access deny CONNECT !marked\n", strings.TrimSpace(name), regexp.QuoteMeta(strings.TrimSpace(value)))
		}
		fmt.Fprintf(&c, "acl SSL_ports port %s\n", ports)
		c.WriteString(`acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow localhost
http_access deny all
cache deny all
cache_mem 8 MB
access_log none
cache_store_log none
cache_log /dev/stderr
pid_filename none
pinger_enable off
visible_hostname localhost
shutdown_lifetime 0 seconds
`)
		if isRoot {
			c.WriteString("cache_effective_user proxy\ncache_effective_group proxy\n")
		}
		return []string{bin, "-N", "-f", writeConfig(tb, "squid.conf", c.String())}
	})
	if o.Auth {
		return proxyURL("http", port, SquidUser, SquidPassword)
	}
	return proxyURL("http", port, "", "")
}

// Microsocks starts microsocks and returns its socks5:// URL, with the
// user and password it then requires, if user is not empty.
func Microsocks(tb testing.TB, user, password string) string {
	tb.Helper()
	bin := Require(tb, "microsocks", "microsocks")
	port := start(tb, "microsocks", func(port int) []string {
		args := []string{bin, "-i", "127.0.0.1", "-p", strconv.Itoa(port)}
		if user != "" {
			args = append(args, "-u", user, "-P", password)
		}
		return args
	})
	return proxyURL("socks5", port, user, password)
}

// Dante starts dante's danted, without authentication, and returns its
// socks5:// URL. It refuses, by a rule, requests to deniedPort with reply
// code 2 (connection not allowed by ruleset), if deniedPort is not 0.
func Dante(tb testing.TB, deniedPort int) string {
	tb.Helper()
	bin := Require(tb, "danted", "dante-server")
	port := startUnprivileged(tb, "danted", func(port int) []string {
		var c strings.Builder
		fmt.Fprintf(&c, "logoutput: stderr\ninternal: 127.0.0.1 port = %d\nexternal: 127.0.0.1\n", port)
		c.WriteString("socksmethod: none\nclientmethod: none\n")
		if isRoot {
			c.WriteString("user.privileged: root\nuser.unprivileged: nobody\n")
		}
		c.WriteString("client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n")
		if deniedPort != 0 {
			fmt.Fprintf(&c, "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = %d }\n", deniedPort)
		}
		c.WriteString("socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }\n")
		return []string{bin, "-f", writeConfig(tb, "danted.conf", c.String()), "-N", "1", "-p", filepath.Join(tb.TempDir(), "danted.pid")}
	})
	return proxyURL("socks5", port, "", "")
}

// Stunnel starts stunnel as a TLS front for the proxy at backend (an
// http:// URL), with the certificate and key in the PEM files, and returns
// the https:// URL of the pair, with the backend's credentials.
func Stunnel(tb testing.TB, backend, certFile, keyFile string) string {
	tb.Helper()
	bin := Require(tb, "stunnel4", "stunnel4")
	b, err := url.Parse(backend)
	if err != nil {
		tb.Fatal(err)
	}
	port := startUnprivileged(tb, "stunnel", func(port int) []string {
		var c strings.Builder
		c.WriteString("foreground = yes\npid =\ndebug = 4\n")
		if isRoot {
			c.WriteString("setuid = nobody\nsetgid = nogroup\n")
		}
		fmt.Fprintf(&c, "[proxy]\naccept = 127.0.0.1:%d\nconnect = %s\ncert = %s\nkey = %s\n", port, b.Host, certFile, keyFile)
		return []string{bin, writeConfig(tb, "stunnel.conf", c.String())}
	})
	pw, _ := b.User.Password()
	return proxyURL("https", port, b.User.Username(), pw)
}

// DirectLoopback puts the loopback addresses in no_proxy, for a test
// binary's TestMain: the tests connect to servers on loopback, which a
// proxy named by the machine's environment (ws follows it, loopback
// included) could not reach. Tests of the environment's rules give their
// child processes an environment of their own.
func DirectLoopback() {
	direct := "127.0.0.0/8,::1,localhost"
	if v := os.Getenv("no_proxy") + os.Getenv("NO_PROXY"); v != "" {
		direct += "," + v
	}
	os.Setenv("no_proxy", direct)
}
