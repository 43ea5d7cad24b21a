package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// commands are ws's commands, as completion offers them.
var commands = []string{"connect", "demo", "serve", "version", "help", "completion"}

// shells are the shells ws completion writes a script for.
var shells = []string{"bash", "zsh", "fish"}

// fileFlags take a path: completion offers files for their value.
var fileFlags = []string{"file", "header-file", "cacert", "cert", "key", "static"}

// runCompletion is "ws completion SHELL": it prints a completion script
// made from the commands' flag sets, so that it never lags behind them.
func runCompletion(args []string) int {
	pos, code, done := parseCommand("completion", newFlagSet("completion"), args)
	if done {
		return code
	}
	if len(pos) != 1 || !slices.Contains(shells, pos[0]) {
		return usageError("ws completion SHELL: SHELL is one of %s", strings.Join(shells, ", "))
	}
	writeCompletion(os.Stdout, pos[0])
	return exitOK
}

// completionFlags are the flags of each command that has some.
func completionFlags() map[string]*flag.FlagSet {
	var c connectConfig
	var s serveConfig
	return map[string]*flag.FlagSet{"connect": c.flagSet(), "serve": s.flagSet()}
}

// flagWords lists the flags of fs as typed: -x, --count.
func flagWords(fs *flag.FlagSet) []string {
	var words []string
	fs.VisitAll(func(f *flag.Flag) { words = append(words, dashed(f.Name)) })
	return words
}

// valueFlags lists the flags of fs that take a value, as typed.
func valueFlags(fs *flag.FlagSet) []string {
	var words []string
	fs.VisitAll(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			words = append(words, dashed(f.Name))
		}
	})
	return words
}

func dashedAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = dashed(n)
	}
	return out
}

func writeCompletion(w io.Writer, shell string) {
	sets := completionFlags()
	switch shell {
	case "bash":
		writeBash(w, sets)
	case "zsh":
		// zsh runs the bash script through its bash completion layer.
		fmt.Fprintln(w, "#compdef ws")
		fmt.Fprintln(w, "# zsh completion for ws: eval \"$(ws completion zsh)\" in ~/.zshrc")
		fmt.Fprintln(w, "autoload -U +X compinit && compinit")
		fmt.Fprintln(w, "autoload -U +X bashcompinit && bashcompinit")
		writeBash(w, sets)
	case "fish":
		writeFish(w, sets)
	}
}

func writeBash(w io.Writer, sets map[string]*flag.FlagSet) {
	fmt.Fprintf(w, `# bash completion for ws: source <(ws completion bash), or put it in
# ~/.local/share/bash-completion/completions/ws
_ws() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd= i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		%s) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	%s)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	%s)
		COMPREPLY=()
		return ;;
	esac
	case $cmd in
	help) COMPREPLY=($(compgen -W %q -- "$cur")) ;;
	completion) COMPREPLY=($(compgen -W %q -- "$cur")) ;;
	serve) COMPREPLY=($(compgen -W %q -- "$cur")) ;;
	demo|version) COMPREPLY=() ;;
	*)
		if [[ -z $cmd && $cur != -* && $COMP_CWORD -eq 1 ]]; then
			COMPREPLY=($(compgen -W %q -- "$cur"))
		else
			COMPREPLY=($(compgen -W %q -- "$cur"))
		fi ;;
	esac
}
complete -F _ws ws
`,
		strings.Join(commands, "|"),
		strings.Join(dashedAll(fileFlags), "|"),
		strings.Join(slices.DeleteFunc(append(valueFlags(sets["connect"]), valueFlags(sets["serve"])...), func(f string) bool {
			return slices.Contains(dashedAll(fileFlags), f)
		}), "|"),
		strings.Join(commands, " "),
		strings.Join(shells, " "),
		strings.Join(flagWords(sets["serve"]), " "),
		strings.Join(commands, " "),
		strings.Join(flagWords(sets["connect"]), " "))
}

func writeFish(w io.Writer, sets map[string]*flag.FlagSet) {
	fmt.Fprintln(w, "# fish completion for ws: ws completion fish > ~/.config/fish/completions/ws.fish")
	fmt.Fprintln(w, "complete -c ws -f")
	others := strings.Join(slices.DeleteFunc(slices.Clone(commands), func(c string) bool { return c == "connect" }), " ")
	fmt.Fprintf(w, "complete -c ws -n __fish_use_subcommand -a %q\n", strings.Join(commands, " "))
	fmt.Fprintf(w, "complete -c ws -n '__fish_seen_subcommand_from help' -a %q\n", strings.Join(commands, " "))
	fmt.Fprintf(w, "complete -c ws -n '__fish_seen_subcommand_from completion' -a %q\n", strings.Join(shells, " "))
	for _, cmd := range []string{"connect", "serve"} {
		cond := fmt.Sprintf("'not __fish_seen_subcommand_from %s'", others)
		if cmd == "serve" {
			cond = "'__fish_seen_subcommand_from serve'"
		}
		values := valueFlags(sets[cmd])
		sets[cmd].VisitAll(func(f *flag.Flag) {
			opt := "-l " + f.Name
			if len(f.Name) == 1 {
				opt = "-s " + f.Name
			}
			switch {
			case slices.Contains(fileFlags, f.Name):
				opt += " -r -F"
			case slices.Contains(values, dashed(f.Name)):
				opt += " -r"
			}
			fmt.Fprintf(w, "complete -c ws -n %s %s\n", cond, opt)
		})
	}
}
