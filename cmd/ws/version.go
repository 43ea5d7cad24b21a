package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

// version is set at release builds: -ldflags "-X main.version=v1.2.3".
var version = ""

// versionString names the build: its version (the module's, or
// "(devel)"), the VCS revision when known, and the Go toolchain.
func versionString() string {
	v, rev := version, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return fmt.Sprintf("ws %s%s %s %s/%s", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func runVersion(args []string) int {
	pos, code, done := parseCommand("version", newFlagSet("version"), args)
	if done {
		return code
	}
	if len(pos) > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Fprintln(os.Stdout, versionString())
	return exitOK
}
