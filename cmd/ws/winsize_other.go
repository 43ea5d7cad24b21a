//go:build !unix

package main

import "golang.org/x/term"

// followSize sets the line editor's width from the terminal's; without
// SIGWINCH it cannot follow later changes.
func followSize(editor *term.Terminal, fd int) (stop func()) {
	if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 { // some ptys report 0x0
		editor.SetSize(w, h)
	}
	return func() {}
}
