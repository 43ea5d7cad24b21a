// Command ws is a WebSocket client for the terminal and for scripts, built
// on the ws library: an interactive prompt, a line-per-message pipe mode,
// one-shot sends, JSON output, an embedded server (echo, chat, a process
// per connection, files beside it), and a demo that walks through
// hackney's WebSocket guide against that server.
//
// Run "ws help" for the commands, their flags and the exit codes.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, documented in "ws help".
const (
	exitOK          = 0
	exitUsage       = 1
	exitConnect     = 2
	exitAbnormal    = 3
	exitInterrupted = 130 // a second Ctrl-C: quit without finishing the close
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches to a command and returns the process's exit code.
func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, shortUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "connect":
		return runConnect(rest)
	case "demo":
		return runDemo(rest)
	case "serve":
		return runServe(rest)
	case "completion":
		return runCompletion(rest)
	case "version", "--version":
		return runVersion(rest)
	case "help", "-h", "-help", "--help":
		return runHelp(rest, os.Stdout)
	}
	if strings.HasPrefix(cmd, "-") || strings.Contains(cmd, "://") {
		return runConnect(args)
	}
	return usageError("unknown command %q (a URL starts with ws:// or wss://)", cmd)
}

// usageError reports a usage error on stderr and returns its exit code.
func usageError(format string, args ...any) int {
	newStyle(os.Stderr).errorf(os.Stderr, format, args...)
	fmt.Fprintln(os.Stderr, "Run 'ws help' for usage.")
	return exitUsage
}

// runHelp prints the help of a command, or the general help.
func runHelp(args []string, w io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(w, generalHelp)
		return exitOK
	}
	text, ok := commandHelp[args[0]]
	if !ok {
		return usageError("no help for %q: the commands are connect, demo, serve, version, completion and help", args[0])
	}
	fmt.Fprint(w, text)
	return exitOK
}
