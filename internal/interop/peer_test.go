package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// peerLifetime bounds how long a peer process may run: the longest a
// test using it may take.
const peerLifetime = 10 * time.Minute

// peerSpec says how to run one peer implementation.
type peerSpec struct {
	name string
	// command returns the command line that starts the peer, or why the
	// peer cannot run on this machine.
	command func() ([]string, error)
}

// node is Node's ws package, installed by `npm ci` in testdata/node, as
// a server; nodeClient is the same package as a client of ws.Accept.
var (
	node       = peerSpec{name: "node", command: nodeCommand("testdata/node/server.js")}
	nodeClient = peerSpec{name: "node client", command: nodeCommand("testdata/node/client.js")}
)

func nodeCommand(script string) func() ([]string, error) {
	return func() ([]string, error) {
		bin, err := exec.LookPath("node")
		if err != nil {
			return nil, fmt.Errorf("node is not installed: %w", err)
		}
		if _, err := os.Stat("testdata/node/node_modules/ws/package.json"); err != nil {
			return nil, fmt.Errorf("the ws package is not installed (run `npm ci` in internal/interop/testdata/node): %w", err)
		}
		return []string{bin, script}, nil
	}
}

// pythonBin is Debian's interpreter, which has Debian's python3-websockets;
// another python3 first on PATH may not.
const pythonBin = "/usr/bin/python3"

// python is Python's websockets package, from Debian's
// python3-websockets, as a server; pythonClient is the same package as a
// client of ws.Accept.
var (
	python       = peerSpec{name: "python", command: pythonCommand("testdata/python/server.py")}
	pythonClient = peerSpec{name: "python client", command: pythonCommand("testdata/python/client.py")}
)

func pythonCommand(script string) func() ([]string, error) {
	return func() ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, pythonBin, "-c", "import websockets").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("%s cannot import websockets (apt-get install python3-websockets): %v: %s", pythonBin, err, bytes.TrimSpace(out))
		}
		return []string{pythonBin, script}, nil
	}
}

// peer is a running peer process.
type peer struct {
	name string
	base string // ws://127.0.0.1:port or wss://...

	mu      sync.Mutex
	reports []report
	eof     bool          // the peer's output ended
	notify  chan struct{} // signaled when reports or eof change
}

// report is what the peer saw of one connection, printed as a JSON line.
// A client peer reports its events on its one connection, without ID,
// with the fields of the event.
type report struct {
	ID      string `json:"id"`
	Event   string `json:"event"`
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`

	Protocol string      `json:"protocol"` // the subprotocol agreed
	Deflate  *peerParams `json:"deflate"`  // the permessage-deflate agreed
	Status   int         `json:"status"`   // of a refused handshake
	Data     string      `json:"data"`     // of a pong, in hex
}

// syncBuffer collects the peer's standard error for the failure log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requirePeer returns the peer's command line, or skips the test when the
// peer is missing; under CI=true a missing peer fails the test instead,
// as an interop test that CI skips would prove nothing.
func requirePeer(t testing.TB, spec peerSpec) []string {
	t.Helper()
	argv, err := spec.command()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("peer %s is missing, and CI=true forbids skipping: %v", spec.name, err)
		}
		t.Skipf("peer %s is missing: %v", spec.name, err)
	}
	return argv
}

// startPeer runs the peer, with TLS when certs is not nil, and stops it
// when the test ends.
func startPeer(t testing.TB, spec peerSpec, certs *certFiles) *peer {
	t.Helper()
	scheme := "ws"
	var args []string
	if certs != nil {
		scheme = "wss"
		args = []string{"--cert", certs.cert, "--key", certs.key}
	}
	p, line := launchPeer(t, spec, args)
	if _, err := strconv.Atoi(line); err != nil {
		t.Fatalf("peer %s did not print its port (got %q)", spec.name, line)
	}
	p.base = scheme + "://127.0.0.1:" + line
	return p
}

// launchPeer runs the peer with args added to its command line, stops it
// when the test ends, and returns its first line of output.
func launchPeer(t testing.TB, spec peerSpec, args []string) (*peer, string) {
	t.Helper()
	argv := append(requirePeer(t, spec), args...)
	ctx, cancel := context.WithTimeout(context.Background(), peerLifetime)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = testTimeout
	var stderr syncBuffer
	cmd.Stderr = &stderr
	// The peer exits when its standard input ends: should this process
	// die without running the cleanup, the peer does not stay behind.
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start peer %s: %v", spec.name, err)
	}
	p := &peer{name: spec.name, notify: make(chan struct{}, 1)}
	port := make(chan string, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.read(stdout, port)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-readDone
		cmd.Wait()
		cancel()
		if out := stderr.String(); t.Failed() && out != "" {
			t.Logf("peer %s stderr:\n%s", spec.name, out)
		}
	})
	select {
	case line, ok := <-port:
		if !ok {
			t.Fatalf("peer %s exited before its first line:\n%s", spec.name, stderr.String())
		}
		return p, line
	case <-time.After(testTimeout):
		t.Fatalf("peer %s did not print its first line within %v:\n%s", spec.name, testTimeout, stderr.String())
	}
	return nil, ""
}

// read takes the port from the peer's first line of output, then collects
// its reports until the output ends.
func (p *peer) read(stdout io.Reader, port chan<- string) {
	sc := bufio.NewScanner(stdout)
	if sc.Scan() {
		port <- strings.TrimSpace(sc.Text())
	}
	close(port)
	for sc.Scan() {
		var r report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			r = report{Event: "garbled", Message: sc.Text()}
		}
		p.mu.Lock()
		p.reports = append(p.reports, r)
		p.mu.Unlock()
		p.signal()
	}
	io.Copy(io.Discard, stdout)
	p.mu.Lock()
	p.eof = true
	p.mu.Unlock()
	p.signal()
}

func (p *peer) signal() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// waitReport returns the peer's report on the connection with the id.
func (p *peer) waitReport(t *testing.T, id string) report {
	t.Helper()
	return p.waitFor(t, "on connection "+id, func(r report) bool { return r.ID == id })
}

// waitFor returns the peer's first report that match accepts; what
// describes it in a failure.
func (p *peer) waitFor(t *testing.T, what string, match func(report) bool) report {
	t.Helper()
	timeout := time.NewTimer(testTimeout)
	defer timeout.Stop()
	for {
		p.mu.Lock()
		for _, r := range p.reports {
			if match(r) {
				p.mu.Unlock()
				return r
			}
		}
		eof := p.eof
		p.mu.Unlock()
		if eof {
			t.Fatalf("peer %s exited without reporting %s", p.name, what)
		}
		select {
		case <-p.notify:
		case <-timeout.C:
			t.Fatalf("peer %s did not report %s within %v", p.name, what, testTimeout)
		}
	}
}

var lastID atomic.Int64

// newID returns an id that tags a connection in the peer's reports.
func newID() string { return "c" + strconv.FormatInt(lastID.Add(1), 10) }

// url returns the peer's URL for a path and query.
func (p *peer) url(pathQuery string) string { return p.base + pathQuery }
