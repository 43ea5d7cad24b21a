package deflate

import (
	"errors"
	"fmt"
	"testing"
)

func TestNegotiate(t *testing.T) {
	full := Settings{WindowBits: 15}
	tests := []struct {
		name   string
		config ServerConfig
		offer  []string
		want   string // "" when declined
		params Params
	}{
		{"no header", ServerConfig{}, nil, "", Params{}},
		{"bare", ServerConfig{}, []string{"permessage-deflate"}, "permessage-deflate", Params{full, full}},
		{"name in another case", ServerConfig{}, []string{"Permessage-Deflate"}, "permessage-deflate", Params{full, full}},
		{"other extensions left out", ServerConfig{}, []string{"x-webkit-deflate-frame, permessage-deflate, permessage-bzip2"},
			"permessage-deflate", Params{full, full}},
		// Section 7.1.1.1: a request the server must meet.
		{"server_no_context_takeover asked", ServerConfig{}, []string{"permessage-deflate; server_no_context_takeover"},
			"permessage-deflate; server_no_context_takeover", Params{full, Settings{15, true}}},
		{"server_no_context_takeover unasked", ServerConfig{ServerNoContextTakeover: true}, []string{"permessage-deflate"},
			"permessage-deflate; server_no_context_takeover", Params{full, Settings{15, true}}},
		// Section 7.1.1.2: the server may impose it, and takes the
		// client's hint.
		{"client_no_context_takeover imposed", ServerConfig{ClientNoContextTakeover: true}, []string{"permessage-deflate"},
			"permessage-deflate; client_no_context_takeover", Params{Settings{15, true}, full}},
		{"client_no_context_takeover hinted", ServerConfig{}, []string{"permessage-deflate; client_no_context_takeover"},
			"permessage-deflate; client_no_context_takeover", Params{Settings{15, true}, full}},
		// Section 7.1.2.1: the same value or a smaller one, or added
		// unasked.
		{"server_max_window_bits asked", ServerConfig{}, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=10", Params{full, Settings{10, false}}},
		{"server_max_window_bits smaller than asked", ServerConfig{ServerMaxWindowBits: 9}, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=9", Params{full, Settings{9, false}}},
		{"server_max_window_bits larger configured", ServerConfig{ServerMaxWindowBits: 12}, []string{"permessage-deflate; server_max_window_bits=10"},
			"permessage-deflate; server_max_window_bits=10", Params{full, Settings{10, false}}},
		{"server_max_window_bits unasked", ServerConfig{ServerMaxWindowBits: 8}, []string{"permessage-deflate"},
			"permessage-deflate; server_max_window_bits=8", Params{full, Settings{8, false}}},
		{"quoted value", ServerConfig{}, []string{`permessage-deflate; server_max_window_bits="11"`},
			"permessage-deflate; server_max_window_bits=11", Params{full, Settings{11, false}}},
		// Section 7.1.2.2: only when offered; the offered value is taken.
		{"client_max_window_bits bare", ServerConfig{}, []string{"permessage-deflate; client_max_window_bits"},
			"permessage-deflate", Params{full, full}},
		{"client_max_window_bits limited", ServerConfig{ClientMaxWindowBits: 10}, []string{"permessage-deflate; client_max_window_bits"},
			"permessage-deflate; client_max_window_bits=10", Params{Settings{10, false}, full}},
		{"client_max_window_bits offered value", ServerConfig{}, []string{"permessage-deflate; client_max_window_bits=12"},
			"permessage-deflate; client_max_window_bits=12", Params{Settings{12, false}, full}},
		{"client_max_window_bits smaller configured", ServerConfig{ClientMaxWindowBits: 9}, []string{"permessage-deflate; client_max_window_bits=12"},
			"permessage-deflate; client_max_window_bits=9", Params{Settings{9, false}, full}},
		{"client_max_window_bits not offered", ServerConfig{ClientMaxWindowBits: 9}, []string{"permessage-deflate"},
			"permessage-deflate", Params{full, full}},
		{"parameter names in another case", ServerConfig{}, []string{"permessage-deflate; Client_Max_Window_Bits=8; SERVER_NO_CONTEXT_TAKEOVER"},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=8", Params{Settings{8, false}, Settings{15, true}}},
		// Section 7.1.3's example of a fallback: the first offer wins.
		{"first of two offers", ServerConfig{}, []string{"permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits"},
			"permessage-deflate; server_max_window_bits=10", Params{full, Settings{10, false}}},
		// Section 7: an offer the server must decline gives way to the
		// next one.
		{"unknown parameter, then a fallback", ServerConfig{}, []string{"permessage-deflate; x", "permessage-deflate; server_no_context_takeover"},
			"permessage-deflate; server_no_context_takeover", Params{full, Settings{15, true}}},
		{
			"everything",
			ServerConfig{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 13, ClientMaxWindowBits: 11},
			[]string{"permessage-deflate;server_max_window_bits = 14;\tclient_max_window_bits"},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=13; client_max_window_bits=11",
			Params{Settings{11, true}, Settings{13, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.config.Validate(); err != nil {
				t.Fatal(err)
			}
			got, p, err := tt.config.Negotiate(tt.offer)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || (p == nil) != (tt.want == "") || p != nil && *p != tt.params {
				t.Fatalf("got %q %+v, want %q %+v", got, p, tt.want, tt.params)
			}
		})
	}
}

// TestNegotiateDeclines: section 7's reasons to decline an offer, each
// alone in the request, so that nothing is accepted.
func TestNegotiateDeclines(t *testing.T) {
	for _, offer := range []string{
		"x-webkit-deflate-frame",
		"permessage-deflate; x",
		"permessage-deflate; x=1",
		"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
		"permessage-deflate; client_max_window_bits; Client_Max_Window_Bits=10",
		"permessage-deflate; server_no_context_takeover=1",
		`permessage-deflate; client_no_context_takeover="x"`,
		"permessage-deflate; server_max_window_bits",
		"permessage-deflate; server_max_window_bits=7",
		"permessage-deflate; server_max_window_bits=16",
		"permessage-deflate; server_max_window_bits=010",
		"permessage-deflate; client_max_window_bits=0",
		"permessage-deflate; client_max_window_bits=ten",
		"permessage-deflate; client_max_window_bits=99999999999999999999",
		// Each of two offers has a fault.
		"permessage-deflate; y, permessage-deflate; server_max_window_bits=20",
	} {
		got, p, err := ServerConfig{}.Negotiate([]string{offer})
		if err != nil || got != "" || p != nil {
			t.Errorf("%q: got %q %+v %v, want it declined", offer, got, p, err)
		}
	}
}

func TestNegotiateSyntax(t *testing.T) {
	for _, v := range [][]string{{""}, {"permessage-deflate; server_max_window_bits=\"10"}, {"permessage-deflate", "a b"}} {
		if got, p, err := (ServerConfig{}).Negotiate(v); !errors.Is(err, ErrExtensionSyntax) || got != "" || p != nil {
			t.Errorf("%q: got %q %+v %v, want ErrExtensionSyntax", v, got, p, err)
		}
	}
}

func TestServerConfigValidate(t *testing.T) {
	for _, c := range []ServerConfig{{ServerMaxWindowBits: 7}, {ServerMaxWindowBits: 16}, {ClientMaxWindowBits: -1}, {ClientMaxWindowBits: 16}} {
		if c.Validate() == nil {
			t.Errorf("%+v: valid", c)
		}
	}
}

// TestNegotiateAgrees: for every offer the client can make and a range of
// server configurations, the client's Accept takes the server's response
// and ends with the same parameters as the server: both ends of a
// connection agree on both directions. The server's terms hold too: its
// window never passes what it was configured with or asked for.
func TestNegotiateAgrees(t *testing.T) {
	bits := []int{0, 8, 9, 10, 11, 12, 13, 14, 15}
	var offers []Offer
	for _, cnct := range []bool{false, true} {
		for _, snct := range []bool{false, true} {
			for _, cw := range []bool{false, true} {
				for _, cb := range bits {
					for _, sb := range bits {
						offers = append(offers, Offer{ClientNoContextTakeover: cnct, ServerNoContextTakeover: snct,
							ClientMaxWindow: cw, ClientMaxWindowBits: cb, ServerMaxWindowBits: sb})
					}
				}
			}
		}
	}
	var configs []ServerConfig
	for _, cnct := range []bool{false, true} {
		for _, snct := range []bool{false, true} {
			for _, cb := range []int{0, 8, 11, 15} {
				for _, sb := range []int{0, 8, 12, 15} {
					configs = append(configs, ServerConfig{ClientNoContextTakeover: cnct, ServerNoContextTakeover: snct, ClientMaxWindowBits: cb, ServerMaxWindowBits: sb})
				}
			}
		}
	}
	for _, c := range configs {
		for _, o := range offers {
			name := fmt.Sprintf("%+v to %+v", o, c)
			header, sp, err := c.Negotiate([]string{o.Header()})
			if err != nil || sp == nil {
				t.Fatalf("%s: declined (%v)", name, err)
			}
			cp, err := o.Accept([]string{header})
			if err != nil {
				t.Fatalf("%s: the client refuses %q: %v", name, header, err)
			}
			if *cp != *sp {
				t.Fatalf("%s: %q: client has %+v, server %+v", name, header, *cp, *sp)
			}
			if c.ServerMaxWindowBits != 0 && sp.Server.WindowBits > c.ServerMaxWindowBits ||
				c.ClientMaxWindowBits != 0 && (o.ClientMaxWindow || o.ClientMaxWindowBits != 0) && sp.Client.WindowBits > c.ClientMaxWindowBits ||
				c.ServerNoContextTakeover && !sp.Server.NoContextTakeover || c.ClientNoContextTakeover && !sp.Client.NoContextTakeover {
				t.Fatalf("%s: %q: %+v breaks the server's terms", name, header, *sp)
			}
		}
	}
}

// FuzzNegotiate answers arbitrary Sec-WebSocket-Extensions requests with
// a configuration the fuzzer builds. Besides not panicking: a request is
// refused only for its syntax; an answer is one permessage-deflate element
// that a client accepts as it stands (Accept with the most permissive
// offer), ending with the server's parameters, within the server's terms.
func FuzzNegotiate(f *testing.F) {
	f.Add("permessage-deflate", uint8(0), uint8(0), uint8(0))
	f.Add("permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate", uint8(3), uint8(12), uint8(0))
	f.Add(`x, permessage-deflate;server_max_window_bits="9"; client_no_context_takeover`, uint8(0), uint8(0), uint8(10))
	f.Add("permessage-deflate; x, PERMESSAGE-DEFLATE;\tClient_Max_Window_Bits = 15", uint8(2), uint8(8), uint8(15))
	f.Fuzz(func(t *testing.T, request string, flags, clientBits, serverBits uint8) {
		c := ServerConfig{ServerNoContextTakeover: flags&1 != 0, ClientNoContextTakeover: flags&2 != 0}
		if clientBits >= MinWindowBits && clientBits <= MaxWindowBits {
			c.ClientMaxWindowBits = int(clientBits)
		}
		if serverBits >= MinWindowBits && serverBits <= MaxWindowBits {
			c.ServerMaxWindowBits = int(serverBits)
		}
		header, sp, err := c.Negotiate([]string{request})
		switch {
		case err != nil:
			if !errors.Is(err, ErrExtensionSyntax) || header != "" || sp != nil {
				t.Fatalf("%q: got %q %+v %v", request, header, sp, err)
			}
			return
		case sp == nil:
			if header != "" {
				t.Fatalf("%q: declined with %q", request, header)
			}
			return
		}
		cp, err := Offer{ClientMaxWindow: true}.Accept([]string{header})
		if err != nil || *cp != *sp {
			t.Fatalf("%q: answered %q, which a client takes as %+v, %v; the server as %+v", request, header, cp, err, *sp)
		}
		if c.ServerMaxWindowBits != 0 && sp.Server.WindowBits > c.ServerMaxWindowBits ||
			c.ServerNoContextTakeover && !sp.Server.NoContextTakeover || c.ClientNoContextTakeover && !sp.Client.NoContextTakeover {
			t.Fatalf("%q: %+v breaks the server's terms %+v", request, *sp, c)
		}
	})
}
