package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// historyMax bounds the lines the prompt's history keeps.
const historyMax = 1000

// historyFile is the prompt's history kept across sessions, as the line
// editor's History: the lines typed, oldest first, one per line of a
// file (historyPath). A line is appended to the file as it is typed; a
// file grown past twice historyMax lines is cut to the last historyMax
// when loaded.
type historyFile struct {
	lines []string // used by the line editor's goroutine only

	mu  sync.Mutex // for f: the session may end while a line is added
	f   *os.File   // nil: the history is not saved
	err error      // why it is not saved; set before the editor starts
}

// historyPath is where the history is kept: $XDG_STATE_HOME/ws/history,
// by default ~/.local/state/ws/history (the XDG base directory
// specification).
func historyPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) { // the specification says to ignore a relative path
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "ws", "history"), nil
}

// loadHistory reads the history and opens its file to append the lines
// typed. When the file cannot be used the history still works for the
// session; err says why it is not saved.
func loadHistory() *historyFile {
	h := &historyFile{}
	path, err := historyPath()
	if err == nil {
		err = h.open(path)
	}
	h.err = err
	return h
}

func (h *historyFile) open(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for l := range strings.SplitSeq(string(data), "\n") {
		if l != "" {
			h.lines = append(h.lines, l)
		}
	}
	if len(h.lines) > 2*historyMax {
		h.lines = h.lines[len(h.lines)-historyMax:]
		if err := os.WriteFile(path, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600); err != nil {
			return err
		}
	}
	h.lines = h.lines[max(0, len(h.lines)-historyMax):]
	h.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	return err
}

// Add records a line typed; the line editor calls it for each line but
// empty ones. A line the same as the one before is kept once.
func (h *historyFile) Add(line string) {
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > historyMax {
		h.lines = h.lines[1:]
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return
	}
	if _, err := h.f.WriteString(line + "\n"); err != nil {
		// Not worth interrupting the session for: the history of this
		// session stays in memory.
		h.f.Close()
		h.f = nil
	}
}

// Len and At give the line editor the lines, the most recent at 0.
func (h *historyFile) Len() int        { return len(h.lines) }
func (h *historyFile) At(i int) string { return h.lines[len(h.lines)-1-i] }

func (h *historyFile) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f != nil {
		h.f.Close()
		h.f = nil
	}
}
