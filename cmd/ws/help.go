package main

// shortUsage is printed when ws runs without arguments.
const shortUsage = `usage: ws [flags] URL          talk to a WebSocket server (see 'ws help connect')
       ws demo                 walk through the guide against an embedded server
       ws serve [--chat]       run an echo (or chat) server on 127.0.0.1:8080
       ws help [command]       the full help; 'ws help connect' has every flag
`

// generalHelp is "ws help".
const generalHelp = `ws is a WebSocket client for the terminal and for scripts.

Usage:
  ws [connect] [flags] URL    connect to a ws:// or wss:// URL (see 'ws help connect')
  ws demo                     walk through hackney's WebSocket guide against an embedded server
  ws serve [flags]            run the embedded echo, chat or --exec server, with
                              --static files beside it (see 'ws help serve')
  ws version                  print the version
  ws completion SHELL         print a completion script for bash, zsh or fish
  ws help [command]           print this help, or a command's

How the client behaves depends on where its input comes from:
  interactive   stdin and stdout are a terminal: a prompt with line editing and
                history; each line is a text message; /help lists the commands
  piped         stdin is not a terminal: each line of stdin is one message; at the
                end of the input ws waits --wait (1s) for replies, then closes
  one-shot      -x MSG and --file PATH: send them, print the replies, exit after
                --count replies or --wait
Received text messages go to stdout, one per line, binary ones as they are;
errors and notes go to stderr. Colors are used on a terminal only, and never
when NO_COLOR is set. 'ws help connect' lists every flag of the client.

Exit status:
  0    the connection closed normally: by ws, or by the server with 1000 (or
       with a close frame without a code)
  1    usage error: a bad flag, argument, URL or input (such as a line of stdin
       that is not UTF-8 without --binary)
  2    could not connect or upgrade; for a refused upgrade the HTTP status, the
       headers and the start of the body are printed
  3    the connection ended abnormally: the server closed with a code other
       than 1000, the connection broke, --recv-timeout passed, the server
       stopped answering pings (--ping-interval), or the close handshake
       failed; the close code and reason, or the error, are printed
  130  a second Ctrl-C quit without finishing the close

Examples:
  go run ./cmd/ws demo
  ws serve &
  ws -x 'Hello!' --count 1 ws://127.0.0.1:8080/
  printf 'one\ntwo\n' | ws ws://127.0.0.1:8080/
  ws --json -x hi --count 1 ws://127.0.0.1:8080/ | jq -r 'select(.dir == "in" and .kind == "text") | .text'
`

// commandHelp is each command's help, printed by "ws help COMMAND" and by
// the command's --help.
var commandHelp = map[string]string{
	"connect": `usage: ws [connect] [flags] URL

Connects to URL (ws:// or wss://) and exchanges messages:
  interactive   stdin and stdout are a terminal: type messages at the prompt
  piped         each line of stdin is one text message (--binary: binary,
                --null: split on NUL); at the end of the input ws waits --wait
                for replies, then closes with 1000
  one-shot      with -x or --file: send those, print the replies and close
                after --count replies or --wait
Each text message received is printed to stdout as one line, without
decoration; a binary message is written as it is, with nothing after it (as a
hex dump when stdout is a terminal). Ctrl-C closes with 1000; a second Ctrl-C
quits at once. The prompt's history is kept in $XDG_STATE_HOME/ws/history
(by default ~/.local/state/ws/history).

Interactive commands:
` + promptHelp + `
Sending:
  -x, --send MSG           send MSG as a message (repeatable, in order)
      --file PATH          send a file as one binary message, streamed (repeatable);
                           a large file shows progress on stderr when it is a terminal
      --binary             send stdin's lines and -x messages as binary messages
      --null               split stdin on NUL bytes, and end each message printed
                           with NUL instead of a newline
      --count N            close after N messages received (default 0: no limit)
      --wait D             after the input ends, wait D for replies, then close
                           (default 1s; "forever": until the server closes)
      --until REGEX        close with 1000 and exit 0 when a message received
                           matches REGEX (Go syntax); exit 3 if the connection
                           ends first. It waits forever unless --wait or
                           --recv-timeout bounds it
      --no-history         do not read or save the prompt's history

Output:
      --json               print one JSON object per event, for scripts and jq
      --show-control       show the pings and pongs received
  -v, --verbose            show the connection being made on stderr, as curl -v:
                           the time of each step (DNS, TCP, TLS, upgrade), the
                           TLS version, cipher, ALPN and certificate chain, the
                           request ("> ") and response ("< ") heads, and the
                           permessage-deflate parameters agreed

Connecting:
  -H, --header 'Name: value'
                           add a header to the upgrade request (repeatable)
      --header-file FILE   add the headers of FILE, one 'Name: value' a line;
                           blank lines and lines starting with # are skipped
                           (keeps tokens out of ps and the shell's history)
      --user USER:PASS     send Basic credentials (Authorization: Basic)
      --origin ORIGIN      send an Origin header, as a browser does
      --http2              for wss://, offer HTTP/2 and carry the WebSocket on a
                           stream (RFC 8441) if the server enables it, HTTP/1.1
                           otherwise; -v says which protocol carried it
      --compress           offer permessage-deflate (RFC 7692); -v shows what
                           the server accepted
      --protocol NAME      offer a subprotocol (repeatable, preferred first)
      --connect-timeout D  bound TCP connect, TLS and upgrade together (default 8s)
      --recv-timeout D     close and exit 3 when no message comes for D (default:
                           no limit)
      --close-timeout D    bound the wait for the server's close frame (default 5s)
      --max-message SIZE   refuse a larger message with close 1009 (default 32M;
                           0: no limit); SIZE takes K, M, G suffixes
      --max-frame SIZE     refuse a larger frame (default: --max-message)
      --cacert FILE        trust the CA certificates of FILE (PEM) for wss://,
                           instead of the system's
      --cert FILE          client certificate (PEM) for wss://
      --key FILE           its private key (PEM; default: in the --cert file)
      --insecure           do not verify the server's certificate
      --proxy URL          connect through a proxy: http://, https://, socks5://
                           or socks5h:// (names resolved by the proxy), with
                           user:password@ if it wants them; default: from the
                           environment (wss_proxy, https_proxy, ws_proxy,
                           http_proxy, all_proxy, no_proxy; see the README)
      --no-proxy           connect directly, whatever the environment says
      --proxy-header 'Name: value'
                           add a header to the proxy's CONNECT (repeatable)
      --proxy-cacert FILE  trust the CA certificates of FILE (PEM) for an
                           https:// proxy, instead of the system's
      --proxy-insecure     do not verify an https:// proxy's certificate
      --unix-socket PATH   connect through a Unix socket; so does a URL
                           ws+unix:///path/to.sock:/request/path

Staying connected:
      --ping-interval D    ping when nothing has come from the server for D, in
                           every mode; a server that then sends nothing back
                           within --ping-timeout is dead: exit 3 (default: off)
      --ping-timeout D     how long to wait for anything after a ping (default:
                           --ping-interval)
      --reconnect          when the server or the network ends the connection,
                           connect again after a delay that grows (RFC 6455
                           section 7.2.3), sending the -x and --file messages
                           again on each connection; stdin's lines go to
                           whichever connection is up. A line on stderr (a
                           "reconnect" event with --json, its delay in seconds)
                           says why and when. --count counts across
                           connections; refusals that retrying cannot mend
                           (401, 404, close 1008...) end it
      --reconnect-delay D  the first delay is random below D (default 5s); the
                           next ones grow by 1.618 up to 18 times D
Durations are Go durations (500ms, 2s, 1m) or seconds (1.5).

JSON events, one object per line:
  {"time":"2026-01-02T15:04:05.123456789Z","dir":"in","kind":"text","len":5,"text":"hello"}
  time      when the event happened (RFC 3339, UTC)
  dir       "in" (from the server) or "out" (sent by ws; written as the send starts)
  kind      open, text, binary, ping, pong, close, error or reconnect
  len       the payload's length in bytes, for frames
  text      a text message, or a control payload that is UTF-8
  data      a binary message, or another control payload, in base64
  file      a file sent with --file or /file, streamed, in place of data
  code, reason          of a close
  url, subprotocol, header    of open
  error     of error and reconnect
  delay     of reconnect: the seconds before the next attempt

Exit status: 0 normal close; 1 usage error; 2 could not connect or upgrade;
3 the connection ended abnormally; 130 interrupted twice (see 'ws help').

Examples:
  ws serve &
  ws -x 'Hello!' --count 1 ws://127.0.0.1:8080/
  printf 'one\ntwo\n' | ws --count 2 ws://127.0.0.1:8080/
  ws --binary --file photo.jpg --count 1 ws://127.0.0.1:8080/ > copy.jpg
  ws --json -x '{"type":"subscribe"}' --count 1 ws://127.0.0.1:8080/ | jq -c 'select(.kind == "text")'
  ws -x '{"op":"subscribe","status":"ok"}' --until '"ok"' ws://127.0.0.1:8080/ && echo subscribed
  ws -x hello --until '"ok"' --recv-timeout 1s ws://127.0.0.1:8080/; echo "exit $?"
  ws -v --cacert ca.pem -x hi --count 1 wss://127.0.0.1:8443/ 2>&1
  ws --reconnect --ping-interval 20s -x subscribe --count 1 ws://127.0.0.1:8080/
  ws --cacert ca.pem --cert client.pem --key client.key -x hi --count 1 wss://127.0.0.1:8443/
  ws --insecure -x hi --count 1 wss://127.0.0.1:8443/
  ws --http2 -v --cacert ca.pem -x hi --count 1 wss://127.0.0.1:8443/ 2>&1 | grep carried
`,
	"demo": `usage: ws demo

Starts the embedded server on 127.0.0.1 (a free port) and walks through
hackney's WebSocket guide with this library: the quick start, connecting with
options, sending text, binary and pings, receiving in passive mode with a
timeout, active and active-once modes, closing with 1000 "Goodbye", the chat
client example, and error handling (a refused upgrade, a connect timeout, a
server going away). Each step prints the Go it runs, what happened and how long
it took.

Exit status: 0 when every step behaved as the guide says, 3 when one did not.

Example:
  go run ./cmd/ws demo
`,
	"serve": `usage: ws serve [flags]

Runs the embedded WebSocket server, for trying clients: it echoes every message
to its sender, or with --chat sends every message to every client connected
(pair it with the guide's chat example, or several 'ws' prompts), or with
--exec bridges each connection to a process of its own. It answers pings and
logs each connection and close to stderr. Ctrl-C stops it cleanly: every
client gets a close frame with 1001 (going away); a second Ctrl-C stops at
once.

--exec CMD runs CMD with sh -c for each connection, as websocketd does: each
message the client sends is written to the process's stdin followed by a
newline; each line the process writes to stdout is sent as a text message
(binary if it is not UTF-8); its stderr is the server's. When the process
ends, the connection is closed with 1000 after exit status 0, 1011 otherwise;
when the connection ends, the process's stdin is closed, and the process and
its children are killed if they have not exited a second later. A program
whose output is buffered when it is not a terminal (tr, grep, python) needs
its line-buffered mode (sed -u, grep --line-buffered, python -u).

--static DIR serves the files of DIR beside the WebSocket endpoint: a request
that asks for a WebSocket upgrade goes to the service, any other to the files,
so that a page of DIR opened in a browser can talk to the server that served
it. A page of another origin is refused (403) unless --allow-origin names it:
otherwise any web site could use a visitor's browser to reach the server.

Flags:
      --addr HOST:PORT     listen there (default 127.0.0.1:8080; port 0 picks one;
                           unix:PATH listens on a Unix socket)
      --chat               broadcast every message to every client
      --exec CMD           bridge each connection to a new process running CMD
                           (sh -c), a line per message
      --static DIR         serve the files of DIR to requests that are not upgrades
      --allow-origin PATTERN
                           take upgrades from pages of origins whose host[:port]
                           matches PATTERN (repeatable; "*.example.com",
                           "localhost:*", "*" for any); the server's own origin
                           and clients that send no Origin are always taken
      --protocol NAME      a subprotocol the server speaks (repeatable, preferred
                           first)
      --token TOKEN        refuse upgrades (401) without "Authorization: Bearer TOKEN"
      --max-message SIZE   close with 1009 on a larger message, and with 1011 on a
                           longer line from --exec's process (default 32M)
      --compress           accept permessage-deflate (RFC 7692) when offered

Exit status: 0 when stopped; 1 usage error; 2 cannot listen; 130 stopped by a
second Ctrl-C.

Examples:
  ws serve &
  ws serve --chat --addr 127.0.0.1:9000 &
  ws serve --token s3cret &
  ws -H 'Authorization: Bearer s3cret' -x hi --count 1 ws://127.0.0.1:8080/
  ws serve --exec 'while read -r line; do echo "${#line} bytes: $line"; done' &
  ws serve --exec 'echo one; echo two; exit 3' &
  ws serve --static site &
`,
	"version": `usage: ws version

Prints the version of ws, its VCS revision when known, and the Go toolchain.
`,
	"help": `usage: ws help [command]

Prints the general help, or the help of a command: connect, demo, serve,
version, completion.
`,
	"completion": `usage: ws completion bash|zsh|fish

Prints a script that completes ws's commands and flags in the shell named
(and file names for the flags that take a file).

Examples:
  source <(ws completion bash)
  ws completion fish > ~/.config/fish/completions/ws.fish
`,
}
