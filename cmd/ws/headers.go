package main

import (
	"bufio"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// allHeaders gathers the request headers of the flags, as 'Name: value'
// lines: those of --header-file first, then -H, --origin and --user.
func (c *connectConfig) allHeaders() ([]string, error) {
	var headers []string
	for _, path := range c.headerFiles {
		lines, err := readHeaderFile(path)
		if err != nil {
			return nil, err
		}
		headers = append(headers, lines...)
	}
	headers = append(headers, c.headers...)
	if c.origin != "" {
		headers = append(headers, "Origin: "+c.origin)
	}
	if c.user != "" {
		if !strings.Contains(c.user, ":") {
			return nil, fmt.Errorf("--user %q: give user:password", c.user)
		}
		for _, h := range headers {
			if name, _, _ := strings.Cut(h, ":"); strings.EqualFold(strings.TrimSpace(name), "Authorization") {
				return nil, fmt.Errorf("--user and an Authorization header: give one of them")
			}
		}
		// RFC 7617: Basic credentials are base64 of user-id ":" password.
		headers = append(headers, "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(c.user)))
	}
	return headers, nil
}

// readHeaderFile reads the headers of a --header-file: one 'Name: value'
// per line, as -H takes them; blank lines and lines starting with # are
// skipped. It keeps tokens out of the command line, where ps shows them.
func readHeaderFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--header-file: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.Contains(l, ":") {
			return nil, fmt.Errorf("--header-file %s, line %d: give a header as 'Name: value'", path, n)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--header-file %s: %v", path, err)
	}
	return lines, nil
}

// regexpValue is a regular expression flag (Go's RE2 syntax).
type regexpValue struct{ re **regexp.Regexp }

func (v regexpValue) String() string {
	if v.re == nil || *v.re == nil {
		return ""
	}
	return (*v.re).String()
}

func (v regexpValue) Set(s string) error {
	re, err := regexp.Compile(s)
	if err != nil {
		return fmt.Errorf("invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	*v.re = re
	return nil
}

// flagGiven reports whether the flag name was on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
