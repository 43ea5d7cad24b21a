package deflate

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// retained returns the heap each of n values made by mk keeps, with the
// pools emptied: what a connection holds between messages.
func retained(n int, mk func() any) int64 {
	keep := make([]any, n)
	var before, after runtime.MemStats
	// Two collections empty a sync.Pool (its victim cache too).
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(n)
}

// connMemory measures what the Compressor and the Decompressor of one
// connection hold after a 1 KiB message each way.
func connMemory(s Settings) (comp, decomp int64) {
	msg := jsonDoc(rand.New(rand.NewPCG(1, 1)), 1<<10)
	payload := NewCompressor(s).Append(nil, msg, true)
	n := 200
	if !s.NoContextTakeover {
		n = 10 // each holds an encoder of about a megabyte
	}
	comp = retained(n, func() any {
		c := NewCompressor(s)
		c.Append(nil, msg, true)
		return c
	})
	decomp = retained(200, func() any {
		d := NewDecompressor(s, 0)
		d.Write(payload)
		if _, err := d.Finish(nil); err != nil {
			panic(err)
		}
		return d
	})
	return comp, decomp
}

// BenchmarkMemoryPerConn reports the memory per connection, compressor
// and decompressor, for each window size with and without context
// takeover (the figures of the package documentation):
//
//	go test -run '^$' -bench MemoryPerConn -benchtime 1x ./internal/deflate
func BenchmarkMemoryPerConn(b *testing.B) {
	for bits := MinWindowBits; bits <= MaxWindowBits; bits++ {
		for _, nct := range []bool{false, true} {
			s := Settings{WindowBits: bits, NoContextTakeover: nct}
			b.Run(modeName(s), func(b *testing.B) {
				var comp, decomp int64
				for b.Loop() {
					comp, decomp = connMemory(s)
				}
				b.ReportMetric(float64(comp), "compressor-B/conn")
				b.ReportMetric(float64(decomp), "decompressor-B/conn")
			})
		}
	}
}

// Between messages a connection keeps no decoding state, only the sender's
// window when it takes over its context, and no encoder at all without
// context takeover.
func TestMemoryPerConn(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const slack = 512 // the structs themselves and allocator rounding
	for _, bits := range []int{8, 12, 15} {
		for _, nct := range []bool{false, true} {
			s := Settings{WindowBits: bits, NoContextTakeover: nct}
			t.Run(modeName(s), func(t *testing.T) {
				comp, decomp := connMemory(s)
				t.Logf("compressor %d B, decompressor %d B", comp, decomp)
				window := int64(0)
				if !nct {
					window = 1 << bits
				}
				if decomp > window+slack {
					t.Errorf("decompressor holds %d bytes, want at most %d", decomp, window+slack)
				}
				if nct && comp > slack {
					t.Errorf("compressor without takeover holds %d bytes", comp)
				}
			})
		}
	}
}
