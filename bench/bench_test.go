package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestMain lets the test binary be a client process too: benchmark runs
// the program it is in again for every measurement.
func TestMain(m *testing.M) {
	if clientEnvSet() {
		os.Exit(clientMain())
	}
	os.Exit(m.Run())
}

// TestBenchmarkW1 runs the machinery of -quick on one short workload: the
// echo server is built and started, every library is measured in a
// client process of its own, and the report is summarized and printed.
func TestBenchmarkW1(t *testing.T) {
	w, _ := lookupWorkload("W1")
	o := options{reps: 1, duration: 20 * time.Millisecond, workloads: []workload{w}, libs: libraries}
	o.clientCPU, o.serverCPU, _ = cpuPair()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	runs, err := benchmark(ctx, o, &progress)
	if err != nil {
		t.Fatalf("benchmark: %v\n%s", err, progress.String())
	}
	if len(runs) != len(libraries) {
		t.Fatalf("%d measurements, want one per library (%d)", len(runs), len(libraries))
	}
	for _, r := range runs {
		res := r.Result
		if res.Err != "" {
			t.Errorf("%s: %s", r.Lib, res.Err)
			continue
		}
		if res.Ops < int64(w.warm) || !(res.PerSec > 0) || !(res.CPUus > 0) || !(res.P50us > 0) || res.P99us < res.P50us || !(res.Writes > 0) {
			t.Errorf("%s: implausible result %+v", r.Lib, res)
		}
	}
	r := &report{Runs: runs, Reps: 1}
	for _, l := range libraries {
		r.libs = append(r.libs, l.name)
	}
	summarize(r, o.workloads)
	s := r.Summary[0]
	for _, l := range libraries {
		if _, ok := s.Medians[l.name]; !ok {
			t.Errorf("no median for %s", l.name)
		}
		if l.name != "ws" && math.IsNaN(s.Ratio[l.name]) {
			t.Errorf("no ratio of ws to %s", l.name)
		}
	}
	var out bytes.Buffer
	r.markdown(&out)
	if !strings.Contains(out.String(), "| W1 ping-pong") || strings.Contains(out.String(), "failed") {
		t.Errorf("report:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}

func TestPayloads(t *testing.T) {
	for _, w := range workloads {
		p := w.payload()
		if len(p) != w.size {
			t.Errorf("%s: payload of %d bytes, want %d", w.Name, len(p), w.size)
		}
		if w.text && !utf8.Valid(p) {
			t.Errorf("%s: text payload is not valid UTF-8", w.Name)
		}
	}
}

func TestHistQuantiles(t *testing.T) {
	var h hist
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := h.quantile(c.q)
		if got > c.want || float64(c.want-got) > float64(c.want)/64 {
			t.Errorf("quantile(%v) = %v, want within 1/64 below %v", c.q, got, c.want)
		}
	}
}
