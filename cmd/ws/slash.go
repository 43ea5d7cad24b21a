package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// action is what a line typed at the prompt asks for; at most one field
// is set, none for an empty line.
type action struct {
	frame *ws.Frame
	file  string
	close *closeRequest
	help  bool
}

// promptHelp is the help of the interactive prompt (/help).
const promptHelp = `  text                    send a text message (start it with // to send one starting with /)
  /ping [data]            send a ping; the pong is shown when it comes
  /pong [data]            send an unsolicited pong
  /binary <hex>           send a binary message, as in /binary 48 69 ff
  /file <path>            send a file as one binary message
  /close [code [reason]]  close the connection (default 1000) and quit
  /help                   show this help
  Ctrl-D closes with 1000; so does Ctrl-C, and a second Ctrl-C quits at once.
  Up and down arrows recall earlier lines.
`

// parseLine turns a line typed at the prompt into an action.
func parseLine(line string) (action, error) {
	if line == "" {
		return action{}, nil
	}
	if !strings.HasPrefix(line, "/") {
		f := ws.Text(line)
		return action{frame: &f}, nil
	}
	if strings.HasPrefix(line, "//") {
		f := ws.Text(line[1:])
		return action{frame: &f}, nil
	}
	name, arg, _ := strings.Cut(line[1:], " ")
	switch name {
	case "ping", "pong":
		if len(arg) > proto.MaxControlPayload {
			return action{}, fmt.Errorf("/%s: a payload holds at most %d bytes, not %d", name, proto.MaxControlPayload, len(arg))
		}
		var payload []byte
		if arg != "" {
			payload = []byte(arg)
		}
		f := ws.Ping(payload)
		if name == "pong" {
			f = ws.Pong(payload)
		}
		return action{frame: &f}, nil
	case "binary":
		data, err := parseHex(arg)
		if err != nil {
			return action{}, fmt.Errorf("/binary: %v", err)
		}
		f := ws.Binary(data)
		return action{frame: &f}, nil
	case "file":
		path := strings.TrimSpace(arg)
		if path == "" {
			return action{}, errors.New("/file needs a path: /file <path>")
		}
		return action{file: path}, nil
	case "close":
		req, err := parseClose(arg)
		if err != nil {
			return action{}, fmt.Errorf("/close: %v", err)
		}
		return action{close: req}, nil
	case "help":
		return action{help: true}, nil
	}
	return action{}, fmt.Errorf("unknown command /%s: /help lists the commands", name)
}

// parseHex reads bytes written in hex, with or without spaces and 0x.
func parseHex(s string) ([]byte, error) {
	var digits strings.Builder
	for _, field := range strings.Fields(s) {
		digits.WriteString(strings.TrimPrefix(strings.TrimPrefix(field, "0x"), "0X"))
	}
	if digits.Len() == 0 {
		return nil, errors.New("give the bytes in hex, as in /binary 48 69 ff")
	}
	data, err := hex.DecodeString(digits.String())
	if err != nil {
		return nil, errors.New("not hex: give pairs of hex digits, as in /binary 48 69 ff")
	}
	return data, nil
}

// parseClose reads "[code [reason]]" and checks that it may be sent.
func parseClose(arg string) (*closeRequest, error) {
	req := &closeRequest{code: ws.CloseNormal}
	codeText, reason, _ := strings.Cut(strings.TrimSpace(arg), " ")
	if codeText != "" {
		n, err := strconv.ParseUint(codeText, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid close code %q", codeText)
		}
		req.code = ws.CloseCode(n)
	}
	req.reason = strings.TrimSpace(reason)
	if _, err := proto.AppendClose(nil, uint16(req.code), req.reason); err != nil {
		return nil, fmt.Errorf("%v (codes that may be sent: 1000-1003, 1007-1014, 3000-4999)", err)
	}
	return req, nil
}
