package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// printer shows what happens on a connection. Its methods are called
// from the goroutine receiving and the one sending, at once.
type printer interface {
	opened(info openInfo)
	received(f ws.Frame)
	sent(f ws.Frame)
	sentFile(path string, size int64) // a file streamed as a binary message; size -1 when unknown
	closed(dir string, code ws.CloseCode, reason string)
	failed(err error)
}

// openInfo describes a connection just made.
type openInfo struct {
	url         string
	subprotocol string
	header      http.Header
}

// Directions of an event.
const (
	dirIn  = "in"
	dirOut = "out"
)

// plainPrinter writes each text message received as one line and nothing
// else, for pipes; a binary message is written as it is, with nothing
// after it, so that a file sent back by an echo is copied byte for byte.
// On a terminal, binary messages become hex dumps and control characters
// are escaped so that a server cannot drive the terminal.
type plainPrinter struct {
	mu       sync.Mutex
	w        io.Writer
	sep      byte // ends each message: '\n', or 0 with --null
	terminal bool
	status   *statusLine // a progress line on the same terminal, or nil
}

func (p *plainPrinter) received(f ws.Frame) {
	var b []byte
	switch f.Kind {
	case ws.TextFrame:
		if p.terminal {
			b = append(b, terminalSafe(string(f.Payload))...)
		} else {
			b = append(b, f.Payload...)
		}
		b = append(b, p.sep)
	case ws.BinaryFrame:
		switch {
		case !p.terminal:
			b = append(b, f.Payload...)
		case len(f.Payload) > 0:
			b = append(b, hex.Dump(f.Payload)...)
		default:
			b = append(b, p.sep)
		}
	default:
		b = append(b, fmt.Sprintf("[%v] %s", f.Kind, describePayload(f.Payload))...)
		b = append(b, p.sep)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status.hold(func() { p.w.Write(b) })
}

func (p *plainPrinter) opened(openInfo)                     {}
func (p *plainPrinter) sentFile(string, int64)              {}
func (p *plainPrinter) sent(ws.Frame)                       {}
func (p *plainPrinter) closed(string, ws.CloseCode, string) {}
func (p *plainPrinter) failed(error)                        {}

// termPrinter decorates the events of an interactive session: incoming
// messages marked "<", binary ones as hex dumps, in color where allowed.
// It writes through the line editor, which redraws the line being typed.
type termPrinter struct {
	w        io.Writer
	st       style
	showPing bool        // pongs are always shown: they answer /ping
	status   *statusLine // the progress line, or nil
}

func (p *termPrinter) received(f ws.Frame) {
	in := p.st.paint(sgrCyan, "< ")
	var s string
	switch f.Kind {
	case ws.TextFrame:
		s = in + terminalSafe(string(f.Payload)) + "\n"
	case ws.BinaryFrame:
		s = in + p.st.paint(sgrYellow, fmt.Sprintf("binary, %s", plural(len(f.Payload), "byte"))) + "\n" + indent(hex.Dump(f.Payload), "  ")
	case ws.PingFrame:
		if !p.showPing {
			return
		}
		fallthrough
	default:
		s = in + p.st.paint(sgrBlue, f.Kind.String()) + " " + describePayload(f.Payload) + "\n"
	}
	p.status.hold(func() { io.WriteString(p.w, s) })
}

func (p *termPrinter) opened(info openInfo) {
	var b strings.Builder
	fmt.Fprintf(&b, "connected to %s", info.url)
	if info.subprotocol != "" {
		fmt.Fprintf(&b, " (subprotocol %s)", info.subprotocol)
	}
	b.WriteString("\n")
	b.WriteString(p.st.paint(sgrDim, "type a message and press Enter to send it; /help lists the commands; Ctrl-D closes") + "\n")
	io.WriteString(p.w, b.String())
}

func (p *termPrinter) sent(ws.Frame)                       {}
func (p *termPrinter) sentFile(string, int64)              {}
func (p *termPrinter) closed(string, ws.CloseCode, string) {}
func (p *termPrinter) failed(error)                        {}

// describePayload shows a control frame's payload: quoted text, or hex.
func describePayload(p []byte) string {
	switch {
	case len(p) == 0:
		return "(no payload)"
	case utf8.Valid(p):
		return fmt.Sprintf("%q", p)
	}
	return "0x" + hex.EncodeToString(p)
}

// terminalSafe escapes the control characters of s other than newline
// and tab, so that text from the network cannot move the cursor, change
// colors or retitle the terminal.
func terminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isControl(r) {
			b.WriteRune(r)
			continue
		}
		q := strings.Trim(fmt.Sprintf("%+q", string(r)), `"`)
		b.WriteString(q)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// byteSize formats a byte count for people: 512 B, 4.0 KiB, 27.3 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}
