package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type options struct {
	reps      int
	duration  time.Duration // of each measurement, after calibration
	idle      int           // connections of W6
	zidle     int           // connections of Z3, compressed
	workloads []workload
	libs      []library
	server    string // a built echoserver; built from source when empty
	// The CPUs the client processes and the server are pinned to, one
	// each; empty when they are not pinned.
	clientCPU, serverCPU string
}

// run is one measurement: one library, one workload, one repetition.
type run struct {
	Rep      int    `json:"rep"`
	Workload string `json:"workload"`
	Lib      string `json:"lib"`
	// Load is the machine's load average over the last minute when the
	// measurement began: the machine is shared.
	Load   float64 `json:"loadavg1,omitempty"`
	Result result  `json:"result"`
}

// cpuPair returns two CPUs this process may run on, the first two of
// its affinity list, when taskset is there to pin processes to them.
func cpuPair() (client, server string, ok bool) {
	if _, err := exec.LookPath("taskset"); err != nil {
		return "", "", false
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", "", false
	}
	var cpus []int
	for line := range strings.Lines(string(status)) {
		list, found := strings.CutPrefix(line, "Cpus_allowed_list:")
		if !found {
			continue
		}
		for part := range strings.SplitSeq(strings.TrimSpace(list), ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			first, err := strconv.Atoi(lo)
			last := first
			if err == nil && isRange {
				last, err = strconv.Atoi(hi)
			}
			for c := first; err == nil && c <= last && len(cpus) < 2; c++ {
				cpus = append(cpus, c)
			}
		}
	}
	if len(cpus) < 2 {
		return "", "", false
	}
	return strconv.Itoa(cpus[0]), strconv.Itoa(cpus[1]), true
}

// command runs name, pinned to cpu unless cpu is empty.
func command(ctx context.Context, cpu, name string) *exec.Cmd {
	if cpu != "" {
		return exec.CommandContext(ctx, "taskset", "-c", cpu, name)
	}
	return exec.CommandContext(ctx, name)
}

// benchmark starts the echo server, then measures every workload with
// every library in a fresh client process, o.reps times. Within a
// repetition the libraries take turns workload by workload, in an order
// rotated by one each repetition, so that a change in the machine's load
// touches them alike. A failed measurement is reported and kept.
func benchmark(ctx context.Context, o options, progress io.Writer) ([]run, error) {
	var srv *server
	if slices.ContainsFunc(o.workloads, func(w workload) bool { return !w.server() }) {
		var err error
		if srv, err = startServer(ctx, o.server, o.serverCPU); err != nil {
			return nil, err
		}
		defer srv.stop()
	}
	var runs []run
	for rep := range o.reps {
		order := slices.Concat(o.libs[rep%len(o.libs):], o.libs[:rep%len(o.libs)])
		for _, w := range o.workloads {
			for _, l := range order {
				if !l.runs(w) {
					continue // TCP has nothing to compress with; batch-only peers; servers
				}
				idle := o.idle
				if w.compress {
					idle = o.zidle
				}
				spec := clientSpec{Lib: l.name, Workload: w.Name, Duration: o.duration, Idle: idle}
				load := loadavg1()
				var r result
				var err error
				if w.server() {
					r, err = measureServer(ctx, spec, w, o)
				} else {
					spec.Addrs = srv.addrs.WS
					if isBaseline(l.name) {
						spec.Addrs = srv.addrs.Raw
					}
					r, err = runClient(ctx, spec, o.clientCPU)
				}
				if err != nil {
					r.Err = err.Error()
				}
				runs = append(runs, run{rep, w.Name, l.name, load, r})
				if r.Err != "" {
					fmt.Fprintf(progress, "rep %d %-8s %-12s FAILED: %s\n", rep+1, w.Name, l.name, r.Err)
				} else {
					fmt.Fprintf(progress, "rep %d %-8s %-12s %s %s (load %.2f)\n", rep+1, w.Name, l.name, num(w.main.get(r)), w.main.Label, load)
				}
				if ctx.Err() != nil {
					return runs, ctx.Err()
				}
			}
		}
	}
	return runs, nil
}

// measureServer starts a new server process of the library s names,
// on the server's CPU, and runs the driver against it in a client
// process.
func measureServer(ctx context.Context, s clientSpec, w workload, o options) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	spec, err := json.Marshal(serverSpec{Lib: s.Lib, Addrs: 8, Detached: w.side == serverSideDetached})
	if err != nil {
		return result{}, err
	}
	srv, err := launch(exe, o.serverCPU, serverEnv+"="+string(spec))
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	s.Addrs, s.Control = srv.addrs.WS, srv.addrs.Control
	return runClient(ctx, s, o.clientCPU)
}

// runClient runs one measurement in a new process on cpu: this program
// again, told by clientEnv to be a client.
func runClient(ctx context.Context, s clientSpec, cpu string) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	spec, err := json.Marshal(s)
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute+20*s.Duration)
	defer cancel()
	cmd := command(ctx, cpu, exe)
	cmd.Env = append(os.Environ(), clientEnv+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var r result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return r, fmt.Errorf("client %s %s: %w: %s", s.Lib, s.Workload, errors.Join(runErr, err), lastLines(stderr.String(), 5))
	}
	if r.Err != "" {
		return r, errors.New(r.Err)
	}
	return r, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// server is the echo server's process.
type server struct {
	cmd   *exec.Cmd
	stdin io.Closer // closing it ends the server
	tmp   string
	addrs struct {
		WS, Raw []string
		Control string // a library's server process's, serverAddrs
	}
}

// startServer starts the echo server from path, or builds it first when
// path is empty, on cpu, and waits for its addresses.
func startServer(ctx context.Context, path, cpu string) (*server, error) {
	tmp := ""
	if path == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "wsbench"); err != nil {
			return nil, err
		}
		path = filepath.Join(tmp, "echoserver")
		build := exec.CommandContext(ctx, "go", "build", "-o", path, "github.com/hackney-go/ws/bench/echoserver")
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("building the echo server (run in bench/, or give -server): %w\n%s", err, out)
		}
	}
	s, err := launch(path, cpu)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s.tmp = tmp
	return s, nil
}

// launch starts the server at path on cpu, with env added to its
// environment, and reads the addresses it prints.
func launch(path, cpu string, env ...string) (*server, error) {
	s := &server{}
	s.cmd = command(context.Background(), cpu, path)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = os.Stderr
	stdin, err := s.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	s.stdin = stdin
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		s.stop()
		return nil, err
	}
	if err := json.NewDecoder(stdout).Decode(&s.addrs); err != nil {
		s.stop()
		return nil, fmt.Errorf("echo server: %w", err)
	}
	return s, nil
}

func (s *server) stop() {
	s.stdin.Close()
	if s.cmd.Process != nil {
		done := make(chan struct{})
		go func() {
			s.cmd.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}
