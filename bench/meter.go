package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// usage is what the client process has consumed so far. While it is
// measured the client reads and writes nothing but its sockets and, twice,
// /proc/self/io and /proc/self/statm (about 200 bytes in all), so the
// differences of rchar and wchar are its bytes on the wire: the frames,
// without TCP/IP headers. They are counted the same way for every
// library, none of which needs a wrapped net.Conn for it.
type usage struct {
	wall         time.Time
	mallocs      uint64 // runtime.MemStats.Mallocs
	allocBytes   uint64 // runtime.MemStats.TotalAlloc
	cpu          time.Duration
	reads        uint64 // read system calls, syscr of /proc/self/io
	writes       uint64 // write system calls, syscw
	rchar        uint64 // bytes read by system calls
	wchar        uint64 // bytes written by system calls
	rss          uint64 // resident memory in bytes
	heapAndStack uint64 // HeapInuse + StackInuse
	goroutines   int
}

// meter reads usage with files opened once and buffers allocated once, so
// that reading it allocates nothing and costs few system calls.
//
// With remote set it reads the usage of a server process instead, but
// for the wall clock, which stays this process's.
type meter struct {
	io, statm *os.File
	buf       [1024]byte
	ms        runtime.MemStats
	remote    *remoteMeter
}

func newMeter() (*meter, error) {
	io, err := os.Open("/proc/self/io")
	if err != nil {
		return nil, err
	}
	statm, err := os.Open("/proc/self/statm")
	if err != nil {
		io.Close()
		return nil, err
	}
	return &meter{io: io, statm: statm}, nil
}

// begin returns the usage so far, reading the wall clock last so that a
// measured interval starts after the cost of the reading; end reads it
// first. Neither allocates.
func (m *meter) begin() (usage, error) {
	if m.remote != nil {
		u, err := m.remote.read("begin")
		u.wall = time.Now()
		return u, err
	}
	var u usage
	m.memory(&u)
	err := m.system(&u)
	u.wall = time.Now()
	return u, err
}

func (m *meter) end() (usage, error) {
	if m.remote != nil {
		wall := time.Now()
		u, err := m.remote.read("end")
		u.wall = wall
		return u, err
	}
	var u usage
	u.wall = time.Now()
	err := m.system(&u)
	m.memory(&u)
	return u, err
}

func (m *meter) memory(u *usage) {
	runtime.ReadMemStats(&m.ms)
	u.mallocs, u.allocBytes = m.ms.Mallocs, m.ms.TotalAlloc
	u.heapAndStack = m.ms.HeapInuse + m.ms.StackInuse
	u.goroutines = runtime.NumGoroutine()
}

func (m *meter) system(u *usage) error {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	u.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	n, err := m.io.ReadAt(m.buf[:], 0)
	if n == 0 {
		return err
	}
	u.reads = field(m.buf[:n], "syscr: ")
	u.writes = field(m.buf[:n], "syscw: ")
	u.rchar = field(m.buf[:n], "rchar: ")
	u.wchar = field(m.buf[:n], "wchar: ")
	n, err = m.statm.ReadAt(m.buf[:], 0)
	if n == 0 {
		return err
	}
	// statm holds sizes in pages: total, then resident.
	_, resident, _ := bytes.Cut(m.buf[:n], []byte(" "))
	u.rss = number(resident) * uint64(os.Getpagesize())
	return nil
}

// settled is read after a full collection that returned freed memory to
// the system, for figures of memory held rather than memory passed
// through.
func (m *meter) settled() (usage, error) {
	if m.remote != nil {
		u, err := m.remote.read("settled")
		u.wall = time.Now()
		return u, err
	}
	debug.FreeOSMemory()
	return m.begin()
}

// field returns the number after name in text, 0 if absent.
func field(text []byte, name string) uint64 {
	i := bytes.Index(text, []byte(name))
	if i < 0 {
		return 0
	}
	return number(text[i+len(name):])
}

// number parses the decimal digits text starts with.
func number(text []byte) uint64 {
	var v uint64
	for _, c := range text {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + uint64(c-'0')
	}
	return v
}
