package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// progressEvery is the least time between two redraws of a progress line.
const progressEvery = 100 * time.Millisecond

// readFile reads the file at path whole. With progress set and a file of
// at least progressMin bytes, it redraws a progress line there as it reads.
func readFile(path string, progress io.Writer) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return io.ReadAll(f)
	}
	size := fi.Size()
	data := make([]byte, 0, size)
	show := progress != nil && size >= progressMin
	name := filepath.Base(path)
	last := time.Time{}
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew
		}
		n, err := f.Read(data[len(data):min(cap(data), len(data)+1<<20)])
		data = data[:len(data)+n]
		if show && (time.Since(last) >= progressEvery || err != nil) {
			last = time.Now()
			fmt.Fprintf(progress, "\r\x1b[Kreading %s: %3d%% of %s", name, percent(int64(len(data)), size), byteSize(size))
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
}

func percent(n, total int64) int64 {
	if total <= 0 {
		return 100
	}
	return min(100, n*100/total)
}
