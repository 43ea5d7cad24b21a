// Command bench compares ws with gorilla/websocket, coder/websocket,
// gobwas/ws (with wsutil) and lxzan/gws, and with raw TCP as the floor,
// on the workloads of issue 5, in the same run, and on those of issue 6
// with permessage-deflate (the TCP floor left out).
//
//	cd bench && go run . [-reps 5] [-json out.json] [-only W1,W4-1MiB] [-quick]
//
// One echo server, echoserver, written with the standard library only,
// runs in its own process; every measurement runs in a fresh client
// process (this program run again), pinned to another CPU than the
// server's when taskset is there. The libraries take turns within each
// repetition, and every ratio compares figures of the same repetition: on
// a shared machine only ratios of one run mean anything.
//
// The client process measures its own allocations and bytes allocated
// (runtime.MemStats), CPU time (getrusage) and read and write system calls
// (/proc/self/io) per message, so the figures are the client's alone; the
// same file's byte counts give the bytes on the wire.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"
)

func main() {
	if clientEnvSet() {
		os.Exit(clientMain())
	}
	if serverEnvSet() {
		os.Exit(serverMain())
	}
	os.Exit(benchMain())
}

func benchMain() int {
	reps := flag.Int("reps", 5, "repetitions of every measurement")
	dur := flag.Duration("dur", time.Second, "duration of each measurement, after a calibration")
	idleConns := flag.Int("idle", 10000, "connections held open in W6")
	zidleConns := flag.Int("zidle", 2000, "compressed connections held open in Z3")
	only := flag.String("only", "", "comma-separated workloads to run (W1,W2,W2-batch,W3,W4-1MiB,W4-16MiB,W5,W6,W7,Z1,Z2,Z3, and S1,S2,S3,S4-1MiB,S4-16MiB,S5,S6,S7 on the server side); those of -side when empty")
	side := flag.String("side", "client", "the workloads run when -only is empty: those of the `client` (W and Z) or of the server (S)")
	libs := flag.String("libs", "", "comma-separated libraries to run (ws,ws-recv,ws-h2,gorilla,coder,gobwas,gws,tcp,gobwas-batch,tcp-batch); all when empty")
	quick := flag.Bool("quick", false, "a smoke test: 1 repetition, 150ms per measurement, 1000 idle connections (200 compressed), unless set")
	jsonPath := flag.String("json", "", "also write the report as JSON to this `file`")
	serverPath := flag.String("server", "", "a built echoserver binary; by default it is built from ./echoserver")
	pin := flag.Bool("pin", true, "pin the client and the server to different CPUs with taskset, when there are two")
	from := flag.String("from", "", "print the tables of a report saved with -json, from its measurements, instead of measuring")
	flag.Parse()
	if *from != "" {
		if err := reprint(*from); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		return 0
	}
	if *quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["reps"] {
			*reps = 1
		}
		if !set["dur"] {
			*dur = 150 * time.Millisecond
		}
		if !set["idle"] {
			*idleConns = 1000
		}
		if !set["zidle"] {
			*zidleConns = 200
		}
	}
	o := options{reps: *reps, duration: *dur, idle: *idleConns, zidle: *zidleConns, server: *serverPath}
	if c, s, ok := cpuPair(); ok && *pin {
		o.clientCPU, o.serverCPU = c, s
	}
	var err error
	if o.workloads, err = selectWorkloads(*only, *side); err == nil {
		o.libs, err = selectLibraries(*libs)
	}
	if err != nil || o.reps < 1 {
		fmt.Fprintln(os.Stderr, "bench:", err)
		flag.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := &report{Machine: describeMachine(o.clientCPU != ""), Command: "cd bench && go run . " + strings.Join(os.Args[1:], " "),
		Reps: o.reps, Duration: o.duration.Seconds(), Idle: o.idle, ZIdle: o.zidle}
	for _, l := range o.libs {
		r.libs = append(r.libs, l.name)
	}
	r.Runs, err = benchmark(ctx, o, os.Stderr)
	// tcp has no column when only compressed workloads ran
	r.libs = slices.DeleteFunc(r.libs, func(lib string) bool {
		return !slices.ContainsFunc(r.Runs, func(x run) bool { return x.Lib == lib })
	})
	r.Machine.LoadAfter = loadavg()
	summarize(r, o.workloads)
	r.markdown(os.Stdout)
	if *jsonPath != "" {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // the command holds &&
		enc.SetIndent("", "  ")
		jerr := enc.Encode(r)
		if jerr == nil {
			jerr = os.WriteFile(*jsonPath, b.Bytes(), 0o644)
		}
		if jerr != nil {
			fmt.Fprintln(os.Stderr, "bench:", jerr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	return 0
}

func selectWorkloads(names, side string) ([]workload, error) {
	if side != "client" && side != "server" {
		return nil, fmt.Errorf("-side %q: client or server", side)
	}
	if names == "" {
		return slices.DeleteFunc(slices.Clone(workloads), func(w workload) bool { return w.server() != (side == "server") }), nil
	}
	var out []workload
	for name := range strings.SplitSeq(names, ",") {
		w, ok := lookupWorkload(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown workload %q", name)
		}
		out = append(out, w)
	}
	return out, nil
}

// selectLibraries keeps ws first whatever the list says: the ratios are
// ws's.
func selectLibraries(names string) ([]library, error) {
	if names == "" {
		return libraries, nil
	}
	out := []library{libraries[0]}
	for name := range strings.SplitSeq(names, ",") {
		l, ok := lookupLibrary(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown library %q", name)
		}
		if l.name != "ws" {
			out = append(out, l)
		}
	}
	return out, nil
}

// reprint prints the tables of a saved report again, summarizing its
// measurements anew.
func reprint(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	var ws []workload
	for _, w := range workloads {
		if slices.ContainsFunc(r.Runs, func(x run) bool { return x.Workload == w.Name }) {
			ws = append(ws, w)
		}
	}
	for _, l := range libraries {
		if slices.ContainsFunc(r.Runs, func(x run) bool { return x.Lib == l.name }) {
			r.libs = append(r.libs, l.name)
		}
	}
	r.Summary = nil
	summarize(&r, ws)
	r.markdown(os.Stdout)
	return nil
}
