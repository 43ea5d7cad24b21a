package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testscale"
)

// caseTimeout bounds every wait of a case, on both ends.
const caseTimeout = DefaultTimeout

// splitPause separates the writes of a script cut at chosen points.
const splitPause = time.Millisecond

// bytePause separates writes that deliver a frame one byte at a time, so
// that the client mostly reads them one by one.
const bytePause = 50 * time.Microsecond

// clientCase is one conformance case: what the server does and how the
// client must end.
type clientCase struct {
	id     string // group.subgroup.number, as in the Autobahn testsuite
	name   string
	script []Step
	want   outcome
	opts   []ws.Option
	// closes makes the agent close the connection itself after echoing
	// closeAfter messages.
	closes     bool
	closeAfter int
	// big cases move megabytes: few run at once, to bound memory.
	big bool
	bug string // when set, the case shows a bug and is skipped
	// serverBug is bug for the server role (TestServerConformance).
	serverBug string
}

// outcome is how a case wants the client's connection to end.
type outcome struct {
	how  endKind
	code uint16
	// With checkReason, a *ws.CloseError must carry reason too.
	reason      string
	checkReason bool
}

type endKind uint8

const (
	byPeer    endKind = iota // the peer (the script) closed with code: a *ws.CloseError
	byFailure                // the Conn failed the connection with code: its typed error
	byAgent                  // the agent closed: Close returns nil
)

func peerClosed(code uint16) outcome { return outcome{how: byPeer, code: code} }
func failed(code uint16) outcome     { return outcome{how: byFailure, code: code} }

// endsAs checks that the agent's connection ended as the case wants.
func endsAs(got ending, want outcome) error {
	if want.how == byAgent {
		if !got.byUs || got.err != nil {
			return fmt.Errorf("ended with %v (by the agent: %t), want the agent's Close to succeed", got.err, got.byUs)
		}
		return nil
	}
	if got.byUs {
		return fmt.Errorf("the agent closed (Close: %v), want the connection to end on its own", got.err)
	}
	if want.how == byPeer {
		var ce *ws.CloseError
		if !errors.As(got.err, &ce) || uint16(ce.Code) != want.code || want.checkReason && ce.Reason != want.reason {
			return fmt.Errorf("ended with %v, want a *ws.CloseError with code %d", got.err, want.code)
		}
		return nil
	}
	var pe *ws.ProtocolError
	var ue *ws.InvalidUTF8Error
	var me *ws.MessageTooBigError
	ok := false
	switch want.code {
	case 1002:
		ok = errors.As(got.err, &pe) && pe.Code == ws.CloseProtocolError
	case 1007:
		ok = errors.As(got.err, &ue)
	case 1009:
		ok = errors.As(got.err, &me)
	}
	if !ok {
		return fmt.Errorf("ended with %v (%T), want the typed error of close code %d", got.err, got.err, want.code)
	}
	return nil
}

// table collects the cases; each subgroup numbers its own.
type table struct {
	cases []*clientCase
}

type subgroup struct {
	t  *table
	id string
	n  int
}

func (t *table) sub(id string) *subgroup { return &subgroup{t: t, id: id} }

func (g *subgroup) add(c clientCase) *clientCase {
	g.n++
	c.id = fmt.Sprintf("%s.%d", g.id, g.n)
	g.t.cases = append(g.t.cases, &c)
	return &c
}

// serverClose ends a case that passed by the server's clean close: the
// client must echo the code, then close the TCP connection once the
// server has (RFC 6455 section 7.1.1).
func serverClose() []Step {
	return []Step{WriteFrames(Close(1000, "")), ExpectClose(1000), EndTCP()}
}

// ok adds a case the client must pass: the steps, then the server's clean
// close.
func (g *subgroup) ok(name string, steps ...Step) *clientCase {
	return g.add(clientCase{name: name, script: append(steps, serverClose()...), want: peerClosed(1000)})
}

// fail adds a case the client must fail with code: after the steps, its
// close frame with code, then the end of the TCP connection.
func (g *subgroup) fail(name string, code uint16, steps ...Step) *clientCase {
	var script []Step
	for _, st := range steps {
		script = append(script, UntilClosed(st))
	}
	return g.add(clientCase{name: name, script: append(script, ExpectClose(code), ExpectEOF()), want: failed(code)})
}

// closed adds a case the server ends with a close frame of code, which
// the client must echo and report.
func (g *subgroup) closed(name string, code uint16, steps ...Step) *clientCase {
	return g.add(clientCase{name: name, script: steps, want: peerClosed(code)})
}

var (
	tableOnce sync.Once
	allCases  []*clientCase
)

// cases returns the table, built once for the three receive paths.
func cases() []*clientCase {
	tableOnce.Do(func() {
		t := &table{}
		framingCases(t)
		pingCases(t)
		reservedBitCases(t)
		opcodeCases(t)
		fragmentationCases(t)
		utf8Cases(t)
		closeCases(t)
		largeCases(t)
		fragmentSizeCases(t)
		allCases = t.cases
	})
	return allCases
}

// bigSlots bounds how many big cases run at once.
var bigSlots = make(chan struct{}, 1)

func TestConformance(t *testing.T) {
	runTable(t, "TestConformance", cases(), func(c *clientCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: c.big}
	}, runCase)
}

// caseInfo is what runTable needs of a case: its name, its bug if any,
// and whether it is heavy (runs on one receive path only at the default
// scale).
type caseInfo struct {
	id, name, bug string
	heavy         bool
	// fullOnly cases run at the full scale only.
	fullOnly bool
}

// runTable runs every case of a table on every receive path, as the
// parallel subtests path/id_name; a case with a bug is skipped, saying
// how to reproduce it. At the default scale (see testscale) a heavy case runs
// on one path only, the paths taking the heavy cases in turn, so that
// each path still meets heavy cases of every group; the other paths skip
// it, saying so.
func runTable[C any](t *testing.T, test string, all []C, info func(C) caseInfo, run func(*testing.T, agent, C)) {
	seen := map[string]bool{}
	home := make([]int, len(all)) // the path a heavy case runs on by default
	heavy := 0
	for i, c := range all {
		ci := info(c)
		if seen[ci.id+"_"+ci.name] {
			t.Fatalf("two cases named %s_%s", ci.id, ci.name)
		}
		seen[ci.id+"_"+ci.name] = true
		if ci.heavy {
			home[i] = heavy % len(agents)
			heavy++
		}
	}
	for ai, a := range agents {
		t.Run(a.name, func(t *testing.T) {
			for i, c := range all {
				ci := info(c)
				t.Run(ci.id+"_"+ci.name, func(t *testing.T) {
					if ci.bug != "" {
						t.Skipf("BUG: %s. Reproduce: remove this Skip and run go test -race -run '%s/%s/%s_' ./internal/conformance",
							ci.bug, test, a.name, ci.id)
					}
					if ci.fullOnly && !testscale.Full() {
						t.Skipf("runs at the full scale only: %s=1", testscale.Env)
					}
					if ci.heavy && home[i] != ai && !testscale.Full() {
						t.Skipf("runs on the %s path only at the default scale; %s=1 runs it on every path", agents[home[i]].name, testscale.Env)
					}
					t.Parallel()
					run(t, a, c)
				})
			}
		})
	}
}

func runCase(t *testing.T, a agent, c *clientCase) { runCaseOver(t, overTCP, a, c) }

// runCaseOver runs a case with the script serving over the carrier.
func runCaseOver(t *testing.T, over carrier, a agent, c *clientCase) {
	if c.big {
		bigSlots <- struct{}{}
		defer func() { <-bigSlots }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	opts := append([]ws.Option{ws.ActiveMode(a.mode), ws.RecvTimeout(caseTimeout), ws.CloseTimeout(caseTimeout)}, over.opts...)
	srv, conn, err := startAndConnect(t, ctx, func() (scriptServer, error) { return over.serve(caseTimeout, c.script...) }, append(opts, c.opts...))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	got := a.run(conn, c.closes, c.closeAfter)
	conn.Close()
	if err := srv.Wait(caseTimeout); err != nil {
		t.Errorf("server: %v", err)
	}
	if err := endsAs(got, c.want); err != nil {
		t.Errorf("client: %v", err)
	}
}

// TestCaseCount logs how many cases each group holds, and holds the table
// to the size the suite promises.
func TestCaseCount(t *testing.T) {
	counts := map[string]int{}
	for _, c := range cases() {
		counts[c.id[:strings.IndexByte(c.id, '.')]]++
	}
	var groups []string
	for g := range counts {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		return len(groups[i]) < len(groups[j]) || len(groups[i]) == len(groups[j]) && groups[i] < groups[j]
	})
	var lines []string
	for _, g := range groups {
		lines = append(lines, fmt.Sprintf("group %s: %d", g, counts[g]))
	}
	t.Logf("%d cases, each run on %d receive paths:\n%s", len(cases()), len(agents), strings.Join(lines, "\n"))
	if len(cases()) < 300 {
		t.Errorf("%d cases, want at least 300", len(cases()))
	}
}
