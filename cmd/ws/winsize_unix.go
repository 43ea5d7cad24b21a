//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// followSize keeps the line editor's idea of the terminal's width in step
// with the terminal (SIGWINCH), so that long lines wrap where they do on
// screen. It returns a function that stops following.
func followSize(editor *term.Terminal, fd int) (stop func()) {
	resize := func() {
		if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 { // some ptys report 0x0
			editor.SetSize(w, h)
		}
	}
	resize()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				resize()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
