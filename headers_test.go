package ws

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// headerServer sets a cookie on each 101 and tells each client the
// request's headers named, one text message each.
func headerServer(t *testing.T, names ...string) string {
	return startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := Accept(w, r, Header("Set-Cookie", "session=abc; Path=/"), OriginPatterns("app.example"))
		if err != nil {
			return
		}
		for _, name := range names {
			sc.Send(Text(name + ": " + strings.Join(r.Header.Values(name), " | ")))
		}
		echoConn(sc)
	}))
}

// recvTexts receives n messages and returns their texts.
func recvTexts(t *testing.T, c *Conn, n int) []string {
	t.Helper()
	var texts []string
	for range n {
		texts = append(texts, recvWithin(t, c).Text())
	}
	return texts
}

// The jar's cookies go with the request, the 101's Set-Cookie goes to
// the jar, and a Cookie header of the caller's keeps its values: the
// jar's cookie of the same name is left out.
func TestCookieJar(t *testing.T) {
	url := headerServer(t, "Cookie")
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(cookieURLOf(t, url), []*http.Cookie{{Name: "pref", Value: "dark"}})

	c := dial(t, url, CookieJar(jar))
	if got := recvWithin(t, c).Text(); got != "Cookie: pref=dark" {
		t.Fatalf("first request: %q", got)
	}
	c = dial(t, url, CookieJar(jar))
	if got := recvWithin(t, c).Text(); got != "Cookie: pref=dark; session=abc" {
		t.Fatalf("second request, after the 101's Set-Cookie: %q", got)
	}
	c = dial(t, url, CookieJar(jar), Header("Cookie", "pref=light"))
	if got := recvWithin(t, c).Text(); got != "Cookie: pref=light; session=abc" {
		t.Fatalf("with a Cookie header: %q", got)
	}
}

// A refusal's Set-Cookie is stored too: a server that sets a cookie on
// its 401 finds it on the next attempt.
func TestCookieJarKeepsARefusalsCookies(t *testing.T) {
	srv := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "tried", Value: "1", Path: "/"})
		w.WriteHeader(http.StatusUnauthorized)
	}))
	jar, _ := cookiejar.New(nil)
	if _, err := Connect(testCtx(t), srv, CookieJar(jar)); err == nil {
		t.Fatal("Connect: no error, want the 401")
	}
	cookies := jar.Cookies(cookieURLOf(t, srv))
	if len(cookies) != 1 || cookies[0].String() != "tried=1" {
		t.Fatalf("jar: %v", cookies)
	}
}

// Headers passes an http.Header whole; Origin sets one Origin.
func TestHeadersAndOrigin(t *testing.T) {
	url := headerServer(t, "X-Trace", "Origin")
	h := http.Header{}
	h.Add("x-trace", "a")
	h.Add("X-Trace", "b")
	c := dial(t, url, Headers(h), Origin("https://first.example"), Origin("https://app.example"))
	got := recvTexts(t, c, 2)
	if got[0] != "X-Trace: a | b" || got[1] != "Origin: https://app.example" {
		t.Fatalf("server saw %q", got)
	}
}

// cookieURLOf is the http:// twin of a ws:// URL.
func cookieURLOf(t *testing.T, wsURL string) *url.URL {
	u, err := url.Parse("http" + strings.TrimPrefix(wsURL, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}
