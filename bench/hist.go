package main

import (
	"math/bits"
	"time"
)

// hist is a histogram of durations that records without allocating:
// exact below 128 ns, then 64 buckets per power of two, so that a
// quantile is off by less than 1/64 of its value.
type hist struct {
	counts [64 * 59]uint64
	n      uint64
}

func bucket(v uint64) int {
	if v < 128 {
		return int(v)
	}
	e := bits.Len64(v) - 7
	return 64*(e+1) + int(v>>e) - 64
}

func bucketFloor(i int) uint64 {
	if i < 128 {
		return uint64(i)
	}
	e := i/64 - 1
	return uint64(i%64+64) << e
}

func (h *hist) add(d time.Duration) {
	h.counts[bucket(uint64(max(d, 0)))]++
	h.n++
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

func (h *hist) reset() { *h = hist{} }

// quantile returns the lower bound of the bucket holding quantile q.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n-1))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return time.Duration(bucketFloor(i))
		}
	}
	return 0
}
