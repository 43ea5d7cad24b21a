package deflate

import (
	"fmt"
	"strconv"
)

// Name is the extension's registered name (RFC 7692 section 7).
const Name = "permessage-deflate"

// The window sizes RFC 7692 section 7.1.2 allows, as base-2 logarithms:
// from 256 bytes to the 32 KiB DEFLATE itself allows.
const (
	MinWindowBits = 8
	MaxWindowBits = 15
)

// Offer is what a client asks for in its opening handshake: the
// parameters of RFC 7692 section 7.1 it puts in its one permessage-deflate
// offer. The zero Offer is the bare "permessage-deflate".
type Offer struct {
	// ServerNoContextTakeover asks the server to compress every message
	// on its own (section 7.1.1.1), so that the client keeps no window
	// between messages. A server that accepts must agree.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover tells the server that the client compresses
	// every message on its own (section 7.1.1.2). It is a promise: the
	// client keeps it whatever the server answers.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits, unless zero, asks the server to compress with
	// a window of at most 1<<ServerMaxWindowBits bytes, 8 to 15
	// (section 7.1.2.1). A server that accepts must agree, with this
	// value or a smaller one.
	ServerMaxWindowBits int
	// ClientMaxWindow offers client_max_window_bits (section 7.1.2.2):
	// the server may then limit the window the client compresses with.
	// ClientMaxWindowBits, unless zero, gives it a value, 8 to 15, a
	// promise not to use a larger window whatever the server answers; a
	// value implies ClientMaxWindow.
	ClientMaxWindow     bool
	ClientMaxWindowBits int
}

// Validate reports an Offer that Header cannot express: a window size
// outside 8 to 15.
func (o Offer) Validate() error {
	if b := o.ServerMaxWindowBits; b != 0 && (b < MinWindowBits || b > MaxWindowBits) {
		return fmt.Errorf("permessage-deflate: server_max_window_bits %d is not within 8 to 15", b)
	}
	if b := o.ClientMaxWindowBits; b != 0 && (b < MinWindowBits || b > MaxWindowBits) {
		return fmt.Errorf("permessage-deflate: client_max_window_bits %d is not within 8 to 15", b)
	}
	return nil
}

// Header returns the offer as the value of a Sec-WebSocket-Extensions
// request header, as "permessage-deflate; client_max_window_bits". The
// Offer must be valid.
func (o Offer) Header() string {
	h := Name
	if o.ClientNoContextTakeover {
		h += "; client_no_context_takeover"
	}
	if o.ServerNoContextTakeover {
		h += "; server_no_context_takeover"
	}
	if o.ClientMaxWindowBits != 0 {
		h += "; client_max_window_bits=" + strconv.Itoa(o.ClientMaxWindowBits)
	} else if o.ClientMaxWindow {
		h += "; client_max_window_bits"
	}
	if o.ServerMaxWindowBits != 0 {
		h += "; server_max_window_bits=" + strconv.Itoa(o.ServerMaxWindowBits)
	}
	return h
}

// Settings are how one direction of a connection compresses: the window
// size, as a base-2 logarithm, and whether each message starts with an
// empty window. The sender must stay within them; the receiver sizes its
// window by them.
type Settings struct {
	WindowBits        int
	NoContextTakeover bool
}

// Params are the settings a negotiation ends with, for each direction:
// Client for the messages the client sends, Server for those the server
// sends. A client compresses with Client and decompresses with Server.
type Params struct {
	Client, Server Settings
}
