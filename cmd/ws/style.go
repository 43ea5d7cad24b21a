package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// style colors the text written to one stream: only a terminal gets
// colors, and never when NO_COLOR is set (https://no-color.org).
type style struct{ color bool }

func newStyle(f *os.File) style {
	return style{color: isTerminal(f) && os.Getenv("NO_COLOR") == ""}
}

// ANSI SGR sequences.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrBlue   = "34"
	sgrCyan   = "36"
)

// paint wraps text in the SGR sequence sgr when coloring.
func (s style) paint(sgr, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + sgr + "m" + text + "\x1b[0m"
}

// errorf writes an error line, "ws: " and the message.
func (s style) errorf(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, s.paint(sgrRed, "ws: "+fmt.Sprintf(format, args...)))
}

// notef writes an informational line to stderr.
func (s style) notef(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, s.paint(sgrDim, "ws: "+fmt.Sprintf(format, args...)))
}
