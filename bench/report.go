package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// machine describes where a report was measured.
type machine struct {
	CPUs       int    `json:"nproc"`
	Model      string `json:"cpu_model"`
	Go         string `json:"go"`
	Kernel     string `json:"kernel"`
	Revision   string `json:"ws_revision"` // git describe of the tree measured
	Pinned     bool   `json:"pinned"`      // client and server each on a CPU of its own
	LoadBefore string `json:"loadavg_before"`
	LoadAfter  string `json:"loadavg_after"`
}

func describeMachine(pinned bool) machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Pinned: pinned, LoadBefore: loadavg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.Model = strings.TrimSpace(value)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	// ws is built from the tree around bench/; "dirty" means it held
	// uncommitted changes.
	if b, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Revision = strings.TrimSpace(string(b))
	}
	return m
}

// loadavg1 returns the load average over the last minute, 0 if unknown.
func loadavg1() float64 {
	f := strings.Fields(loadavg())
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// loadavg returns the first three fields of /proc/loadavg: the machine is
// shared, and the load says how much.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

type report struct {
	Machine  machine   `json:"machine"`
	Command  string    `json:"command"`
	Reps     int       `json:"reps"`
	Duration float64   `json:"duration_sec"` // of each measurement
	Idle     int       `json:"idle_conns"`
	ZIdle    int       `json:"idle_conns_compressed,omitempty"` // of Z3
	Runs     []run     `json:"runs"`
	Summary  []summary `json:"summary"`
	libs     []string
}

// summary is one workload's figures over the repetitions. A ratio is ws's
// figure divided by the other's in the same repetition, its median over
// the repetitions: only figures of the same moment are compared.
type summary struct {
	Workload string                        `json:"workload"`
	Title    string                        `json:"title"`
	Metric   string                        `json:"metric"`  // the main one, of Ratio and VsBest
	Medians  map[string]map[string]float64 `json:"medians"` // library, metric key
	Failed   map[string]int                `json:"failed,omitempty"`
	Ratio    map[string]float64            `json:"ratio"`               // ws ÷ library, main metric
	CPURatio map[string]float64            `json:"cpu_ratio,omitempty"` // ws ÷ library, CPU per operation
	// ws ÷ library, bytes on the wire per message, of the compressed
	// message workloads.
	WireRatio map[string]float64 `json:"wire_ratio,omitempty"`
	// The best peer is the library other than ws and tcp with the best
	// median; VsBest is Ratio of it, CPUBest the same for CPU.
	BestPeer string  `json:"best_peer"`
	VsBest   float64 `json:"vs_best_peer"`
	// In a batching workload, the same among the peers that do not batch.
	BestPlainPeer string  `json:"best_plain_peer,omitempty"`
	VsBestPlain   float64 `json:"vs_best_plain_peer,omitempty"`
	CPUBestPeer   string  `json:"cpu_best_peer,omitempty"`
	CPUBest       float64 `json:"cpu_vs_best_peer,omitempty"`
	w             workload
}

func summarize(r *report, ws []workload) {
	for _, w := range ws {
		byLib := map[string]map[int]result{}
		s := summary{Workload: w.Name, Title: w.Title, Metric: w.main.Key, w: w,
			Medians: map[string]map[string]float64{}, Failed: map[string]int{}, Ratio: map[string]float64{}, CPURatio: map[string]float64{}, WireRatio: map[string]float64{}}
		for _, run := range r.Runs {
			if run.Workload != w.Name {
				continue
			}
			if run.Result.Err != "" {
				s.Failed[run.Lib]++
				continue
			}
			if byLib[run.Lib] == nil {
				byLib[run.Lib] = map[int]result{}
			}
			byLib[run.Lib][run.Rep] = run.Result
		}
		for lib, reps := range byLib {
			s.Medians[lib] = map[string]float64{}
			for _, m := range w.cols {
				var v []float64
				for _, res := range reps {
					v = append(v, m.get(res))
				}
				s.Medians[lib][m.Key] = median(v)
			}
		}
		for _, lib := range r.libs {
			if lib == "ws" || byLib["ws"] == nil || byLib[lib] == nil {
				continue // a ratio of nothing is NaN, which JSON cannot hold
			}
			s.Ratio[lib] = ratio(byLib["ws"], byLib[lib], w.main)
			if w.kind != idle {
				s.CPURatio[lib] = ratio(byLib["ws"], byLib[lib], mCPU)
			}
			if w.wireRatio() {
				s.WireRatio[lib] = ratio(byLib["ws"], byLib[lib], mWire)
			}
		}
		s.BestPeer = bestPeer(s, r.libs, w.main, nil)
		s.VsBest = s.Ratio[s.BestPeer] // 0 when there is none: JSON holds no NaN
		if w.batch > 1 {
			s.BestPlainPeer = bestPeer(s, r.libs, w.main, batchOnly)
			s.VsBestPlain = s.Ratio[s.BestPlainPeer]
		}
		if w.kind != idle {
			s.CPUBestPeer = bestPeer(s, r.libs, mCPU, nil)
			s.CPUBest = s.CPURatio[s.CPUBestPeer]
		}
		r.Summary = append(r.Summary, s)
	}
}

// wireRatio: the workload's detailed table compares bytes on the wire.
func (w workload) wireRatio() bool { return w.compress && w.kind != idle }

type ratioColumn struct {
	label  string
	ratios map[string]float64
}

// ratioColumns are the ratios a workload's detailed table shows: of its
// main figure, of CPU unless that is the main figure or the workload is
// idle, and of bytes on the wire for the compressed message workloads.
func (s summary) ratioColumns() []ratioColumn {
	cols := []ratioColumn{{s.w.main.Label, s.Ratio}}
	if s.w.kind != idle && s.w.main.Key != mCPU.Key {
		cols = append(cols, ratioColumn{"CPU", s.CPURatio})
	}
	if s.w.wireRatio() {
		cols = append(cols, ratioColumn{"wire B", s.WireRatio})
	}
	return cols
}

// ratioOr is ratios[lib], NaN when there is none.
func ratioOr(ratios map[string]float64, lib string) float64 {
	if v, ok := ratios[lib]; ok {
		return v
	}
	return math.NaN()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

// ratio is the median over repetitions of a's figure divided by b's.
func ratio(a, b map[int]result, m metric) float64 {
	var v []float64
	for rep, ra := range a {
		if rb, ok := b[rep]; ok {
			v = append(v, m.get(ra)/m.get(rb))
		}
	}
	return median(v)
}

// bestPeer is the WebSocket library other than ws, and not one skip
// (if given) leaves out, with the best median of m. Choosing it by its
// median rather than anew in each repetition keeps the noise of four
// libraries from making the best look better.
func bestPeer(s summary, libs []string, m metric, skip func(lib string) bool) string {
	best := ""
	for _, lib := range libs {
		med, ok := s.Medians[lib]
		if isOwn(lib) || isBaseline(lib) || !ok || skip != nil && skip(lib) {
			continue
		}
		if b := s.Medians[best]; best == "" || (m.Higher && med[m.Key] > b[m.Key]) || (!m.Higher && med[m.Key] < b[m.Key]) {
			best = lib
		}
	}
	return best
}

// isOwn reports whether lib is ws itself or one of its variants (ws-h2,
// ws-recv): never a peer.
func isOwn(lib string) bool { return lib == "ws" || strings.HasPrefix(lib, "ws-") }

// batchOnly reports whether lib is measured only where libraries batch.
func batchOnly(lib string) bool {
	l, ok := lookupLibrary(lib)
	return ok && l.batchOnly
}

// measuredIn reports whether lib is measured in w.
func measuredIn(lib string, w workload) bool {
	l, ok := lookupLibrary(lib)
	return !ok || l.runs(w)
}

// loadRange describes the load average (1 min) at the start of the
// measurements of a workload, "" for runs saved before it was recorded.
func (r *report) loadRange(workload string) string {
	var loads []float64
	for _, x := range r.Runs {
		if x.Workload == workload && x.Load > 0 {
			loads = append(loads, x.Load)
		}
	}
	if len(loads) == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f to %.2f", slices.Min(loads), slices.Max(loads))
}

// num prints a figure with three significant digits or so.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "–"
	case a >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case a >= 100 || v == 0:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.4f", v)
}

func ratioText(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

func cell(s summary, lib string, m metric) string {
	med, ok := s.Medians[lib]
	if !ok {
		if s.Failed[lib] > 0 {
			return "failed"
		}
		return ""
	}
	out := num(med[m.Key])
	if s.Failed[lib] > 0 {
		out += fmt.Sprintf(" (%d failed)", s.Failed[lib])
	}
	return out
}

func (r *report) markdown(w io.Writer) {
	fmt.Fprintf(w, "ws at %s. Machine: %d CPUs (%s), %s, Linux %s; client and server %s; load average %s before, %s after.\n\n",
		r.Machine.Revision, r.Machine.CPUs, r.Machine.Model, r.Machine.Go, r.Machine.Kernel,
		map[bool]string{true: "pinned to CPUs of their own with taskset", false: "not pinned"}[r.Machine.Pinned],
		r.Machine.LoadBefore, r.Machine.LoadAfter)
	fmt.Fprintf(w, "Command: `%s`; %d repetition(s), %.2g s per measurement, %d idle connections in W6 and S6", r.Command, r.Reps, r.Duration, r.Idle)
	if slices.ContainsFunc(r.Summary, func(s summary) bool { return s.w.compress && s.w.kind == idle }) {
		fmt.Fprintf(w, ", %d in Z3", r.ZIdle)
	}
	fmt.Fprintf(w, ".\n\n")
	fmt.Fprintf(w, "Medians over the repetitions; in parentheses ws ÷ that library, the median of the ratios of each repetition.\n")
	fmt.Fprintf(w, "The best peer is the WebSocket library (not tcp) with the best median.\n")
	fmt.Fprintf(w, "For msg/s, conn/s and MB/s a ratio above 1 means ws is faster; for memory, CPU and bytes on the wire below 1 means ws uses less.\n")
	if slices.ContainsFunc(r.Summary, func(s summary) bool { return s.w.server() }) {
		fmt.Fprintf(w, "In the server-side workloads (S) the libraries serve and one driver is the client: CPU, allocations, system calls and memory are the server process's.\n")
	}
	fmt.Fprintln(w)
	// The batching peers have a table of their own workload only.
	cols := slices.DeleteFunc(slices.Clone(r.libs), batchOnly)
	fmt.Fprintf(w, "| workload | metric |")
	for _, lib := range cols {
		fmt.Fprintf(w, " %s |", lib)
	}
	fmt.Fprintf(w, " ws ÷ best peer | load |\n|---|---|%s---:|---:|\n", strings.Repeat("---:|", len(cols)))
	for _, s := range r.Summary {
		fmt.Fprintf(w, "| %s %s | %s |", s.Workload, s.Title, s.w.main.Label)
		for _, lib := range cols {
			c := cell(s, lib, s.w.main)
			if lib != "ws" && c != "" && c != "failed" {
				c += " (" + ratioText(ratioOr(s.Ratio, lib)) + ")"
			}
			fmt.Fprintf(w, " %s |", c)
		}
		fmt.Fprintf(w, " %s (%s) | %s |\n", ratioText(ratioOr(s.Ratio, s.BestPeer)), s.BestPeer, r.loadRange(s.Workload))
	}
	r.targets(w)
	for _, s := range r.Summary {
		fmt.Fprintf(w, "\n#### %s: %s\n\n", s.Workload, s.Title)
		if load := r.loadRange(s.Workload); load != "" {
			fmt.Fprintf(w, "Load average (1 min) as its measurements began: %s.\n\n", load)
		}
		fmt.Fprintf(w, "| library |")
		for _, m := range s.w.cols {
			fmt.Fprintf(w, " %s |", m.Label)
		}
		ratios := s.ratioColumns()
		for _, c := range ratios {
			fmt.Fprintf(w, " ws ÷ lib, %s |", c.label)
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(s.w.cols)+len(ratios)))
		for _, lib := range r.libs {
			if !measuredIn(lib, s.w) {
				continue
			}
			fmt.Fprintf(w, "| %s |", lib)
			for _, m := range s.w.cols {
				fmt.Fprintf(w, " %s |", cell(s, lib, m))
			}
			for _, c := range ratios {
				if lib == "ws" {
					fmt.Fprintf(w, " |")
				} else {
					fmt.Fprintf(w, " %s |", ratioText(ratioOr(c.ratios, lib)))
				}
			}
			fmt.Fprintln(w)
		}
	}
}

// targets checks ws against the targets of issue 5.
func (r *report) targets(w io.Writer) {
	type check struct {
		what, figure string
		met          bool
	}
	var checks []check
	for _, s := range r.Summary {
		ws := s.Medians["ws"]
		if ws == nil {
			continue
		}
		switch s.Workload {
		case "W1", "W2", "W3":
			checks = append(checks,
				check{s.Workload + ": 0 allocations per message", num(ws[mAllocs.Key]) + " allocs/msg", ws[mAllocs.Key] < 0.01},
				check{s.Workload + ": client CPU per message ≤ best peer", ratioText(s.CPUBest) + "× " + s.CPUBestPeer, s.CPUBest <= 1},
				check{s.Workload + ": messages/s ≥ best peer", ratioText(s.VsBest) + "× " + s.BestPeer, s.VsBest >= 1})
			if s.Workload == "W3" {
				checks = append(checks, check{"W3: messages/s ≥ 0.97× best peer, none of which validates UTF-8 (issue 16)", ratioText(s.VsBest) + "× " + s.BestPeer, s.VsBest >= 0.97})
			}
		case "W2-batch":
			checks = append(checks, check{"W2-batch: messages/s with SendAll ≥ 2× best peer's without batching", ratioText(s.VsBestPlain) + "× " + s.BestPlainPeer, s.VsBestPlain >= 2})
			if batchOnly(s.BestPeer) {
				checks = append(checks, check{"W2-batch: messages/s with SendAll ≥ best peer batching the same 64 messages (issue 16)", ratioText(s.VsBest) + "× " + s.BestPeer, s.VsBest >= 1})
			}
		case "W7":
			// gws's close does not wait for the server's close frame.
			peer := bestPeer(s, r.libs, mConnRate, func(lib string) bool { return lib == "gws" })
			checks = append(checks, check{"W7: conn/s ≥ best peer that completes the closing handshake (issue 16)", ratioText(ratioOr(s.Ratio, peer)) + "× " + peer, s.Ratio[peer] >= 1})
		case "W4-1MiB", "W4-16MiB":
			checks = append(checks, check{s.Workload + ": MB/s ≥ 1.3× best peer", ratioText(s.VsBest) + "× " + s.BestPeer, s.VsBest >= 1.3})
		case "W6":
			checks = append(checks, check{"W6: RSS per connection ≤ 0.75× best peer", ratioText(s.VsBest) + "× " + s.BestPeer, s.VsBest <= 0.75})
		}
	}
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(w, "\n#### Targets of issues 5 and 16\n\n| target | ws | met |\n|---|---:|---|\n")
	for _, c := range checks {
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.what, c.figure, map[bool]string{true: "yes", false: "**no**"}[c.met])
	}
}
