package deflate

import (
	"strings"

	"github.com/hackney-go/ws/internal/proto"
)

// Accept checks the values of the Sec-WebSocket-Extensions headers of a
// server's 101 response to this offer (nil when there were none) and
// returns the parameters to use, or nil with a nil error when the server
// declined compression (no element at all, RFC 7692 section 5).
//
// It accepts every response RFC 7692 section 7 allows, among them a
// response without client_no_context_takeover (a hint, section 7.1.1.2),
// with server_no_context_takeover or server_max_window_bits the offer did
// not ask for (sections 7.1.1.1, 7.1.2.1), and with any
// client_max_window_bits when the offer had one (section 7.1.2.2, which
// lets the server ignore the offered value). The parameters returned keep
// the offer's promises: ClientNoContextTakeover holds even if the server
// left it out, and Client.WindowBits is never above ClientMaxWindowBits.
//
// A fault is a *proto.HandshakeFault whose error wraps one of the
// sentinels of this package, or proto.ErrUnofferedExtension for an
// extension other than permessage-deflate.
func (o Offer) Accept(values []string) (*Params, error) {
	if len(values) == 0 {
		return nil, nil
	}
	list, err := parseExtensions(values)
	if err != nil {
		return nil, &proto.HandshakeFault{Err: err, Header: "Sec-WebSocket-Extensions", Value: strings.Join(values, ", ")}
	}
	var found *element
	for i := range list {
		e := &list[i]
		// RFC 6455 leaves the case of extension names unsaid; a name that
		// differs from the offer's in case only still names this
		// extension unambiguously.
		if !strings.EqualFold(e.name, Name) {
			return nil, fault(values, proto.ErrUnofferedExtension, "%s", e.name)
		}
		if found != nil {
			return nil, fault(values, ErrDuplicateExtension, "")
		}
		found = e
	}
	return o.agree(values, found.params)
}

// agree applies RFC 7692 section 7.1 to the parameters of the accepting
// element.
func (o Offer) agree(values []string, params []param) (*Params, error) {
	p := &Params{
		Client: Settings{WindowBits: MaxWindowBits, NoContextTakeover: o.ClientNoContextTakeover},
		Server: Settings{WindowBits: MaxWindowBits},
	}
	var seenServerNCT, seenClientNCT, seenServerBits, seenClientBits bool
	for _, pr := range params {
		name := strings.ToLower(pr.name)
		var seen *bool
		switch name {
		case "server_no_context_takeover":
			seen = &seenServerNCT
			p.Server.NoContextTakeover = true
		case "client_no_context_takeover":
			seen = &seenClientNCT
			p.Client.NoContextTakeover = true
		case "server_max_window_bits":
			seen = &seenServerBits
		case "client_max_window_bits":
			seen = &seenClientBits
			if !o.ClientMaxWindow && o.ClientMaxWindowBits == 0 {
				// "MUST NOT include" (section 7.1.2.2).
				return nil, fault(values, ErrUnofferedParameter, "%s", pr.name)
			}
		default:
			return nil, fault(values, ErrUnknownParameter, "%s", pr.name)
		}
		if *seen {
			return nil, fault(values, ErrDuplicateParameter, "%s", pr.name)
		}
		*seen = true
		if !strings.HasSuffix(name, "_window_bits") {
			// The no_context_takeover parameters have no value.
			if pr.hasValue {
				return nil, fault(values, ErrInvalidValue, "%s=%s", pr.name, pr.value)
			}
			continue
		}
		// In a response both window parameters carry a value.
		bits, ok := windowBits(pr)
		if !ok {
			if pr.hasValue {
				return nil, fault(values, ErrInvalidValue, "%s=%s", pr.name, pr.value)
			}
			return nil, fault(values, ErrInvalidValue, "%s without a value", pr.name)
		}
		if name == "server_max_window_bits" {
			if o.ServerMaxWindowBits != 0 && bits > o.ServerMaxWindowBits {
				return nil, fault(values, ErrUnmetRequest, "server_max_window_bits=%d above the offered %d", bits, o.ServerMaxWindowBits)
			}
			p.Server.WindowBits = bits
		} else {
			p.Client.WindowBits = bits
		}
	}
	if o.ServerNoContextTakeover && !seenServerNCT {
		return nil, fault(values, ErrUnmetRequest, "server_no_context_takeover missing")
	}
	if o.ServerMaxWindowBits != 0 && !seenServerBits {
		return nil, fault(values, ErrUnmetRequest, "server_max_window_bits missing")
	}
	if o.ClientMaxWindowBits != 0 {
		p.Client.WindowBits = min(p.Client.WindowBits, o.ClientMaxWindowBits)
	}
	return p, nil
}

// windowBits reads a window size: a decimal from 8 to 15 without leading
// zeroes (RFC 7692 section 7.1.2).
func windowBits(pr param) (int, bool) {
	v := pr.value
	if !pr.hasValue || v == "" || v[0] == '0' || len(v) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n, n >= MinWindowBits && n <= MaxWindowBits
}
