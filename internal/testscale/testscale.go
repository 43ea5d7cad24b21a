// Package testscale says at which scale the project's tests run. By
// default they run at a scale that keeps "go test -race ./..." short on a
// busy two-core machine and still covers every behaviour; with the
// environment variable WS_TEST_FULL=1, as CI sets it, at the full scale.
package testscale

import "os"

// Env is the environment variable that selects the full scale.
const Env = "WS_TEST_FULL"

// Full reports whether the tests run at the full scale (WS_TEST_FULL=1).
func Full() bool { return os.Getenv(Env) == "1" }
