// Package xconnect turns on the extended CONNECT of RFC 8441 in Go's
// HTTP/2 server and transport for a test binary. Go 1.24 to 1.26 serve
// it only in a process started with GODEBUG=http2xconnect=1: net/http
// reads the variable from the environment when it initializes, before
// any test code runs, and the go command refuses it in a //go:debug line
// ("unknown //go:debug setting"). So TestMain calls Reexec, which runs
// the test binary again with the variable set.
package xconnect

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Setting is the GODEBUG setting that turns the extended CONNECT on.
const Setting = "http2xconnect=1"

// On reports whether this process started with the extended CONNECT on.
func On() bool {
	return strings.Contains(os.Getenv("GODEBUG"), Setting)
}

// Env returns the environment env with the extended CONNECT turned on or
// off, for a process to start with.
func Env(env []string, on bool) []string {
	out := make([]string, 0, len(env)+1)
	debug := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			debug = v
			continue
		}
		out = append(out, kv)
	}
	var keep []string
	for s := range strings.SplitSeq(debug, ",") {
		if s != "" && !strings.HasPrefix(s, "http2xconnect=") {
			keep = append(keep, s)
		}
	}
	if on {
		keep = append(keep, Setting)
	}
	if len(keep) > 0 {
		out = append(out, "GODEBUG="+strings.Join(keep, ","))
	}
	return out
}

// Reexec returns at once in a process with the extended CONNECT on.
// Otherwise it runs this binary again, with the same arguments, standard
// streams and environment but for GODEBUG's setting, and exits with its
// status: call it first in TestMain.
func Reexec() {
	if On() {
		return
	}
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = Env(os.Environ(), true)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		os.Exit(exit.ExitCode())
	default:
		fmt.Fprintf(os.Stderr, "xconnect: run %s again with GODEBUG=%s: %v\n", os.Args[0], Setting, err)
		os.Exit(2)
	}
}
