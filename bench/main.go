// Command bench compares ws with gorilla/websocket, coder/websocket,
// gobwas/ws and lxzan/gws on the same workloads against the same server,
// in the same run: rounds interleave the libraries in a shuffled order so
// that drift in the machine's load touches all of them alike. It prints
// the median time per message of each library and its ratio to ws.
//
//	cd bench && go run . [-rounds 7] [-only echo]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	gobwas "github.com/gobwas/ws"
)

type workload struct {
	kind string // echo: send then receive; recv: receive only; send: send only
	size int
}

func (w workload) String() string { return fmt.Sprintf("%s %s", w.kind, byteSize(w.size)) }

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// opsFor sizes a sample to move about 8 MiB, with between 100 and 20000
// messages.
func opsFor(size int) int { return min(20000, max(100, (8<<20)/max(size, 1))) }

type sample struct {
	nsPerOp     float64
	allocsPerOp float64
}

func main() {
	rounds := flag.Int("rounds", 7, "samples per library and workload")
	only := flag.String("only", "", "run only workloads whose name contains this")
	flag.Parse()
	var workloads []workload
	for _, kind := range []string{"echo", "recv", "send"} {
		for _, size := range []int{16, 1 << 10, 64 << 10, 1 << 20} {
			w := workload{kind, size}
			if strings.Contains(w.String(), *only) {
				workloads = append(workloads, w)
			}
		}
	}
	fmt.Printf("%s %s/%s, GOMAXPROCS=%d, %d rounds; median per message, ratio = library / ws (above 1: ws is faster)\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), *rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "workload\t"
	for _, l := range libraries {
		header += l.name + "\t"
	}
	fmt.Fprintln(tw, header)
	for _, w := range workloads {
		res := run(w, *rounds)
		line := w.String() + "\t"
		base := median(res["ws"])
		for _, l := range libraries {
			m := median(res[l.name])
			line += fmt.Sprintf("%s %.1fa x%.2f\t", dur(m.nsPerOp), m.allocsPerOp, m.nsPerOp/base.nsPerOp)
		}
		fmt.Fprintln(tw, line)
		tw.Flush()
	}
}

func dur(ns float64) string { return time.Duration(ns).Round(10 * time.Nanosecond).String() }

func median(s []sample) sample {
	slices.SortFunc(s, func(a, b sample) int { return int(a.nsPerOp - b.nsPerOp) })
	return s[len(s)/2]
}

// run measures one workload: a server of its kind, a connection per
// library, then rounds of one sample per library in shuffled order.
func run(w workload, rounds int) map[string][]sample {
	ops := opsFor(w.size)
	mode := serverMode{name: map[string]string{"echo": "echo", "recv": "blast", "send": "sink"}[w.kind], count: ops}
	if w.kind == "recv" {
		frame := gobwas.NewBinaryFrame(make([]byte, w.size))
		var buf bytes.Buffer
		for buf.Len() < 64<<10 || buf.Len() == 0 {
			gobwas.WriteFrame(&buf, frame)
			if w.size >= 64<<10 {
				break
			}
		}
		mode.burst = buf.Bytes()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go serve(ln, mode)
	url := "ws://" + ln.Addr().String() + "/"
	clients := map[string]client{}
	for _, l := range libraries {
		c, err := l.dial(url)
		if err != nil {
			log.Fatalf("%s: dial: %v", l.name, err)
		}
		clients[l.name] = c
		defer c.close()
	}
	payload := make([]byte, w.size)
	res := map[string][]sample{}
	order := slices.Clone(libraries)
	for r := -1; r < rounds; r++ { // round -1 warms up
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, l := range order {
			s := measure(clients[l.name], w.kind, payload, ops)
			if r >= 0 {
				res[l.name] = append(res[l.name], s)
			}
		}
	}
	return res
}

func measure(c client, kind string, payload []byte, ops int) sample {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range ops {
		if kind != "recv" {
			check(c.send(payload))
		}
		if kind != "send" {
			p, err := c.recv()
			check(err)
			if len(p) != len(payload) {
				log.Fatalf("received %d bytes, want %d", len(p), len(payload))
			}
		}
	}
	if kind == "send" {
		_, err := c.recv() // the server's acknowledgement of the whole batch
		check(err)
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return sample{
		nsPerOp:     float64(elapsed.Nanoseconds()) / float64(ops),
		allocsPerOp: float64(after.Mallocs-before.Mallocs) / float64(ops),
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
