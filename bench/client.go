package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// clientEnv carries a clientSpec to a client process: the benchmark runs
// every measurement in a fresh process, itself run again, so that no
// measurement inherits another's heap, goroutines or warm caches.
const clientEnv = "WSBENCH_CLIENT"

type clientSpec struct {
	Lib      string
	Workload string
	Addrs    []string // the echo server's addresses for this library
	Duration time.Duration
	Idle     int // connections of the idle workload
	// Control is the server process's control address in a server-side
	// workload, whose figures are the server's.
	Control string `json:",omitempty"`
}

// result is what a client process measured. Per operation: per message
// echoed (one sent, one received), or per connection for W6 and W7.
type result struct {
	Ops        int64   `json:"ops"`
	Seconds    float64 `json:"seconds"`
	PerSec     float64 `json:"per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"` // payload one way, 10^6 bytes
	P50us      float64 `json:"p50_us,omitempty"`
	P99us      float64 `json:"p99_us,omitempty"`
	Allocs     float64 `json:"allocs"`
	Bytes      float64 `json:"bytes"`
	CPUus      float64 `json:"cpu_us"`   // user and system CPU of the client process
	Reads      float64 `json:"reads"`    // read system calls
	Writes     float64 `json:"writes"`   // write system calls
	WireIn     float64 `json:"wire_in"`  // bytes read (rchar, see usage)
	WireOut    float64 `json:"wire_out"` // bytes written, wchar
	RSS        float64 `json:"rss,omitempty"`
	HeapStack  float64 `json:"heap_stack,omitempty"`
	Goroutines float64 `json:"goroutines,omitempty"`
	CloseSecs  float64 `json:"close_seconds,omitempty"` // to close them all, in the idle workloads
	Err        string  `json:"err,omitempty"`
}

func clientEnvSet() bool { return os.Getenv(clientEnv) != "" }

// clientMain runs the measurement described by $WSBENCH_CLIENT and
// prints its result as JSON on stdout.
func clientMain() int {
	var s clientSpec
	if err := json.Unmarshal([]byte(os.Getenv(clientEnv)), &s); err != nil {
		fmt.Fprintln(os.Stderr, "bench client:", err)
		return 2
	}
	var r result
	l, lok := lookupLibrary(s.Lib)
	w, wok := lookupWorkload(s.Workload)
	switch {
	case !lok:
		r.Err = "unknown library " + s.Lib
	case !wok:
		r.Err = "unknown workload " + s.Workload
	case len(s.Addrs) == 0:
		r.Err = "no server address"
	default:
		var err error
		if r, err = measure(l, w, s); err != nil {
			r.Err = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}
