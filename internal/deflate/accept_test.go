package deflate

import (
	"errors"
	"strings"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

func TestOfferHeader(t *testing.T) {
	tests := []struct {
		offer Offer
		want  string
	}{
		{Offer{}, "permessage-deflate"},
		{Offer{ClientMaxWindow: true}, "permessage-deflate; client_max_window_bits"},
		{Offer{ClientMaxWindowBits: 10}, "permessage-deflate; client_max_window_bits=10"},
		{
			Offer{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 8, ClientMaxWindow: true, ClientMaxWindowBits: 15},
			"permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=15; server_max_window_bits=8",
		},
	}
	for _, tt := range tests {
		if err := tt.offer.Validate(); err != nil {
			t.Errorf("%+v: %v", tt.offer, err)
		}
		if got := tt.offer.Header(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.offer, got, tt.want)
		}
		// The offer is in the grammar it is checked against.
		if _, err := parseExtensions([]string{tt.offer.Header()}); err != nil {
			t.Errorf("%+v: %v", tt.offer, err)
		}
	}
	for _, o := range []Offer{{ServerMaxWindowBits: 7}, {ServerMaxWindowBits: 16}, {ClientMaxWindowBits: -1}, {ClientMaxWindowBits: 16}} {
		if o.Validate() == nil {
			t.Errorf("%+v: valid", o)
		}
	}
}

func TestAccept(t *testing.T) {
	full := Settings{WindowBits: 15}
	tests := []struct {
		name     string
		offer    Offer
		response []string
		want     *Params
	}{
		{"no header: declined", Offer{}, nil, nil},
		{"bare", Offer{}, []string{"permessage-deflate"}, &Params{Client: full, Server: full}},
		{"name in another case", Offer{}, []string{"PerMessage-Deflate"}, &Params{Client: full, Server: full}},
		{"parameter names in another case", Offer{}, []string{"permessage-deflate; Server_No_Context_Takeover"}, &Params{Client: full, Server: Settings{15, true}}},
		// Section 7.1.1.1: the server may add server_no_context_takeover.
		{"server_no_context_takeover unasked", Offer{}, []string{"permessage-deflate; server_no_context_takeover"}, &Params{Client: full, Server: Settings{15, true}}},
		{"server_no_context_takeover asked", Offer{ServerNoContextTakeover: true}, []string{"permessage-deflate; server_no_context_takeover"}, &Params{Client: full, Server: Settings{15, true}}},
		// Section 7.1.1.2: client_no_context_takeover in the response
		// binds the client; in the offer it is a promise the client
		// keeps when the server leaves it out.
		{"client_no_context_takeover from the server", Offer{}, []string{"permessage-deflate; client_no_context_takeover"}, &Params{Client: Settings{15, true}, Server: full}},
		{"client_no_context_takeover left out", Offer{ClientNoContextTakeover: true}, []string{"permessage-deflate"}, &Params{Client: Settings{15, true}, Server: full}},
		// Section 7.1.2.1: the server may add server_max_window_bits, or
		// answer the offered one with the same or a smaller value.
		{"server_max_window_bits unasked", Offer{}, []string{"permessage-deflate; server_max_window_bits=9"}, &Params{Client: full, Server: Settings{9, false}}},
		{"server_max_window_bits same", Offer{ServerMaxWindowBits: 10}, []string{"permessage-deflate; server_max_window_bits=10"}, &Params{Client: full, Server: Settings{10, false}}},
		{"server_max_window_bits smaller", Offer{ServerMaxWindowBits: 10}, []string{"permessage-deflate; server_max_window_bits=8"}, &Params{Client: full, Server: Settings{8, false}}},
		{"quoted value", Offer{}, []string{`permessage-deflate; server_max_window_bits="12"`}, &Params{Client: full, Server: Settings{12, false}}},
		// Section 7.1.2.2: offered without a value, the server may
		// answer with any; offered with one, the server may answer with
		// a smaller one, a larger one (the offered value stays the
		// client's limit) or none.
		{"client_max_window_bits bare", Offer{ClientMaxWindow: true}, []string{"permessage-deflate; client_max_window_bits=10"}, &Params{Client: Settings{10, false}, Server: full}},
		{"client_max_window_bits not used", Offer{ClientMaxWindow: true}, []string{"permessage-deflate"}, &Params{Client: full, Server: full}},
		{"client_max_window_bits smaller", Offer{ClientMaxWindowBits: 12}, []string{"permessage-deflate; client_max_window_bits=9"}, &Params{Client: Settings{9, false}, Server: full}},
		{"client_max_window_bits larger", Offer{ClientMaxWindowBits: 12}, []string{"permessage-deflate; client_max_window_bits=14"}, &Params{Client: Settings{12, false}, Server: full}},
		{"client_max_window_bits left out", Offer{ClientMaxWindowBits: 12}, []string{"permessage-deflate"}, &Params{Client: Settings{12, false}, Server: full}},
		{
			"everything",
			Offer{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 12, ClientMaxWindow: true},
			[]string{"permessage-deflate;server_no_context_takeover ; client_no_context_takeover;client_max_window_bits=8;\tserver_max_window_bits = 11"},
			&Params{Client: Settings{8, true}, Server: Settings{11, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.offer.Accept(tt.response)
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAcceptFaults(t *testing.T) {
	tests := []struct {
		name     string
		offer    Offer
		response []string
		want     error
	}{
		{"syntax", Offer{}, []string{"permessage-deflate; server_max_window_bits=\"10"}, ErrExtensionSyntax},
		{"empty header", Offer{}, []string{""}, ErrExtensionSyntax},
		{"other extension", Offer{}, []string{"x-webkit-deflate-frame"}, proto.ErrUnofferedExtension},
		{"other extension besides", Offer{}, []string{"permessage-deflate, permessage-bzip2"}, proto.ErrUnofferedExtension},
		{"two instances", Offer{}, []string{"permessage-deflate, permessage-deflate"}, ErrDuplicateExtension},
		{"two instances on two lines", Offer{}, []string{"permessage-deflate", "permessage-deflate; server_no_context_takeover"}, ErrDuplicateExtension},
		{"unknown parameter", Offer{}, []string{"permessage-deflate; x"}, ErrUnknownParameter},
		{"repeated parameter", Offer{}, []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, ErrDuplicateParameter},
		{"repeated in another case", Offer{}, []string{"permessage-deflate; server_max_window_bits=10; SERVER_MAX_WINDOW_BITS=10"}, ErrDuplicateParameter},
		{"repeated window", Offer{ClientMaxWindow: true}, []string{"permessage-deflate; client_max_window_bits=10; client_max_window_bits=10"}, ErrDuplicateParameter},
		{"value on no_context_takeover", Offer{}, []string{"permessage-deflate; client_no_context_takeover=1"}, ErrInvalidValue},
		{"quoted value on no_context_takeover", Offer{}, []string{`permessage-deflate; server_no_context_takeover="x"`}, ErrInvalidValue},
		{"server window without value", Offer{}, []string{"permessage-deflate; server_max_window_bits"}, ErrInvalidValue},
		{"client window without value", Offer{ClientMaxWindow: true}, []string{"permessage-deflate; client_max_window_bits"}, ErrInvalidValue},
		{"window 7", Offer{}, []string{"permessage-deflate; server_max_window_bits=7"}, ErrInvalidValue},
		{"window 16", Offer{}, []string{"permessage-deflate; server_max_window_bits=16"}, ErrInvalidValue},
		{"window 0", Offer{}, []string{"permessage-deflate; server_max_window_bits=0"}, ErrInvalidValue},
		{"leading zero", Offer{}, []string{"permessage-deflate; server_max_window_bits=010"}, ErrInvalidValue},
		{"sign", Offer{}, []string{"permessage-deflate; server_max_window_bits=+9"}, ErrInvalidValue},
		{"not a number", Offer{ClientMaxWindow: true}, []string{"permessage-deflate; client_max_window_bits=ten"}, ErrInvalidValue},
		{"huge", Offer{}, []string{"permessage-deflate; server_max_window_bits=99999999999999999999"}, ErrInvalidValue},
		{"client window not offered", Offer{}, []string{"permessage-deflate; client_max_window_bits=10"}, ErrUnofferedParameter},
		{"server_no_context_takeover refused", Offer{ServerNoContextTakeover: true}, []string{"permessage-deflate"}, ErrUnmetRequest},
		{"server window refused", Offer{ServerMaxWindowBits: 10}, []string{"permessage-deflate"}, ErrUnmetRequest},
		{"server window larger", Offer{ServerMaxWindowBits: 10}, []string{"permessage-deflate; server_max_window_bits=11"}, ErrUnmetRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.offer.Accept(tt.response)
			var f *proto.HandshakeFault
			if !errors.Is(err, tt.want) || !errors.As(err, &f) || p != nil {
				t.Fatalf("got %+v, %v; want %v", p, err, tt.want)
			}
			if f.Header != "Sec-WebSocket-Extensions" || f.Value != strings.Join(tt.response, ", ") {
				t.Fatalf("fault names %s: %q", f.Header, f.Value)
			}
		})
	}
}
