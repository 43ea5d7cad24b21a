package main

// metric is one figure of a result, as the tables show it.
type metric struct {
	Key    string
	Label  string
	Higher bool // a higher figure is better
	get    func(result) float64
}

var (
	mRate       = metric{"per_sec", "msg/s", true, func(r result) float64 { return r.PerSec }}
	mMBps       = metric{"mb_per_sec", "MB/s", true, func(r result) float64 { return r.MBPerSec }}
	mP50        = metric{"p50_us", "p50 µs", false, func(r result) float64 { return r.P50us }}
	mP99        = metric{"p99_us", "p99 µs", false, func(r result) float64 { return r.P99us }}
	mAllocs     = metric{"allocs", "allocs/msg", false, func(r result) float64 { return r.Allocs }}
	mBytes      = metric{"bytes", "B/msg", false, func(r result) float64 { return r.Bytes }}
	mCPU        = metric{"cpu_us", "CPU µs/msg", false, func(r result) float64 { return r.CPUus }}
	mReads      = metric{"reads", "reads/msg", false, func(r result) float64 { return r.Reads }}
	mWrites     = metric{"writes", "writes/msg", false, func(r result) float64 { return r.Writes }}
	mWireOut    = metric{"wire_out", "sent B/msg", false, func(r result) float64 { return r.WireOut }}
	mWireIn     = metric{"wire_in", "received B/msg", false, func(r result) float64 { return r.WireIn }}
	mWire       = metric{"wire", "wire B/msg", false, func(r result) float64 { return r.WireOut + r.WireIn }}
	mRSS        = metric{"rss", "RSS B/conn", false, func(r result) float64 { return r.RSS }}
	mHeapStack  = metric{"heap_stack", "heap+stack B/conn", false, func(r result) float64 { return r.HeapStack }}
	mGoroutines = metric{"goroutines", "goroutines/conn", false, func(r result) float64 { return r.Goroutines }}
	mConnRate   = metric{"per_sec", "conn/s", true, func(r result) float64 { return r.PerSec }}
	mOpenSecs   = metric{"seconds", "open all s", false, func(r result) float64 { return r.Seconds }}
	mCloseSecs  = metric{"close_seconds", "close all s", false, func(r result) float64 { return r.CloseSecs }}
	mConnAllocs = metric{"allocs", "allocs/conn", false, func(r result) float64 { return r.Allocs }}
	mConnBytes  = metric{"bytes", "B/conn", false, func(r result) float64 { return r.Bytes }}
	mConnCPU    = metric{"cpu_us", "CPU µs/conn", false, func(r result) float64 { return r.CPUus }}
	mConnReads  = metric{"reads", "reads/conn", false, func(r result) float64 { return r.Reads }}
	mConnWrites = metric{"writes", "writes/conn", false, func(r result) float64 { return r.Writes }}
)
