package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// jsonEvent is one line of --json output. Fields without a value for the
// event's kind are left out.
type jsonEvent struct {
	Time        string      `json:"time"`           // RFC 3339, nanoseconds, UTC
	Dir         string      `json:"dir"`            // "in" or "out"
	Kind        string      `json:"kind"`           // open, text, binary, ping, pong, close, error
	Len         *int        `json:"len,omitempty"`  // payload length of a frame
	Text        *string     `json:"text,omitempty"` // a text message; a control payload that is UTF-8
	Data        *string     `json:"data,omitempty"` // base64: a binary message; a control payload that is not UTF-8
	File        string      `json:"file,omitempty"` // a file sent as a binary message, in place of data
	Code        int         `json:"code,omitempty"` // close code
	Reason      *string     `json:"reason,omitempty"`
	URL         string      `json:"url,omitempty"`
	Subprotocol string      `json:"subprotocol,omitempty"`
	Header      http.Header `json:"header,omitempty"` // response headers of the upgrade
	Error       string      `json:"error,omitempty"`
	Delay       *float64    `json:"delay,omitempty"` // seconds before the next attempt, of reconnect
}

// jsonPrinter writes one JSON object per event, for scripts and jq.
type jsonPrinter struct {
	mu          sync.Mutex
	enc         *json.Encoder
	showControl bool
	now         func() time.Time
}

func newJSONPrinter(w io.Writer, showControl bool) *jsonPrinter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonPrinter{enc: enc, showControl: showControl, now: time.Now}
}

func (p *jsonPrinter) emit(ev jsonEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ev.Time = p.now().UTC().Format(time.RFC3339Nano)
	p.enc.Encode(ev)
}

func (p *jsonPrinter) opened(info openInfo) {
	p.emit(jsonEvent{Dir: dirIn, Kind: "open", URL: info.url, Subprotocol: info.subprotocol, Header: info.header})
}

func (p *jsonPrinter) frame(dir string, f ws.Frame) {
	if (f.Kind == ws.PingFrame || f.Kind == ws.PongFrame) && dir == dirIn && !p.showControl {
		return
	}
	n := len(f.Payload)
	ev := jsonEvent{Dir: dir, Kind: f.Kind.String(), Len: &n}
	if f.Kind == ws.TextFrame || (f.Kind != ws.BinaryFrame && utf8.Valid(f.Payload)) {
		s := string(f.Payload)
		ev.Text = &s
	} else {
		s := base64.StdEncoding.EncodeToString(f.Payload)
		ev.Data = &s
	}
	p.emit(ev)
}

func (p *jsonPrinter) received(f ws.Frame) { p.frame(dirIn, f) }
func (p *jsonPrinter) sent(f ws.Frame)     { p.frame(dirOut, f) }

// sentFile reports a file streamed as a binary message: its name and,
// when known, its length; the content is the file's, not repeated here.
func (p *jsonPrinter) sentFile(path string, size int64) {
	ev := jsonEvent{Dir: dirOut, Kind: "binary", File: path}
	if size >= 0 {
		n := int(size)
		ev.Len = &n
	}
	p.emit(ev)
}

func (p *jsonPrinter) closed(dir string, code ws.CloseCode, reason string) {
	p.emit(jsonEvent{Dir: dir, Kind: "close", Code: int(code), Reason: &reason})
}

func (p *jsonPrinter) failed(err error) {
	p.emit(jsonEvent{Dir: dirIn, Kind: "error", Error: err.Error()})
}

// reconnecting reports, for --reconnect, why the connection was lost or
// could not be made, and when the next attempt comes.
func (p *jsonPrinter) reconnecting(err error, delay time.Duration) {
	secs := delay.Seconds()
	p.emit(jsonEvent{Dir: dirIn, Kind: "reconnect", Error: err.Error(), Delay: &secs})
}
