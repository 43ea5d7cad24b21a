package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shellFor returns the path of a shell, skipping the test when it is
// not installed, except under CI=true, where .ci/run installs it.
func shellFor(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

// completions runs script in shell and returns its output, one word a
// line.
func completions(t *testing.T, shell string, args ...string) []string {
	t.Helper()
	out, err := exec.Command(shell, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return strings.Fields(string(out))
}

// completionCases are words typed and what completing the last one
// offers, the same in every shell.
var completionCases = []struct {
	words []string
	want  string
}{
	{[]string{"ws", "--fi"}, "--file"},
	{[]string{"ws", "--head"}, "--header --header-file"},
	{[]string{"ws", "--unt"}, "--until"},
	{[]string{"ws", "serve", "--ad"}, "--addr"},
	{[]string{"ws", "serve", "--co"}, "--compress"},
	{[]string{"ws", "comp"}, "completion"},
	{[]string{"ws", "completion", ""}, "bash fish zsh"},
	{[]string{"ws", "help", "se"}, "serve"},
	{[]string{"ws", "--cacert", "ca"}, "ca.pem"},
}

func writeScript(t *testing.T, shell string) (dir, script string) {
	t.Helper()
	r := runWS(t, "", "completion", shell)
	wantExit(t, r, exitOK)
	dir = t.TempDir()
	script = filepath.Join(dir, "ws."+shell)
	os.WriteFile(script, []byte(r.stdout), 0o600)
	os.WriteFile(filepath.Join(dir, "ca.pem"), nil, 0o600)
	return dir, script
}

func sorted(words []string) string {
	w := slices.Clone(words)
	slices.Sort(w)
	return strings.Join(w, " ")
}

func TestCompletionBash(t *testing.T) {
	bash := shellFor(t, "bash")
	dir, script := writeScript(t, "bash")
	for _, tc := range completionCases {
		words := strings.Join(quoteAll(tc.words), " ")
		got := completions(t, bash, "-c", "cd "+dir+" && source "+script+` && COMP_WORDS=(`+words+`) && COMP_CWORD=`+
			strconv.Itoa(len(tc.words)-1)+` && _ws && printf '%s\n' "${COMPREPLY[@]}"`)
		if sorted(got) != tc.want {
			t.Errorf("bash %q: %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestCompletionFish(t *testing.T) {
	fish := shellFor(t, "fish")
	dir, script := writeScript(t, "fish")
	for _, tc := range completionCases {
		line := strings.Join(tc.words, " ")
		got := completions(t, fish, "--no-config", "-c", "cd "+dir+"; source "+script+"; complete -C '"+line+"'")
		if sorted(got) != tc.want {
			t.Errorf("fish %q: %q, want %q", tc.words, got, tc.want)
		}
	}
}

// TestCompletionZsh: zsh loads the script, which registers the bash
// completion for ws through zsh's bashcompinit. That runs it with
// ksharrays set, as the test does, and its compgen leaves the filtering
// by the word typed to zsh's compadd, as the test does too.
func TestCompletionZsh(t *testing.T) {
	zsh := shellFor(t, "zsh")
	dir, script := writeScript(t, "zsh")
	got := completions(t, zsh, "-f", "-c", "cd "+dir+" && source "+script+" && print ${_comps[ws]}")
	if strings.Join(got, " ") != "_bash_complete -F _ws" {
		t.Fatalf("zsh registered %q for ws", got)
	}
	for _, tc := range completionCases {
		typed := tc.words[len(tc.words)-1]
		got := completions(t, zsh, "-f", "-c", "cd "+dir+" && source "+script+" && setopt ksharrays && COMP_WORDS=("+
			strings.Join(quoteAll(tc.words), " ")+") && COMP_CWORD="+strconv.Itoa(len(tc.words)-1)+` && _ws && print -rl -- "${COMPREPLY[@]}"`)
		got = slices.DeleteFunc(got, func(w string) bool { return !strings.HasPrefix(w, typed) })
		if sorted(got) != tc.want {
			t.Errorf("zsh %q: %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestCompletionUsage(t *testing.T) {
	r := runWS(t, "", "completion", "powershell")
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "bash, zsh, fish") {
		t.Errorf("%v", r)
	}
}

func quoteAll(words []string) []string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return q
}
