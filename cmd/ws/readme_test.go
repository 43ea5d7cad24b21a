package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/testcert"
)

// The README's commands are run by TestREADMECommands: each ```console
// block is a shell session, its "$ " lines the commands and the lines
// after each the output it must print on stdout. A line "..." stands for
// any lines (none too), and "..." within a line for any text. Adding an
// example is adding a block; nothing here names one.
//
// Each block runs in one bash, in a new directory, with ws (this build)
// first on PATH and "go run ./cmd/ws" read as ws. So that the blocks run
// on a shared machine, every 127.0.0.1:PORT of a block stands for a free
// port of its own, and "ws serve" without --addr for its default,
// 127.0.0.1:8080. A command ending in " &" runs in the background until
// the block ends, and the next command waits until its addresses accept
// connections. Every other command must exit with status 0: a block shows
// another status with "; echo $?". The directory holds photo.jpg, and for
// 127.0.0.1:8443 a wss:// echo server runs whose certificate ca.pem
// verifies, which accepts the client certificate client.pem (key
// client.key); for 127.0.0.1:8888, a tinyproxy. A server started in the
// background with --addr unix:PATH is waited for too.
//
// The ```sh blocks hold the commands a test cannot run: the install
// lines, which fetch from the network, and the test suite itself;
// TestREADMEShBlocks keeps them to those.

// readmePath is the README, from this package's directory.
const readmePath = "../../README.md"

// transcript is one ```console block.
type transcript struct {
	line int // of the opening fence
	cmds []transcriptCmd
}

type transcriptCmd struct {
	line int
	cmd  string
	want []string
}

// readmeBlocks returns the fenced blocks of the README with the language
// lang, each with the line of its fence.
func readmeBlocks(t *testing.T, lang string) (blocks [][]string, lines []int) {
	t.Helper()
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	var cur []string
	in := false
	for i, l := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.HasPrefix(l, "```"):
			in = true
			if strings.TrimPrefix(l, "```") == lang {
				cur = []string{}
				lines = append(lines, i+1)
			}
		case in && l == "```":
			in = false
			if cur != nil {
				blocks = append(blocks, cur)
				cur = nil
			}
		case in && cur != nil:
			cur = append(cur, l)
		}
	}
	return blocks, lines
}

func readmeTranscripts(t *testing.T) []transcript {
	blocks, lines := readmeBlocks(t, "console")
	var ts []transcript
	for i, b := range blocks {
		tr := transcript{line: lines[i]}
		for j, l := range b {
			if cmd, ok := strings.CutPrefix(l, "$ "); ok {
				tr.cmds = append(tr.cmds, transcriptCmd{line: lines[i] + 1 + j, cmd: cmd})
				continue
			}
			if len(tr.cmds) == 0 {
				t.Fatalf("README.md:%d: a console block starts with a command, \"$ \"", lines[i]+1+j)
			}
			c := &tr.cmds[len(tr.cmds)-1]
			c.want = append(c.want, l)
		}
		ts = append(ts, tr)
	}
	if len(ts) == 0 {
		t.Fatal("no console block in the README")
	}
	return ts
}

// TestREADMECommands runs every console block of the README and checks
// what each command prints.
func TestREADMECommands(t *testing.T) {
	bash := shellFor(t, "bash")
	for _, tr := range readmeTranscripts(t) {
		t.Run(fmt.Sprintf("line%d", tr.line), func(t *testing.T) {
			runTranscript(t, bash, tr)
		})
	}
}

var (
	loopbackPort = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)
	serveNoAddr  = regexp.MustCompile(`\bws serve\b`)
	unixAddr     = regexp.MustCompile(`--addr unix:(\S+)`)
)

func runTranscript(t *testing.T, bash string, tr transcript) {
	dir := t.TempDir()
	out := t.TempDir()
	ports := map[string]string{}
	for _, c := range tr.cmds {
		for _, m := range loopbackPort.FindAllStringSubmatch(c.cmd, -1) {
			ports[m[0]] = ""
		}
		if serveNoAddr.MatchString(c.cmd) {
			ports["127.0.0.1:8080"] = ""
		}
	}
	for addr := range ports {
		switch addr {
		case "127.0.0.1:8443":
			ports[addr] = startReadmeTLS(t, dir)
		case "127.0.0.1:8888":
			ports[addr] = strings.TrimPrefix(proxytest.Tinyproxy(t, proxytest.TinyproxyOptions{}), "http://")
		default:
			ports[addr] = freePort(t)
		}
	}
	mapAddrs := func(s string) string {
		return loopbackPort.ReplaceAllStringFunc(s, func(a string) string { return ports[a] })
	}
	writeFixtures(t, dir)

	var script strings.Builder
	script.WriteString(`wait_port() {
	local i
	for ((i = 0; i < 400; i++)); do
		(exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	return 1
}
wait_sock() {
	local i
	for ((i = 0; i < 400; i++)); do
		[[ -S $1 ]] && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	return 1
}
trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT
`)
	for i, c := range tr.cmds {
		cmd := strings.ReplaceAll(c.cmd, "go run ./cmd/ws", "ws")
		for _, tool := range []string{"jq", "curl"} {
			if strings.Contains(cmd, tool+" ") {
				shellFor(t, tool)
			}
		}
		if strings.HasSuffix(cmd, " &") {
			cmd = strings.TrimSuffix(cmd, " &")
			if serveNoAddr.MatchString(cmd) && !strings.Contains(cmd, "--addr") {
				cmd = serveNoAddr.ReplaceAllString(cmd, "ws serve --addr 127.0.0.1:8080")
			}
			cmd = mapAddrs(cmd)
			fmt.Fprintf(&script, "%s >%q 2>&1 &\n", cmd, filepath.Join(out, fmt.Sprint(i)))
			for _, addr := range loopbackPort.FindAllString(cmd, -1) {
				fmt.Fprintf(&script, "wait_port %s || exit 1\n", addr)
			}
			for _, m := range unixAddr.FindAllStringSubmatch(cmd, -1) {
				fmt.Fprintf(&script, "wait_sock %s || exit 1\n", m[1])
			}
			continue
		}
		fmt.Fprintf(&script, "{ %s\n} >%q 2>>%q; st=$?; if ((st != 0)); then echo \"command %d exited with $st\" >>%q; exit 1; fi\n",
			mapAddrs(cmd), filepath.Join(out, fmt.Sprint(i)), filepath.Join(out, "stderr"), i, filepath.Join(out, "stderr"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*testTimeout)
	defer cancel()
	run := exec.CommandContext(ctx, bash, "--norc", "--noprofile", "-c", script.String())
	run.Dir = dir
	run.Env = append(withoutProxies(os.Environ()),
		"PATH="+filepath.Dir(wsBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+filepath.Join(dir, "home"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"NO_COLOR=1", "TERM=dumb")
	run.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	run.Cancel = func() error { return syscall.Kill(-run.Process.Pid, syscall.SIGKILL) }
	run.WaitDelay = time.Second
	combined, err := run.CombinedOutput()
	stderr, _ := os.ReadFile(filepath.Join(out, "stderr"))
	if ctx.Err() != nil {
		t.Fatalf("README.md:%d: the block did not end within %v\nstderr:\n%s%s", tr.line, 2*testTimeout, stderr, combined)
	}
	if err != nil {
		t.Fatalf("README.md:%d: %v\nstderr:\n%s%s\nscript:\n%s", tr.line, err, stderr, combined, script.String())
	}
	for i, c := range tr.cmds {
		if strings.HasSuffix(c.cmd, " &") {
			continue
		}
		got, err := os.ReadFile(filepath.Join(out, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		if len(got) == 0 {
			lines = nil
		}
		want := make([]string, len(c.want))
		for j, w := range c.want {
			want[j] = mapAddrs(w)
		}
		if !matchLines(want, lines) {
			t.Errorf("README.md:%d: $ %s\nprinted:\n%s\nwant:\n%s\nstderr of the block:\n%s", c.line, c.cmd, got, strings.Join(want, "\n"), stderr)
		}
	}
}

// matchLines reports whether got matches the pattern lines want: "..."
// alone matches any lines, and within a line any text.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	parts := strings.Split(want[0], "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	if !regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got[0]) {
		return false
	}
	return matchLines(want[1:], got[1:])
}

// writeFixtures puts in dir the files the README's commands use.
func writeFixtures(t *testing.T, dir string) {
	photo := make([]byte, 200<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range photo {
		photo[i] = byte(r.Uint32())
	}
	for _, d := range []string{"home", "state"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "photo.jpg"), photo, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startReadmeTLS runs the wss:// echo server of the README's TLS
// examples, writes its CA and a client certificate to dir, and returns
// its address.
func startReadmeTLS(t *testing.T, dir string) string {
	ca := testcert.NewCA(t, "README example CA")
	url := startTLSEcho(t, &tls.Config{
		Certificates: []tls.Certificate{ca.Issue(t, testcert.Options{IPs: loopback})},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    ca.Pool,
	})
	copyFile(t, ca.WritePEM(t), filepath.Join(dir, "ca.pem"))
	cert, key := testcert.WritePEM(t, ca.Issue(t, testcert.Options{Client: true}))
	copyFile(t, cert, filepath.Join(dir, "client.pem"))
	copyFile(t, key, filepath.Join(dir, "client.key"))
	return strings.TrimSuffix(strings.TrimPrefix(url, "wss://"), "/")
}

func copyFile(t *testing.T, from, to string) {
	data, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, data, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestREADMEShBlocks: the README's ```sh blocks, which no test runs, hold
// only the install lines and the test suite's command.
func TestREADMEShBlocks(t *testing.T) {
	allowed := []string{
		"go get github.com/hackney-go/ws",
		"go install github.com/hackney-go/ws/cmd/ws@latest",
		"go test -race ./...",
		"go run ./cmd/ws demo",
	}
	blocks, lines := readmeBlocks(t, "sh")
	for i, b := range blocks {
		for j, l := range b {
			cmd, _, _ := strings.Cut(l, "#")
			cmd = strings.TrimSpace(cmd)
			if cmd != "" && !slices.Contains(allowed, cmd) {
				t.Errorf("README.md:%d: %q in a sh block, which no test runs: show it in a console block with its output", lines[i]+1+j, cmd)
			}
		}
	}
}

// TestHelpExamplesInREADME: every example of 'ws help' and of each
// command's help is a command of a README console block, and so is run
// and checked by TestREADMECommands.
func TestHelpExamplesInREADME(t *testing.T) {
	var cmds []string
	for _, tr := range readmeTranscripts(t) {
		for _, c := range tr.cmds {
			cmds = append(cmds, c.cmd)
		}
	}
	texts := map[string]string{"ws help": generalHelp}
	for name, text := range commandHelp {
		texts["ws help "+name] = text
	}
	n := 0
	for name, text := range texts {
		in := false
		for _, l := range strings.Split(text, "\n") {
			switch {
			case l == "Examples:" || l == "Example:":
				in = true
			case l == "" || !strings.HasPrefix(l, "  "):
				in = false
			case in:
				n++
				if ex := strings.TrimSpace(l); !slices.Contains(cmds, ex) {
					t.Errorf("%s: the example %q is in no console block of the README", name, ex)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d examples in the help: the test no longer finds them", n)
	}
}
