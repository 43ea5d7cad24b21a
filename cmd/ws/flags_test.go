package main

import (
	"errors"
	"flag"
	"slices"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"4096", 4096}, {"64K", 64 << 10}, {"64k", 64 << 10}, {"64KiB", 64 << 10}, {"64KB", 64 << 10},
		{"32M", 32 << 20}, {"32MiB", 32 << 20}, {"1G", 1 << 30}, {"100B", 100},
	} {
		got, err := parseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "K", "-1", "1.5M", "lots", "9999999999999G", "1T"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"0", 0}, {"2", 2 * time.Second}, {"1.5", 1500 * time.Millisecond}, {"500ms", 500 * time.Millisecond}, {"1m30s", 90 * time.Second},
	} {
		got, err := parseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "-1", "-1s", "soon", "1e300"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) accepted", bad)
		}
	}
}

func TestWaitForever(t *testing.T) {
	var d time.Duration
	var forever bool
	v := durationValue{d: &d, forever: &forever}
	if err := v.Set("forever"); err != nil || !forever {
		t.Fatalf("forever: %v, %v", forever, err)
	}
	if err := v.Set("3s"); err != nil || forever || d != 3*time.Second {
		t.Fatalf("3s after forever: %v, %v, %v", d, forever, err)
	}
	if err := (durationValue{d: &d}).Set("forever"); err == nil {
		t.Fatal("forever accepted where it has no meaning")
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	var c connectConfig
	fs := c.flagSet()
	pos, err := parseArgs(fs, []string{"-x", "a", "ws://h/", "--count", "2", "-H", "A: b", "--", "-x", "--count"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ws://h/", "-x", "--count"}; !slices.Equal(pos, want) {
		t.Errorf("positional %q, want %q", pos, want)
	}
	if c.count != 2 || len(c.sends) != 1 || c.sends[0].text != "a" || !slices.Equal(c.headers, []string{"A: b"}) {
		t.Errorf("flags %+v", c)
	}
	if _, err := parseArgs(c.flagSet(), []string{"ws://h/", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help after the URL: %v", err)
	}
}

func TestSendsKeepTheirOrder(t *testing.T) {
	var c connectConfig
	if _, err := parseArgs(c.flagSet(), []string{"--file", "f1", "-x", "m1", "--send", "m2", "--file", "f2"}); err != nil {
		t.Fatal(err)
	}
	want := []sendItem{{file: "f1"}, {text: "m1"}, {text: "m2"}, {file: "f2"}}
	if !slices.Equal(c.sends, want) {
		t.Fatalf("sends %+v, want %+v", c.sends, want)
	}
}

func TestHeaderOptions(t *testing.T) {
	for _, tc := range []struct {
		header string
		ok     bool
	}{
		{"Authorization: Bearer x", true},
		{"X-Empty:", true},
		{"no colon", false},
		{": no name", false},
		{"Bad Name: v", false},
		{"Upgrade: h2c", false},
		{"connection: close", false},
		{"Sec-WebSocket-Protocol: x", false},
	} {
		var c connectConfig
		c.flagSet()
		c.headers = stringList{tc.header}
		if _, err := c.options(false); (err == nil) != tc.ok {
			t.Errorf("-H %q: err %v, want ok=%v", tc.header, err, tc.ok)
		}
	}
}
