package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// deflateCase is a conformance case of permessage-deflate (RFC 7692): the
// client offers offer, the server answers with answer; then the script,
// built for each connection, runs, and the connection must end as want.
// With refusal set, Connect must instead fail with a *ws.HandshakeError
// matching it.
type deflateCase struct {
	id, name string
	offer    ws.Deflate
	noOffer  bool // the client offers nothing: no ws.Compression
	answer   DeflateAnswer
	// terms are the parameters of answer, for the cases of ok and fail.
	terms response
	// agreed is what Conn.Compression must report; nil for no
	// compression.
	agreed  *ws.Deflate
	script  func(d *Deflate) []Step
	want    outcome
	refusal error
	opts    []ws.Option
	big     bool
	// heavy cases run on one receive path at the default scale (see
	// runTable), as big ones do: the compressed messages of 256 KiB
	// (group 12), and the cases of group 13, the parameters, which check
	// the negotiation and the compression both ways, which do not depend
	// on the receive path, and are many (184).
	heavy bool
	bug   string // when set, the case shows a bug and is skipped
}

// response is a server's acceptance by its parameters, a window size of
// zero standing for a parameter left out.
type response struct {
	snct, cnct   bool
	sbits, cbits int
}

// header writes the response as a Sec-WebSocket-Extensions value.
func (r response) header() string {
	h := "permessage-deflate"
	if r.snct {
		h += "; server_no_context_takeover"
	}
	if r.cnct {
		h += "; client_no_context_takeover"
	}
	if r.sbits != 0 {
		h += "; server_max_window_bits=" + strconv.Itoa(r.sbits)
	}
	if r.cbits != 0 {
		h += "; client_max_window_bits=" + strconv.Itoa(r.cbits)
	}
	return h
}

// orFull is a window size, zero standing for the full 15 bits.
func orFull(bits int) int {
	if bits == 0 {
		return deflate.MaxWindowBits
	}
	return bits
}

// accept returns the answer with r, with the parameters the server then
// uses, and what the client must take it for, by RFC 7692 section 7.1
// as written here, not as the code under test reads it. The client keeps
// the promises of its offer (client_no_context_takeover, a smaller
// client_max_window_bits) whatever the answer; the server holds it to
// them, decompressing with no more window than the client promised,
// which is stricter than section 7.2.2 asks of a server.
func accept(offer ws.Deflate, r response) (DeflateAnswer, *ws.Deflate) {
	agreed := &ws.Deflate{
		Threshold:               offer.Threshold,
		ClientNoContextTakeover: r.cnct || offer.ClientNoContextTakeover,
		ServerNoContextTakeover: r.snct,
		ClientMaxWindowBits:     min(orFull(r.cbits), orFull(offer.ClientMaxWindowBits)),
		ServerMaxWindowBits:     orFull(r.sbits),
	}
	p := &deflate.Params{
		Client: deflate.Settings{WindowBits: agreed.ClientMaxWindowBits, NoContextTakeover: agreed.ClientNoContextTakeover},
		Server: deflate.Settings{WindowBits: agreed.ServerMaxWindowBits, NoContextTakeover: r.snct},
	}
	return DeflateAnswer{Header: r.header(), Params: p}, agreed
}

// offerParams is the set of parameters the client's one offer must hold
// for d (section 7.1): client_max_window_bits always, with d's value if
// any.
func offerParams(d ws.Deflate) []string {
	ps := []string{"client_max_window_bits"}
	if d.ClientMaxWindowBits != 0 {
		ps[0] += "=" + strconv.Itoa(d.ClientMaxWindowBits)
	}
	if d.ServerMaxWindowBits != 0 {
		ps = append(ps, "server_max_window_bits="+strconv.Itoa(d.ServerMaxWindowBits))
	}
	if d.ClientNoContextTakeover {
		ps = append(ps, "client_no_context_takeover")
	}
	if d.ServerNoContextTakeover {
		ps = append(ps, "server_no_context_takeover")
	}
	sort.Strings(ps)
	return ps
}

// checkOffer is the first step of every case: the client's request
// carries one permessage-deflate offer with exactly the parameters of
// its Deflate, or none without ws.Compression.
func checkOffer(d *Deflate, c *deflateCase) Step {
	return Step{"check the offer", func(*Session) error {
		if c.noOffer {
			if len(d.Offer) != 0 {
				return fmt.Errorf("offer %q without ws.Compression", d.Offer)
			}
			return nil
		}
		if len(d.Offer) != 1 || strings.Contains(d.Offer[0], ",") {
			return fmt.Errorf("offer %q, want one element", d.Offer)
		}
		parts := strings.Split(d.Offer[0], ";")
		var got []string
		for _, p := range parts[1:] {
			got = append(got, strings.ReplaceAll(strings.TrimSpace(p), " ", ""))
		}
		sort.Strings(got)
		if strings.TrimSpace(parts[0]) != "permessage-deflate" || strings.Join(got, "; ") != strings.Join(offerParams(c.offer), "; ") {
			return fmt.Errorf("offer %q, want permessage-deflate with %q", d.Offer[0], offerParams(c.offer))
		}
		return nil
	}}
}

// deflateTable collects the cases; each subgroup numbers its own.
type deflateTable struct{ cases []*deflateCase }

type deflateGroup struct {
	t  *deflateTable
	id string
	n  int
}

func (t *deflateTable) sub(id string) *deflateGroup { return &deflateGroup{t: t, id: id} }

func (g *deflateGroup) add(c deflateCase) *deflateCase {
	g.n++
	c.id = fmt.Sprintf("%s.%d", g.id, g.n)
	g.t.cases = append(g.t.cases, &c)
	return &c
}

// ok adds a case the client must pass: offer, the server's acceptance r,
// the steps, then the server's clean close.
func (g *deflateGroup) ok(name string, offer ws.Deflate, r response, script func(d *Deflate) []Step) *deflateCase {
	answer, agreed := accept(offer, r)
	return g.add(deflateCase{name: name, offer: offer, answer: answer, terms: r, agreed: agreed, want: peerClosed(1000),
		script: func(d *Deflate) []Step { return append(script(d), serverClose()...) }})
}

// fail adds a case the client must fail with code: after the steps, its
// close frame with code, then the end of the TCP connection.
func (g *deflateGroup) fail(name string, code uint16, offer ws.Deflate, r response, script func(d *Deflate) []Step) *deflateCase {
	answer, agreed := accept(offer, r)
	return g.add(deflateCase{name: name, offer: offer, answer: answer, terms: r, agreed: agreed, want: failed(code),
		script: func(d *Deflate) []Step {
			var steps []Step
			for _, st := range script(d) {
				steps = append(steps, UntilClosed(st))
			}
			return append(steps, ExpectClose(code), ExpectEOF())
		}})
}

// refused adds a case whose answer header Connect must refuse with a
// *ws.HandshakeError matching want, closing the connection.
func (g *deflateGroup) refused(name, header string, want error) *deflateCase {
	return g.add(deflateCase{name: name, answer: DeflateAnswer{Header: header}, refusal: want,
		script: func(*Deflate) []Step { return []Step{ExpectEOF()} }})
}

// message is a data message of a script.
type message struct {
	op proto.Opcode
	p  []byte
}

// echoes sends each message compressed, in the form form gives, and
// expects the client's echo, compressed unless under the threshold.
func echoes(d *Deflate, msgs []message, threshold int, form Compressed) []Step {
	var steps []Step
	for _, m := range msgs {
		f := form
		f.Op, f.Payload = m.op, m.p
		steps = append(steps, d.Send(f), ExpectDeflated(m.op, m.p, len(m.p) >= threshold))
	}
	return steps
}

// messagesOf returns, once built and then shared by every run of the
// case, count messages of n bytes cut from one stream.
func messagesOf(op proto.Opcode, n, count int, seed uint64) func() []message {
	return sync.OnceValue(func() []message {
		s := newStream(op, seed)
		msgs := make([]message, count)
		for i := range msgs {
			msgs[i] = message{op, s.next(n)}
		}
		return msgs
	})
}

var (
	deflateOnce  sync.Once
	deflateCases []*deflateCase
)

// allDeflateCases returns the table, built once for the three receive
// paths. Groups 12 and 13 are Autobahn's (compressed payloads, and
// parameters); 14 holds the faults, 15 the handshakes to refuse.
func allDeflateCases() []*deflateCase {
	deflateOnce.Do(func() {
		t := &deflateTable{}
		deflatePayloadCases(t)
		first := len(t.cases)
		deflateParameterCases(t)
		for _, c := range t.cases[first:] {
			c.heavy = true
		}
		deflateFaultCases(t)
		deflateHandshakeCases(t)
		deflateCases = t.cases
	})
	return deflateCases
}

func TestDeflateConformance(t *testing.T) {
	runTable(t, "TestDeflateConformance", allDeflateCases(), func(c *deflateCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: c.big || c.heavy}
	}, runDeflateCase)
}

func runDeflateCase(t *testing.T, a agent, c *deflateCase) { runDeflateCaseOver(t, overTCP, a, c) }

// runDeflateCaseOver runs a case with the script serving over the carrier.
func runDeflateCaseOver(t *testing.T, over carrier, a agent, c *deflateCase) {
	if c.big {
		bigSlots <- struct{}{}
		defer func() { <-bigSlots }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	opts := append([]ws.Option{ws.ActiveMode(a.mode), ws.RecvTimeout(caseTimeout), ws.CloseTimeout(caseTimeout)}, over.opts...)
	if !c.noOffer {
		opts = append(opts, ws.Compression(c.offer))
	}
	srv, conn, err := startAndConnect(t, ctx, func() (scriptServer, error) {
		return over.serveDeflate(caseTimeout, c.answer, func(d *Deflate) []Step {
			return append([]Step{checkOffer(d, c)}, c.script(d)...)
		})
	}, append(opts, c.opts...))
	if c.refusal != nil {
		var he *ws.HandshakeError
		if err == nil {
			conn.Close()
		}
		if !errors.As(err, &he) || he.Header != "Sec-WebSocket-Extensions" || !errors.Is(err, c.refusal) {
			t.Errorf("Connect: %v, want a *ws.HandshakeError on Sec-WebSocket-Extensions matching %v", err, c.refusal)
		}
		if err := srv.Wait(caseTimeout); err != nil {
			t.Errorf("server: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	got, ok := conn.Compression()
	if want := c.agreed; ok != (want != nil) || ok && got != *want {
		t.Errorf("Compression() = %+v, %t; want %+v", got, ok, want)
	}
	end := a.run(conn, false, 0)
	conn.Close()
	if err := srv.Wait(caseTimeout); err != nil {
		t.Errorf("server: %v", err)
	}
	if err := endsAs(end, c.want); err != nil {
		t.Errorf("client: %v", err)
	}
}

// TestDeflateCaseCount logs how many cases each group holds.
func TestDeflateCaseCount(t *testing.T) {
	counts := map[string]int{}
	var groups []string
	for _, c := range allDeflateCases() {
		g := c.id[:strings.LastIndexByte(c.id, '.')]
		if counts[g] == 0 {
			groups = append(groups, g)
		}
		counts[g]++
	}
	var lines []string
	for _, g := range groups {
		lines = append(lines, fmt.Sprintf("group %s: %d", g, counts[g]))
	}
	t.Logf("%d permessage-deflate cases, each run on %d receive paths:\n%s", len(allDeflateCases()), len(agents), strings.Join(lines, "\n"))
}
