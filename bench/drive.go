package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// measure runs workload w with library l in this process and returns what
// it measured.
func measure(l library, w workload, s clientSpec) (result, error) {
	m, err := newMeter()
	if err != nil {
		return result{}, err
	}
	if w.server() {
		if m.remote, err = dialRemote(s.Control); err != nil {
			return result{}, err
		}
		l = driverLibrary
	}
	switch w.kind {
	case pingPong:
		return measurePingPong(m, l, w, s)
	case pipelined:
		return measurePipelined(m, l, w, s)
	case idle:
		return measureIdle(m, l, w, s)
	}
	return measureChurn(m, l, w, s)
}

// timed calibrates round (n operations per call) to last about target,
// then measures one round of that size, after a collection so that
// garbage of the warm-up is not collected during it.
func timed(m *meter, round func(n int) error, warm int, target time.Duration) (n int, b, e usage, err error) {
	if err := round(warm); err != nil { // buffers grown, code paths warm
		return 0, b, e, err
	}
	start := time.Now()
	if err := round(warm); err != nil {
		return 0, b, e, err
	}
	took := max(time.Since(start), time.Microsecond)
	n = max(warm, int(float64(warm)*float64(target)/float64(took)))
	runtime.GC()
	if b, err = m.begin(); err != nil {
		return 0, b, e, err
	}
	err = round(n)
	e, err2 := m.end()
	return n, b, e, errors.Join(err, err2)
}

func dialAll(l library, w workload, addrs []string, count int) ([]conn, error) {
	conns := make([]conn, 0, count)
	for i := range count {
		c, err := l.dial(dialSpec{addr: addrs[i%len(addrs)], text: w.text, size: w.size, compress: w.compress})
		if err != nil {
			closeAll(conns)
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

func closeAll(conns []conn) {
	for _, c := range conns {
		c.close()
	}
}

func checkEcho(got []byte, sent []byte) error {
	if len(got) != len(sent) {
		return fmt.Errorf("echo of %d bytes, sent %d", len(got), len(sent))
	}
	return nil
}

// checkEchoExact compares the whole echo: a compressed message goes
// through two compressors and two decompressors on its way back.
func checkEchoExact(got []byte, sent []byte) error {
	if !bytes.Equal(got, sent) {
		return fmt.Errorf("echo of %d bytes differs from the %d bytes sent", len(got), len(sent))
	}
	return nil
}

// echoCheck is how a workload's echoes are checked: their length only,
// unless compressed.
func (w workload) echoCheck() func(got, sent []byte) error {
	if w.compress {
		return checkEchoExact
	}
	return checkEcho
}

// checkCompressed fails a compressed workload whose messages did not
// shrink on the wire, each way: a library that negotiated compression
// and did not compress would otherwise be measured as if it had.
func checkCompressed(r result, size int) error {
	if limit := 0.9 * float64(size); r.WireOut > limit || r.WireIn > limit {
		return fmt.Errorf("not compressed: %.0f B sent and %.0f B received per %d B message", r.WireOut, r.WireIn, size)
	}
	return nil
}

func measurePingPong(m *meter, l library, w workload, s clientSpec) (result, error) {
	conns, err := dialAll(l, w, s.Addrs, w.conns)
	if err != nil {
		return result{}, err
	}
	defer closeAll(conns)
	msgs := w.messages()
	check := w.echoCheck()
	hists := make([]hist, len(conns))
	errs := make([]error, len(conns))
	round := func(n int) error {
		if len(conns) == 1 {
			return pingPongRound(conns[0], msgs, n, &hists[0], check)
		}
		var wg sync.WaitGroup
		for i, c := range conns {
			wg.Go(func() { errs[i] = pingPongRound(c, msgs, n, &hists[i], check) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	n, b, e, err := timed(m, round, w.warm, s.Duration)
	if err != nil {
		return result{}, err
	}
	r := rates(b, e, int64(n*len(conns)))
	for i := 1; i < len(hists); i++ {
		hists[0].merge(&hists[i])
	}
	r.P50us = micros(hists[0].quantile(0.50))
	r.P99us = micros(hists[0].quantile(0.99))
	r.MBPerSec = r.PerSec * float64(w.size) / 1e6
	if w.compress {
		return r, checkCompressed(r, w.size)
	}
	return r, nil
}

// pingPongRound sends a message of msgs, in turn, and waits for its
// echo, n times, recording each round trip in h.
func pingPongRound(c conn, msgs [][]byte, n int, h *hist, check func(got, sent []byte) error) error {
	h.reset()
	var sent time.Time
	var err error
	left, i := n, 0
	start := func() error {
		sent = time.Now()
		return c.send(msgs[0])
	}
	serr := c.serve(start, func(q []byte) bool {
		now := time.Now()
		h.add(now.Sub(sent))
		if err = check(q, msgs[i]); err != nil {
			return false
		}
		if left--; left == 0 {
			return false
		}
		if i++; i == len(msgs) {
			i = 0
		}
		sent = now
		err = c.send(msgs[i])
		return err == nil
	})
	return errors.Join(serr, err)
}

func measurePipelined(m *meter, l library, w workload, s clientSpec) (result, error) {
	conns, err := dialAll(l, w, s.Addrs, 1)
	if err != nil {
		return result{}, err
	}
	defer closeAll(conns)
	p := w.payload()
	n, b, e, err := timed(m, func(n int) error { return pipelineRound(conns[0], p, n, w.batch) }, w.warm, s.Duration)
	if err != nil {
		return result{}, err
	}
	return rates(b, e, int64(n)), nil
}

// pipelineRound sends p n times from one goroutine while receiving the
// echoes in another, as fast as each goes; batch messages per call where
// the library can send a batch.
func pipelineRound(c conn, p []byte, n, batch int) error {
	var werr, rerr error
	wrote := make(chan struct{})
	start := func() error {
		go func() {
			defer close(wrote)
			if b, ok := c.(batcher); ok && batch > 1 {
				for sent := 0; sent < n && werr == nil; sent += batch {
					werr = b.sendBatch(p, min(batch, n-sent))
				}
				return
			}
			for range n {
				if werr = c.send(p); werr != nil {
					return
				}
			}
		}()
		return nil
	}
	got := 0
	serr := c.serve(start, func(q []byte) bool {
		if rerr = checkEcho(q, p); rerr != nil {
			return false
		}
		got++
		return got < n
	})
	<-wrote
	return errors.Join(serr, rerr, werr)
}

func measureChurn(m *meter, l library, w workload, s clientSpec) (result, error) {
	next := 0
	round := func(n int) error {
		for range n {
			c, err := l.dial(dialSpec{addr: s.Addrs[next%len(s.Addrs)], text: w.text, size: w.size, compress: w.compress})
			if err != nil {
				return err
			}
			next++
			if err := c.close(); err != nil {
				return fmt.Errorf("close: %w", err)
			}
		}
		return nil
	}
	n, b, e, err := timed(m, round, w.warm, s.Duration)
	if err != nil {
		return result{}, err
	}
	return rates(b, e, int64(n)), nil
}

// measureIdle opens s.Idle connections, each made responsive the
// library's way, measures what they hold once they have settled, and
// the time to open them all and to close them all.
// With compression each first echoes one message, so that whatever a
// library keeps between messages exists.
func measureIdle(m *meter, l library, w workload, s clientSpec) (result, error) {
	p := w.payload()
	b, err := m.settled()
	if err != nil {
		return result{}, err
	}
	conns := make([]conn, s.Idle)
	errs := make([]error, 16)
	var wg sync.WaitGroup
	for d := range errs { // dialers in parallel: the server answers on another CPU
		wg.Go(func() {
			for i := d; i < len(conns) && errs[d] == nil; i += len(errs) {
				conns[i], errs[d] = l.dial(dialSpec{addr: s.Addrs[i%len(s.Addrs)], text: w.text, size: w.size, compress: w.compress})
				if errs[d] == nil && w.compress {
					errs[d] = exchange(conns[i], p)
				}
				if errs[d] == nil {
					conns[i].idle()
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return result{}, err
	}
	opened := time.Now()
	// For every reader goroutine to block, and every ws Conn's pump to
	// park: it does after a second of silence.
	time.Sleep(1500 * time.Millisecond)
	e, err := m.settled()
	if err != nil {
		return result{}, err
	}
	r := rates(b, e, int64(len(conns)))
	r.Seconds = opened.Sub(b.wall).Seconds()
	r.PerSec = float64(len(conns)) / r.Seconds
	n := float64(len(conns))
	r.RSS = float64(int64(e.rss)-int64(b.rss)) / n
	r.HeapStack = float64(int64(e.heapAndStack)-int64(b.heapAndStack)) / n
	r.Goroutines = float64(e.goroutines-b.goroutines) / n
	// Then every connection is closed, with its closing handshake, by as
	// many closers as there were dialers.
	start := time.Now()
	for d := range errs {
		wg.Go(func() {
			for i := d; i < len(conns); i += len(errs) {
				conns[i].close()
			}
		})
	}
	wg.Wait()
	r.CloseSecs = time.Since(start).Seconds()
	return r, nil
}

// exchange sends p once and waits for its echo.
func exchange(c conn, p []byte) error {
	var err error
	serr := c.serve(func() error { return c.send(p) }, func(q []byte) bool {
		err = checkEchoExact(q, p)
		return false
	})
	return errors.Join(serr, err)
}

// rates turns the usage between b and e into figures per operation.
func rates(b, e usage, ops int64) result {
	n := float64(ops)
	secs := e.wall.Sub(b.wall).Seconds()
	return result{
		Ops:     ops,
		Seconds: secs,
		PerSec:  n / secs,
		Allocs:  float64(e.mallocs-b.mallocs) / n,
		Bytes:   float64(e.allocBytes-b.allocBytes) / n,
		CPUus:   micros(e.cpu-b.cpu) / n,
		Reads:   float64(e.reads-b.reads) / n,
		Writes:  float64(e.writes-b.writes) / n,
		WireIn:  float64(e.rchar-b.rchar) / n,
		WireOut: float64(e.wchar-b.wchar) / n,
	}
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
