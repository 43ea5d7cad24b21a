package deflate

import (
	"fmt"
	"strconv"
	"strings"
)

// ServerConfig is what a server wants of permessage-deflate: the terms it
// adds to those a client asks for. The zero ServerConfig accepts any
// offer on the client's terms.
type ServerConfig struct {
	// ServerNoContextTakeover makes the server compress every message on
	// its own (RFC 7692 section 7.1.1.1), which section 7.1.1.1 lets it
	// announce unasked: no encoder is kept between messages.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover asks the client to compress every message
	// on its own (section 7.1.1.2), so that the server keeps no window
	// between messages.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits, unless zero, caps the window the server
	// compresses with at 1<<ServerMaxWindowBits bytes, 8 to 15 (section
	// 7.1.2.1).
	ServerMaxWindowBits int
	// ClientMaxWindowBits, unless zero, limits the window the client
	// compresses with, 8 to 15, and with it the window the server keeps
	// (section 7.1.2.2). Only a client that offered client_max_window_bits
	// can be limited; any other is accepted with the full 32 KiB window
	// rather than refused compression.
	ClientMaxWindowBits int
}

// Validate reports a ServerConfig whose window sizes are not within 8 to
// 15.
func (c ServerConfig) Validate() error {
	if b := c.ServerMaxWindowBits; b != 0 && (b < MinWindowBits || b > MaxWindowBits) {
		return fmt.Errorf("permessage-deflate: server_max_window_bits %d is not within 8 to 15", b)
	}
	if b := c.ClientMaxWindowBits; b != 0 && (b < MinWindowBits || b > MaxWindowBits) {
		return fmt.Errorf("permessage-deflate: client_max_window_bits %d is not within 8 to 15", b)
	}
	return nil
}

// Negotiate answers the values of a client's Sec-WebSocket-Extensions
// request headers (nil when there were none). It accepts the first
// permessage-deflate offer it can (RFC 7692 sections 5 and 7, which let a
// client list offers in its order of preference) and returns the value of
// the response's Sec-WebSocket-Extensions header and the parameters the
// server then uses: it compresses with Params.Server and decompresses
// with Params.Client. It returns "" and nil when there is no offer it can
// accept; extensions other than permessage-deflate are declined by being
// left out of the response.
//
// Section 7 makes the server decline an offer with a parameter it does
// not define for an offer, a parameter twice, or an invalid value; any
// other offer is accepted, as the server supports every configuration.
// The response keeps the offer's requests (server_no_context_takeover,
// server_max_window_bits at most the offered value) and takes the
// client's hints: client_no_context_takeover and client_max_window_bits
// offered with a value are echoed, so that the server keeps no larger a
// window than the client uses.
//
// The ServerConfig must be valid. The error, for a header outside the grammar of RFC 6455 section 9.1,
// wraps ErrExtensionSyntax: the request is malformed and deserves a 400.
func (c ServerConfig) Negotiate(values []string) (string, *Params, error) {
	list, err := parseExtensions(values)
	if err != nil {
		return "", nil, err
	}
	for _, e := range list {
		if !strings.EqualFold(e.name, Name) {
			continue
		}
		if header, p, ok := c.answer(e.params); ok {
			return header, p, nil
		}
	}
	return "", nil, nil
}

// answer builds the response to one offer, or reports that the server
// must decline it.
func (c ServerConfig) answer(params []param) (string, *Params, bool) {
	var (
		serverNCT, clientNCT   bool
		serverBits, clientBits int // 0: not offered, or offered without a value
		clientWindow           bool
		seen                   = map[string]bool{}
	)
	for _, pr := range params {
		name := strings.ToLower(pr.name)
		if seen[name] {
			return "", nil, false
		}
		seen[name] = true
		switch name {
		case "server_no_context_takeover", "client_no_context_takeover":
			if pr.hasValue {
				return "", nil, false
			}
			if name == "server_no_context_takeover" {
				serverNCT = true
			} else {
				clientNCT = true
			}
		case "server_max_window_bits":
			// In an offer it carries a value (section 7.1.2.1).
			bits, ok := windowBits(pr)
			if !ok {
				return "", nil, false
			}
			serverBits = bits
		case "client_max_window_bits":
			// With or without a value (section 7.1.2.2).
			clientWindow = true
			if pr.hasValue {
				bits, ok := windowBits(pr)
				if !ok {
					return "", nil, false
				}
				clientBits = bits
			}
		default:
			return "", nil, false
		}
	}

	p := &Params{
		Client: Settings{WindowBits: MaxWindowBits, NoContextTakeover: clientNCT || c.ClientNoContextTakeover},
		Server: Settings{WindowBits: MaxWindowBits, NoContextTakeover: serverNCT || c.ServerNoContextTakeover},
	}
	h := Name
	if p.Server.NoContextTakeover {
		h += "; server_no_context_takeover"
	}
	if p.Client.NoContextTakeover {
		h += "; client_no_context_takeover"
	}
	if serverBits != 0 || c.ServerMaxWindowBits != 0 {
		p.Server.WindowBits = smallest(serverBits, c.ServerMaxWindowBits)
		h += "; server_max_window_bits=" + strconv.Itoa(p.Server.WindowBits)
	}
	if clientWindow && (clientBits != 0 || c.ClientMaxWindowBits != 0) {
		// Without either value the response leaves the parameter out:
		// the client may use the full window.
		p.Client.WindowBits = smallest(clientBits, c.ClientMaxWindowBits)
		h += "; client_max_window_bits=" + strconv.Itoa(p.Client.WindowBits)
	}
	return h, p, true
}

// smallest returns the smaller of two window sizes, zero standing for
// none.
func smallest(a, b int) int {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}
