package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// newFlagSet returns a flag set that reports nothing itself: the commands
// print their own usage text and errors.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags wherever they stand among the arguments, as
// "ws URL -x hi" is as natural as "ws -x hi URL", and returns the other
// arguments. Everything after "--" is an argument. It returns flag.ErrHelp
// for -h, -help and --help.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// sendItem is one thing to send in one-shot mode: a message given with -x
// or a file given with --file, in the order they appear.
type sendItem struct {
	text string
	file string // when set, the path of a file sent as one binary message
}

// sendList collects -x and --file into one ordered list.
type sendList struct {
	items *[]sendItem
	file  bool
}

func (l sendList) String() string { return "" }

func (l sendList) Set(v string) error {
	if l.file {
		if v == "" {
			return errors.New("empty path")
		}
		*l.items = append(*l.items, sendItem{file: v})
	} else {
		*l.items = append(*l.items, sendItem{text: v})
	}
	return nil
}

// durationValue is a duration flag that also takes a bare number as
// seconds ("--wait 2"); with forever set it takes "forever" too.
type durationValue struct {
	d       *time.Duration
	forever *bool // nil: "forever" is not accepted
}

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	if v.forever != nil && *v.forever {
		return "forever"
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if v.forever != nil {
		*v.forever = s == "forever"
		if *v.forever {
			return nil
		}
	}
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 || secs > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("duration %q out of range", s)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (examples: 500ms, 2s, 1m30s)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}

// sizeValue is a byte count flag: a number with an optional K, M or G
// suffix, in powers of 1024 ("64K", "32MiB", "1G").
type sizeValue struct{ n *int64 }

func (v sizeValue) String() string {
	if v.n == nil {
		return ""
	}
	return strconv.FormatInt(*v.n, 10)
}

func (v sizeValue) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

func parseSize(s string) (int64, error) {
	num := strings.TrimRight(strings.ToUpper(s), "IB")
	shift := 0
	if num != "" {
		switch num[len(num)-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		}
		if shift != 0 {
			num = num[:len(num)-1]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("invalid size %q (examples: 4096, 64K, 32M, 1G)", s)
	}
	return n << shift, nil
}

// flagError turns a flag package error into the message shown to users:
// flags named in their double-dash form, as the help shows them, and an
// unknown flag with the nearest known one.
func flagError(fs *flag.FlagSet, err error) string {
	msg := strings.TrimPrefix(err.Error(), "flag: ")
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown flag " + dashed(name)
		if near := nearestFlag(fs, name); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", dashed(near))
		}
		return msg
	}
	return singleDash.ReplaceAllString(msg, "flag --$1")
}

// singleDash finds a long flag named as the flag package does, "-count".
var singleDash = regexp.MustCompile(`flag -(\w[\w-]+)`)

// dashed is a flag's name as the help writes it: -x, --count.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// nearestFlag returns the flag of fs nearest to name, at most a third of
// its letters away (two for short names), or "" if none is.
func nearestFlag(fs *flag.FlagSet, name string) string {
	name = strings.TrimLeft(name, "-")
	best, bestDist := "", max(2, len(name)/3)+1
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			return
		}
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = 1 // a prefix of a flag: --head for --header
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseCommand parses the flags of command name. When done is set the
// command returns code at once: its help was asked for and printed, or
// the flags were wrong.
func parseCommand(name string, fs *flag.FlagSet, args []string) (positional []string, code int, done bool) {
	positional, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(commandHelp[name])
		return nil, exitOK, true
	}
	if err != nil {
		return nil, usageError("%s", flagError(fs, err)), true
	}
	return positional, 0, false
}
