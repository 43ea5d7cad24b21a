package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
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
	if serverEnvSet() {
		os.Exit(serverMain())
	}
	os.Exit(m.Run())
}

// TestBenchmarkW1 runs the machinery of -quick on one short workload: the
// echo server is built and started, every library is measured in a
// client process of its own, and the report is summarized and printed.
func TestBenchmarkW1(t *testing.T) { testBenchmark(t, "W1") }

// TestBenchmarkZ1 does the same with compression: every WebSocket
// library negotiates permessage-deflate with the echo server, which
// inflates and deflates, and the client checks each echo whole and that
// the messages shrank on the wire.
func TestBenchmarkZ1(t *testing.T) { testBenchmark(t, "Z1") }

// TestBenchmarkW2Batch does the same with batches: ws, and the peers
// measured there only, gobwas and TCP through a bufio.Writer, write a
// batch of 64 messages in one go.
func TestBenchmarkW2Batch(t *testing.T) { testBenchmark(t, "W2-batch") }

// TestBenchmarkS1 and TestBenchmarkS7 run the server side: every library
// serves in a process of its own, the driver dials it, and the server's
// figures come back through its control connection.
func TestBenchmarkS1(t *testing.T) { testBenchmark(t, "S1") }
func TestBenchmarkS7(t *testing.T) { testBenchmark(t, "S7") }

func testBenchmark(t *testing.T, name string) {
	w, _ := lookupWorkload(name)
	libs := slices.DeleteFunc(slices.Clone(libraries), func(l library) bool { return !l.runs(w) })
	o := options{reps: 1, duration: 20 * time.Millisecond, workloads: []workload{w}, libs: libs}
	o.clientCPU, o.serverCPU, _ = cpuPair()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	runs, err := benchmark(ctx, o, &progress)
	if err != nil {
		t.Fatalf("benchmark: %v\n%s", err, progress.String())
	}
	if len(runs) != len(libs) {
		t.Fatalf("%d measurements, want one per library (%d)", len(runs), len(libs))
	}
	for _, r := range runs {
		res := r.Result
		if res.Err != "" {
			t.Errorf("%s: %s", r.Lib, res.Err)
			continue
		}
		if res.Ops < int64(w.warm) || !(res.PerSec > 0) || !(res.CPUus > 0) || w.kind == pingPong && !(res.P50us > 0) || res.P99us < res.P50us || !(res.Writes > 0) || !(res.WireOut > 0) {
			t.Errorf("%s: implausible result %+v", r.Lib, res)
		}
		if l, _ := lookupLibrary(r.Lib); w.batch > 1 && (l.batchOnly || l.name == "ws") && res.Writes > 2/float64(w.batch) {
			t.Errorf("%s: %.3f writes per message, not batches of %d", r.Lib, res.Writes, w.batch)
		}
	}
	r := &report{Runs: runs, Reps: 1}
	for _, l := range libs {
		r.libs = append(r.libs, l.name)
	}
	summarize(r, o.workloads)
	s := r.Summary[0]
	for _, l := range libs {
		if _, ok := s.Medians[l.name]; !ok {
			t.Errorf("no median for %s", l.name)
		}
		if l.name != "ws" && math.IsNaN(s.Ratio[l.name]) {
			t.Errorf("no ratio of ws to %s", l.name)
		}
	}
	var out bytes.Buffer
	r.markdown(&out)
	if !strings.Contains(out.String(), "| "+name+" "+w.Title) || strings.Contains(out.String(), "failed") {
		t.Errorf("report:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}

func TestPayloads(t *testing.T) {
	for _, w := range workloads {
		msgs := append(w.messages(), w.payload())
		for i, p := range msgs {
			if len(p) != w.size {
				t.Errorf("%s: message %d of %d bytes, want %d", w.Name, i, len(p), w.size)
			}
			if w.text && !utf8.Valid(p) {
				t.Errorf("%s: text message %d is not valid UTF-8", w.Name, i)
			}
			if w.compress && !json.Valid(p) {
				t.Errorf("%s: message %d is not JSON: %.80q", w.Name, i, p)
			}
		}
		if !bytes.Equal(msgs[0], msgs[len(msgs)-1]) {
			t.Errorf("%s: payload is not the first message", w.Name)
		}
		if w.compress && (len(msgs)-1)*w.size < 4<<15 || slices.ContainsFunc(msgs[1:len(msgs)-1], func(p []byte) bool { return bytes.Equal(p, msgs[0]) }) {
			t.Errorf("%s: %d messages, not enough distinct ones to leave a 32 KiB window", w.Name, len(msgs)-1)
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
