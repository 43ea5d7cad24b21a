package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// trimWS drops the library's "ws: " prefix from an error's text, as the
// command prefixes its own messages with "ws: " already.
func trimWS(err error) string { return strings.TrimPrefix(err.Error(), "ws: ") }

// connectFailure describes an error of ws.Connect: the lines to print and
// the exit code, 1 for a URL that cannot be used, else 2.
func connectFailure(url string, err error, connectTimeout time.Duration) (code int, lines []string) {
	var urlErr *ws.URLError
	var refused *ws.HTTPError
	var bad *ws.HandshakeError
	var viaProxy *ws.ProxyError
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &urlErr):
		return exitUsage, []string{fmt.Sprintf("cannot use %q: %s", urlErr.URL, urlErr.Reason)}
	case errors.As(err, &refused):
		lines = []string{fmt.Sprintf("%s: the server refused the upgrade: HTTP %d %s", url, refused.StatusCode, refused.Status)}
		return exitConnect, append(lines, refusalDetails(refused)...)
	case errors.As(err, &bad):
		return exitConnect, []string{fmt.Sprintf("%s: the server's handshake response breaks RFC 6455: %s", url, strings.TrimPrefix(trimWS(err), "bad handshake: "))}
	case errors.As(err, &viaProxy) && !errors.Is(err, ws.ErrTimeout):
		return exitConnect, proxyFailure(url, viaProxy)
	case errors.Is(err, ws.ErrTimeout):
		return exitConnect, []string{fmt.Sprintf("could not connect to %s within %v (--connect-timeout)", url, connectTimeout)}
	case errors.As(err, &unknownCA), errors.As(err, &verify), errors.As(err, &hostname):
		return exitConnect, []string{
			fmt.Sprintf("could not connect to %s: %s", url, trimWS(err)),
			"(trust the server's CA with --cacert FILE, or skip verification with --insecure)",
		}
	}
	return exitConnect, []string{fmt.Sprintf("could not connect to %s: %s", url, trimWS(err))}
}

// maxBodyLines bounds the lines of a refusal's body that are printed.
const maxBodyLines = 20

// refusalDetails shows a refused upgrade as curl -v does: the response
// headers, then the start of the body, each line marked "<".
func refusalDetails(e *ws.HTTPError) []string {
	lines := headerLines(e.Header)
	if len(e.Body) == 0 {
		return lines
	}
	lines = append(lines, "<")
	body := string(e.Body)
	if !utf8.ValidString(body) {
		body = strings.ToValidUTF8(body, "\uFFFD")
	}
	bodyLines := strings.Split(strings.TrimRight(body, "\r\n"), "\n")
	for i, l := range bodyLines {
		if i == maxBodyLines {
			lines = append(lines, fmt.Sprintf("< … (%d more lines)", len(bodyLines)-i))
			break
		}
		lines = append(lines, "< "+terminalSafe(strings.TrimRight(l, "\r")))
	}
	return lines
}

// printLines writes an error's lines: the first as the error, the others
// as its details.
func printLines(w io.Writer, st style, lines []string) {
	if len(lines) == 0 {
		return
	}
	st.errorf(w, "%s", lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintln(w, l)
	}
}

// headerLines shows response headers, sorted, each line marked "<".
func headerLines(h http.Header) []string {
	var lines []string
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range h[name] {
			lines = append(lines, "< "+name+": "+terminalSafe(v))
		}
	}
	return lines
}
