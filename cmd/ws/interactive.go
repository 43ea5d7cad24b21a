package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/term"
)

// prompt is the line editor's prompt.
const prompt = "> "

// terminal is the interactive mode's hold on the terminal: raw mode, and
// a line editor with history whose writes redraw the line being typed, so
// that messages arriving meanwhile do not break it.
type terminal struct {
	editor  *term.Terminal
	keys    *keyReader
	restore func()
	// atPrompt is set while the prompt, and maybe a line partly typed,
	// is the last line on the screen: what is printed after the session
	// must start on a new line.
	atPrompt atomic.Bool
}

// openTerminal puts stdin in raw mode and starts the line editor on stdin
// and stdout. Ctrl-C, which raw mode delivers as a key rather than a
// signal, goes to interrupts. Unless noHistory is set, the editor's
// history is kept in a file across sessions (historyFile).
func openTerminal(interrupts chan<- struct{}, noHistory bool) (*terminal, error) {
	fd := int(os.Stdin.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	keys := &keyReader{r: os.Stdin, interrupts: interrupts}
	editor := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{keys, os.Stdout}, prompt)
	t := &terminal{editor: editor, keys: keys}
	var history *historyFile
	if !noHistory {
		history = loadHistory()
		editor.History = history
		if history.err != nil {
			fmt.Fprintf(editor, "ws: the history is not saved: %v\n", history.err)
		}
	}
	stopResize := followSize(editor, int(os.Stdout.Fd()))
	t.restore = func() {
		if t.atPrompt.Load() {
			os.Stdout.WriteString("\r\n")
		}
		stopResize()
		term.Restore(fd, old)
		if history != nil {
			history.close()
		}
	}
	return t, nil
}

// keyReader passes the keys typed to the line editor, less Ctrl-C, which
// it turns into an interrupt of the session.
type keyReader struct {
	r          io.Reader
	interrupts chan<- struct{}
}

const keyCtrlC = 3

func (k *keyReader) Read(p []byte) (int, error) {
	for {
		n, err := k.r.Read(p)
		kept := p[:0]
		for _, b := range p[:n] {
			if b != keyCtrlC {
				kept = append(kept, b)
				continue
			}
			select {
			case k.interrupts <- struct{}{}:
			default:
			}
		}
		if len(kept) > 0 || err != nil || n == 0 {
			return len(kept), err
		}
	}
}

// drain keeps reading keys after the line editor is done, so that a
// Ctrl-C during the close is still seen.
func (k *keyReader) drain() {
	buf := make([]byte, 64)
	for {
		if _, err := k.Read(buf); err != nil {
			return
		}
	}
}

// interactiveInput sends the lines typed at the prompt and runs its slash
// commands.
type interactiveInput struct {
	t  *terminal
	st style
}

func (in interactiveInput) run(s *session) (*closeRequest, error) {
	for {
		in.t.atPrompt.Store(true)
		line, err := in.t.editor.ReadLine()
		if err != nil && !errors.Is(err, term.ErrPasteIndicator) {
			// Ctrl-D, or the terminal is gone.
			go in.t.keys.drain()
			return nil, nil
		}
		in.t.atPrompt.Store(false)
		a, err := parseLine(line)
		switch {
		case err != nil:
			in.st.errorf(in.t.editor, "%v", err)
		case a.frame != nil:
			if err := s.send(*a.frame); err != nil {
				in.st.errorf(in.t.editor, "%v", err)
			}
		case a.file != "":
			if err := s.sendFile(a.file); err != nil {
				in.st.errorf(in.t.editor, "/file: %v", err)
			}
		case a.close != nil:
			go in.t.keys.drain()
			return a.close, nil
		case a.help:
			io.WriteString(in.t.editor, promptHelp)
		}
	}
}
