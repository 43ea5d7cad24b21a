package conformance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// clientOffer is one permessage-deflate offer a client can make, by its
// parameters (RFC 7692 section 7.1).
type clientOffer struct {
	snct, cnct bool
	sbits      int // server_max_window_bits: 0 when not offered
	cbits      int // client_max_window_bits: -1 when not offered, 0 bare, or its value
}

// header writes the offer as a Sec-WebSocket-Extensions element.
func (o clientOffer) header() string {
	h := "permessage-deflate"
	if o.snct {
		h += "; server_no_context_takeover"
	}
	if o.cnct {
		h += "; client_no_context_takeover"
	}
	if o.sbits != 0 {
		h += "; server_max_window_bits=" + strconv.Itoa(o.sbits)
	}
	switch {
	case o.cbits == 0:
		h += "; client_max_window_bits"
	case o.cbits > 0:
		h += "; client_max_window_bits=" + strconv.Itoa(o.cbits)
	}
	return h
}

// smallest is the smaller of two window sizes, zero standing for none.
func smallest(a, b int) int {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// serverAnswer is what a server on terms (its Compression option) must
// answer to offer, by RFC 7692 section 7.1 as written here, not as the
// code under test reads it, and the parameters the two ends then use.
// The server meets the offer's requests (server_no_context_takeover,
// section 7.1.1.1; server_max_window_bits, at most the value offered,
// section 7.1.2.1), adds its own terms, and takes the client's hints
// (client_no_context_takeover; client_max_window_bits with a value, which
// it may answer only if offered, section 7.1.2.2), as ws.Accept says it
// does.
func serverAnswer(offer clientOffer, terms ws.Deflate) (response, *deflate.Params) {
	r := response{
		snct:  offer.snct || terms.ServerNoContextTakeover,
		cnct:  offer.cnct || terms.ClientNoContextTakeover,
		sbits: smallest(offer.sbits, terms.ServerMaxWindowBits),
	}
	if offer.cbits >= 0 {
		r.cbits = smallest(offer.cbits, terms.ClientMaxWindowBits)
	}
	return r, &deflate.Params{
		Client: deflate.Settings{WindowBits: orFull(r.cbits), NoContextTakeover: r.cnct},
		Server: deflate.Settings{WindowBits: orFull(r.sbits), NoContextTakeover: r.snct},
	}
}

// parseAnswer reads a server's Sec-WebSocket-Extensions answer to offer
// by the grammar of RFC 6455 section 9.1 and the rules of RFC 7692
// section 7.1: one permessage-deflate element, each parameter once,
// window sizes 8 to 15, client_max_window_bits only if offered.
func parseAnswer(values []string, offer clientOffer) (response, error) {
	var r response
	elements := strings.Split(strings.Join(values, ","), ",")
	if len(elements) != 1 {
		return r, fmt.Errorf("answer %q: want one extension", values)
	}
	parts := strings.Split(elements[0], ";")
	if !strings.EqualFold(strings.TrimSpace(parts[0]), "permessage-deflate") {
		return r, fmt.Errorf("answer %q: not permessage-deflate", values)
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		name, value, hasValue := strings.Cut(strings.TrimSpace(p), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if seen[name] {
			return r, fmt.Errorf("answer %q: %s twice", values, name)
		}
		seen[name] = true
		bits := 0
		if strings.HasSuffix(name, "_max_window_bits") {
			b, err := strconv.Atoi(value)
			if err != nil || b < 8 || b > 15 || !hasValue {
				return r, fmt.Errorf("answer %q: %s=%q", values, name, value)
			}
			bits = b
		} else if hasValue {
			return r, fmt.Errorf("answer %q: %s with a value", values, name)
		}
		switch name {
		case "server_no_context_takeover":
			r.snct = true
		case "client_no_context_takeover":
			r.cnct = true
		case "server_max_window_bits":
			r.sbits = bits
		case "client_max_window_bits":
			if offer.cbits < 0 {
				return r, fmt.Errorf("answer %q: client_max_window_bits, which the client did not offer", values)
			}
			r.cbits = bits
		default:
			return r, fmt.Errorf("answer %q: unknown parameter %s", values, name)
		}
	}
	return r, nil
}

// serverDeflateCase is a permessage-deflate case of the server role: the
// script, playing the client, offers offers (the values of its
// Sec-WebSocket-Extensions headers), meant to be answered as chosen
// would be, to ws.Accept with terms (nil: no Compression option); the
// server must answer with answer (nil: declining compression), or,
// with status set, refuse the handshake with it.
type serverDeflateCase struct {
	id, name string
	offers   []string
	chosen   clientOffer
	terms    *ws.Deflate
	answer   *response
	params   *deflate.Params
	status   int
	script   func(d *Deflate) []Step
	want     outcome
	opts     []ws.Option
	big      bool
	bug      string
}

// checkAnswer is the first step of every case: the server's answer is
// the one wanted, or none.
func checkAnswer(d *Deflate, c *serverDeflateCase) Step {
	return Step{"check the answer", func(*Session) error {
		if c.answer == nil {
			if len(d.Answer) != 0 {
				return fmt.Errorf("answer %q, want none", d.Answer)
			}
			return nil
		}
		got, err := parseAnswer(d.Answer, c.chosen)
		if err != nil {
			return err
		}
		if got != *c.answer {
			return fmt.Errorf("answer %q, want %q", d.Answer, c.answer.header())
		}
		return nil
	}}
}

type serverDeflateTable struct{ cases []*serverDeflateCase }

type serverDeflateGroup struct {
	t  *serverDeflateTable
	id string
	n  int
}

func (t *serverDeflateTable) sub(id string) *serverDeflateGroup {
	return &serverDeflateGroup{t: t, id: id}
}

func (g *serverDeflateGroup) add(c serverDeflateCase) *serverDeflateCase {
	g.n++
	c.id = fmt.Sprintf("%s.%d", g.id, g.n)
	g.t.cases = append(g.t.cases, &c)
	return &c
}

// ok adds a case the server must pass: it takes offers on terms as it
// must take chosen, the steps run, then the script's clean close.
func (g *serverDeflateGroup) ok(name string, offers []string, chosen clientOffer, terms ws.Deflate, script func(d *Deflate) []Step) *serverDeflateCase {
	r, p := serverAnswer(chosen, terms)
	return g.add(serverDeflateCase{name: name, offers: offers, chosen: chosen, terms: &terms, answer: &r, params: p,
		want: peerClosed(1000), script: func(d *Deflate) []Step { return append(script(d), serverClose()...) }})
}

// declined adds a case the server answers without compression, on terms
// (nil: no Compression option): messages go plain both ways.
func (g *serverDeflateGroup) declined(name string, offers []string, terms *ws.Deflate) *serverDeflateCase {
	return g.add(serverDeflateCase{name: name, offers: offers, terms: terms, want: peerClosed(1000), script: func(*Deflate) []Step {
		var steps []Step
		for _, m := range plainMessages() {
			steps = append(steps, WriteFrames(Msg(m.op, m.p)), ExpectDeflated(m.op, m.p, false))
		}
		return append(steps, serverClose()...)
	}})
}

// refused adds a case whose offers Accept must refuse with status.
func (g *serverDeflateGroup) refused(name string, offers []string, status int) *serverDeflateCase {
	return g.add(serverDeflateCase{name: name, offers: offers, terms: &ws.Deflate{}, status: status})
}

var plainMessages = messagesOf(proto.OpText, 4<<10, 3, 16)

// swapOffer is the offer that mirrors the client's offer d: each
// parameter turned to the other end (server_* for client_*), so that
// a case that checks how the client holds the server to a parameter
// checks how the server holds the client to it. client_max_window_bits
// is offered always, as the client offers it.
func swapOffer(d ws.Deflate) clientOffer {
	return clientOffer{snct: d.ClientNoContextTakeover, cnct: d.ServerNoContextTakeover, sbits: d.ClientMaxWindowBits, cbits: d.ServerMaxWindowBits}
}

// swapTerms are the server's terms that mirror the answer r.
func swapTerms(r response, threshold int) ws.Deflate {
	return ws.Deflate{ServerNoContextTakeover: r.cnct, ClientNoContextTakeover: r.snct,
		ServerMaxWindowBits: r.cbits, ClientMaxWindowBits: r.sbits, Threshold: threshold}
}

var (
	serverDeflateOnce  sync.Once
	serverDeflateCases []*serverDeflateCase
)

// allServerDeflateCases returns the table of the server role: groups 12
// and 14 of the client's, mirrored (compressed messages both ways, and
// the faults: data that does not decompress or reaches beyond the window
// agreed, RSV1 on a control frame or a continuation, text that is not
// UTF-8 once decompressed, bombs past MaxMessageSize); then every offer
// a client can make (group 16), the offers the server declines (17) and
// those it refuses with 400 (18).
func allServerDeflateCases() []*serverDeflateCase {
	serverDeflateOnce.Do(func() {
		t := &serverDeflateTable{}
		for _, c := range allDeflateCases() {
			if !strings.HasPrefix(c.id, "12.") && !strings.HasPrefix(c.id, "14.") {
				continue
			}
			offer, terms := swapOffer(c.offer), swapTerms(c.terms, c.offer.Threshold)
			r, p := serverAnswer(offer, terms)
			t.cases = append(t.cases, &serverDeflateCase{id: c.id, name: c.name, offers: []string{offer.header()},
				chosen: offer, terms: &terms, answer: &r, params: p, script: c.script, want: c.want, opts: c.opts, big: c.big})
		}
		offerCases(t)
		declinedOfferCases(t)
		refusedOfferCases(t)
		serverDeflateCases = t.cases
	})
	return serverDeflateCases
}

// TestServerDeflateConformance runs the server role's permessage-deflate
// cases, each on one receive path at the default scale, as
// TestServerConformance does. The big ones (compressed messages of a MiB
// and more, seconds each under the race detector on a busy machine) run
// at the full scale only: the code that compresses and decompresses them
// is the same in either role, and TestDeflateConformance runs them at
// every scale.
func TestServerDeflateConformance(t *testing.T) {
	runTable(t, "TestServerDeflateConformance", allServerDeflateCases(), func(c *serverDeflateCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: true, fullOnly: c.big}
	}, runServerDeflateCase)
}

func runServerDeflateCase(t *testing.T, a agent, c *serverDeflateCase) {
	if c.big {
		bigSlots <- struct{}{}
		defer func() { <-bigSlots }()
	}
	opts := c.opts
	if c.terms != nil {
		opts = append([]ws.Option{ws.Compression(*c.terms)}, opts...)
	}
	agreed := make(chan *ws.Deflate, 1)
	srv, ended := acceptServer(a, false, 0, func(conn *ws.Conn) {
		if d, ok := conn.Compression(); ok {
			agreed <- &d
		} else {
			agreed <- nil
		}
	}, opts...)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	if c.status != 0 {
		if err := refusedHandshake(addr, c.offers, c.status); err != nil {
			t.Error(err)
		}
		got, ok := agentEnding(t, ended)
		var he *ws.HTTPError
		if ok && (!errors.As(got.err, &he) || he.StatusCode != c.status) {
			t.Errorf("Accept: %v, want an *ws.HTTPError with status %d", got.err, c.status)
		}
		return
	}
	err := DialDeflate(addr, caseTimeout, c.offers, c.params, func(d *Deflate) []Step {
		return append([]Step{checkAnswer(d, c)}, c.script(d)...)
	})
	if err != nil {
		t.Errorf("client: %v", err)
	}
	got, ok := agentEnding(t, ended)
	if !ok {
		return
	}
	if err := endsAs(got, c.want); err != nil {
		t.Errorf("server: %v", err)
	}
	var want *ws.Deflate
	if p := c.params; p != nil {
		want = &ws.Deflate{Threshold: c.terms.Threshold,
			ClientNoContextTakeover: p.Client.NoContextTakeover, ServerNoContextTakeover: p.Server.NoContextTakeover,
			ClientMaxWindowBits: p.Client.WindowBits, ServerMaxWindowBits: p.Server.WindowBits}
	}
	if d := <-agreed; (d == nil) != (want == nil) || d != nil && *d != *want {
		t.Errorf("server: Compression() = %+v, want %+v", d, want)
	}
}

// refusedHandshake sends an opening handshake with offers and checks
// that the server answers with status and a body saying why, and closes
// nothing it should not: the answer is whole.
func refusedHandshake(addr string, offers []string, status int) error {
	nc, err := net.DialTimeout("tcp", addr, caseTimeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	resp, err := clientHandshake(nc, bufio.NewReader(nc), addr, caseTimeout, http.Header{"Sec-WebSocket-Extensions": offers})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	nc.SetDeadline(time.Now().Add(caseTimeout))
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("the body of the %s: %w", resp.Status, err)
	}
	if resp.StatusCode != status || len(body) == 0 {
		return fmt.Errorf("offer %q: %s with %q, want %d with a body", offers, resp.Status, body, status)
	}
	return nil
}

// offerCases is group 16: every offer a client can make (RFC 7692
// section 7.1), each parameter with and without its value, against
// servers of every kind of terms, each checked both ways with messages
// that repeat themselves at the edges of every window size and across
// messages; several offers, of which the server takes the first it can;
// the grammar of RFC 6455 section 9.1.
func offerCases(t *serverDeflateTable) {
	echo := func(op proto.Opcode, seed uint64) func(d *Deflate) []Step {
		msgs := windowMessages(op, seed)
		return func(d *Deflate) []Step { return echoes(d, msgs(), 0, Compressed{}) }
	}
	one := func(o clientOffer) []string { return []string{o.header()} }
	g := t.sub("16.1")
	for _, offered := range []int{-1, 0, 8, 9, 10, 11, 12, 13, 14, 15} {
		for _, termBits := range []int{0, 8, 12, 15} {
			o := clientOffer{cbits: offered}
			name := map[int]string{-1: "none", 0: "bare"}[offered]
			if offered > 0 {
				name = strconv.Itoa(offered)
			}
			g.ok(fmt.Sprintf("client_max_window_bits_offered_%s_server_terms_%s", name, bitsName(termBits, "none")),
				one(o), o, ws.Deflate{ClientMaxWindowBits: termBits}, echo(proto.OpBinary, uint64(offered*16+termBits)))
		}
	}
	g = t.sub("16.2")
	for _, offered := range []int{0, 8, 9, 10, 11, 12, 13, 14, 15} {
		for _, termBits := range []int{0, 8, 12, 15} {
			o := clientOffer{sbits: offered, cbits: -1}
			g.ok(fmt.Sprintf("server_max_window_bits_offered_%s_server_terms_%s", bitsName(offered, "none"), bitsName(termBits, "none")),
				one(o), o, ws.Deflate{ServerMaxWindowBits: termBits}, echo(proto.OpText, uint64(offered*16+termBits)))
		}
	}
	g = t.sub("16.3")
	for _, oc := range []bool{false, true} {
		for _, os := range []bool{false, true} {
			for _, tc := range []bool{false, true} {
				for _, ts := range []bool{false, true} {
					o := clientOffer{cnct: oc, snct: os, cbits: -1}
					msgs := messagesOf(proto.OpText, 3<<10, 8, uint64(len(t.cases)))
					g.ok(fmt.Sprintf("offer_cnct_%t_snct_%t_terms_cnct_%t_snct_%t", oc, os, tc, ts), one(o), o,
						ws.Deflate{ClientNoContextTakeover: tc, ServerNoContextTakeover: ts},
						func(d *Deflate) []Step { return echoes(d, msgs(), 0, Compressed{}) })
				}
			}
		}
	}
	g = t.sub("16.4")
	for bits := 8; bits <= 15; bits++ {
		o := clientOffer{snct: true, cnct: true, sbits: bits, cbits: bits}
		g.ok(fmt.Sprintf("every_parameter_windows_%d", bits), one(o), o, ws.Deflate{}, echo(proto.OpText, uint64(bits)))
	}
	every := ws.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 10}
	g.ok("bare_offer_server_terms_every_parameter", one(clientOffer{cbits: 0}), clientOffer{cbits: 0}, every, echo(proto.OpBinary, 1))
	g.ok("offer_without_parameters_server_terms_every_parameter", one(clientOffer{cbits: -1}), clientOffer{cbits: -1}, every, echo(proto.OpBinary, 2))

	// Sections 5 and 7: the client lists its offers in its order of
	// preference; the server takes the first it can accept.
	g = t.sub("16.5")
	for _, e := range []struct {
		name   string
		offers []string
		chosen clientOffer
	}{
		{"two_offers_first_taken", []string{"permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate"},
			clientOffer{sbits: 10, cbits: 0}},
		{"first_offer_invalid_value_second_taken", []string{"permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover"},
			clientOffer{cnct: true, cbits: -1}},
		{"first_offer_unknown_parameter_second_taken", []string{"permessage-deflate; foo, permessage-deflate; server_no_context_takeover"},
			clientOffer{snct: true, cbits: -1}},
		{"first_offer_parameter_twice_second_taken", []string{"permessage-deflate; client_max_window_bits=9; client_max_window_bits=10, permessage-deflate; client_max_window_bits=11"},
			clientOffer{cbits: 11}},
		{"offers_on_two_header_lines", []string{"permessage-deflate; x-foo=1", "permessage-deflate; client_max_window_bits=9"},
			clientOffer{cbits: 9}},
		{"three_offers_last_taken", []string{"permessage-deflate; server_max_window_bits, permessage-deflate; server_no_context_takeover=1, permessage-deflate; server_max_window_bits=12"},
			clientOffer{sbits: 12, cbits: -1}},
		{"other_extension_first", []string{"x-webkit-deflate-frame, permessage-deflate"}, clientOffer{cbits: -1}},
		{"other_extension_with_parameters_after", []string{"permessage-deflate; client_max_window_bits, permessage-bzip2; level=9"}, clientOffer{cbits: 0}},
		{"names_in_another_case", []string{"PerMessage-Deflate; Server_No_Context_Takeover; CLIENT_MAX_WINDOW_BITS=9"}, clientOffer{snct: true, cbits: 9}},
		{"spaces_and_tabs", []string{"permessage-deflate ;\tclient_no_context_takeover ; server_max_window_bits = 10"}, clientOffer{cnct: true, sbits: 10, cbits: -1}},
		{"quoted_values", []string{`permessage-deflate; server_max_window_bits="11"; client_max_window_bits="12"`}, clientOffer{sbits: 11, cbits: 12}},
		{"empty_elements", []string{", permessage-deflate; client_no_context_takeover ,"}, clientOffer{cnct: true, cbits: -1}},
	} {
		g.ok(e.name, e.offers, e.chosen, ws.Deflate{}, echo(proto.OpBinary, uint64(len(t.cases))))
	}
}

// declinedOfferCases is group 17: offers the server must decline (RFC
// 7692 section 7: a parameter it does not define, one twice, an invalid
// value, and extensions other than permessage-deflate), answering 101
// without the extension; a server without the Compression option; a
// client that offers nothing. Messages then go uncompressed both ways.
func declinedOfferCases(t *serverDeflateTable) {
	g := t.sub("17.1")
	for _, e := range []struct{ name, offer string }{
		{"unknown_parameter", "permessage-deflate; foo"},
		{"unknown_parameter_with_value", "permessage-deflate; foo=1"},
		{"unknown_parameter_after_known_ones", "permessage-deflate; client_max_window_bits; x-webkit=1"},
		{"server_no_context_takeover_twice", "permessage-deflate; server_no_context_takeover; server_no_context_takeover"},
		{"client_no_context_takeover_twice", "permessage-deflate; client_no_context_takeover; client_no_context_takeover"},
		{"server_max_window_bits_twice", "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"},
		{"client_max_window_bits_twice", "permessage-deflate; client_max_window_bits; client_max_window_bits=9"},
		{"twice_in_another_case", "permessage-deflate; server_no_context_takeover; SERVER_NO_CONTEXT_TAKEOVER"},
		{"server_no_context_takeover_with_value", "permessage-deflate; server_no_context_takeover=1"},
		{"client_no_context_takeover_with_quoted_value", `permessage-deflate; client_no_context_takeover="x"`},
		// Section 7.1.2.1: in an offer, server_max_window_bits has a value.
		{"server_max_window_bits_without_value", "permessage-deflate; server_max_window_bits"},
		{"other_extension_only", "x-webkit-deflate-frame"},
		{"other_extensions_only", "permessage-bzip2, x-foo; bar=1"},
	} {
		g.declined(e.name, []string{e.offer}, &ws.Deflate{})
	}
	g = t.sub("17.2")
	for _, name := range []string{"server_max_window_bits", "client_max_window_bits"} {
		for _, v := range []string{"7", "16", "0", "010", "+9", "9.0", "ten", `"7"`, "99999999999999999999"} {
			g.declined(fmt.Sprintf("%s_%s", name, v), []string{fmt.Sprintf("permessage-deflate; %s=%s", name, v)}, &ws.Deflate{})
		}
	}
	g = t.sub("17.3")
	g.declined("server_without_compression", []string{"permessage-deflate; client_max_window_bits"}, nil)
	g.declined("server_without_compression_malformed_offer", []string{"permessage-deflate;"}, nil)
	g.declined("not_offered", nil, &ws.Deflate{})
}

// refusedOfferCases is group 18: a Sec-WebSocket-Extensions header
// outside the grammar of RFC 6455 section 9.1 makes the request
// malformed, which a server with the Compression option refuses with 400
// and a body saying why.
func refusedOfferCases(t *serverDeflateTable) {
	g := t.sub("18.1")
	for _, e := range []struct{ name, offer string }{
		{"unterminated_quoted_value", `permessage-deflate; server_max_window_bits="10`},
		{"trailing_semicolon", "permessage-deflate;"},
		{"parameter_without_name", "permessage-deflate; =10"},
		{"empty_list", " , "},
		{"value_after_a_space_in_a_name", "permessage-deflate; client max_window_bits"},
		{"quoted_value_not_a_token", `permessage-deflate; server_max_window_bits="1 0"`},
	} {
		g.refused(e.name, []string{e.offer}, http.StatusBadRequest)
	}
}
