package ws

import (
	"net/http"
	"net/url"
	"strings"
)

// Headers adds every value of h to the upgrade request, as Header does
// one at a time: a request's headers built elsewhere, as net/http's, pass
// whole.
func Headers(h http.Header) Option {
	return func(c *config) {
		for name, values := range h {
			for _, v := range values {
				Header(name, v)(c)
			}
		}
	}
}

// Origin sets the request's Origin header (RFC 6454), as a browser does:
// servers that check it against cross-site WebSocket hijacking want the
// page's origin, such as "https://example.com".
func Origin(origin string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Set("Origin", origin) // one Origin: the last given
	}
}

// CookieJar makes Connect send the jar's cookies for the URL (those of
// its http:// or https:// twin, as a browser does for ws:// and wss://)
// and store the cookies that the server's answer sets, a 101 or a refusal
// alike. A Cookie header given with Header keeps its cookies: the jar's
// are added after them, but for those of the same name, which are left
// out.
func CookieJar(jar http.CookieJar) Option { return func(c *config) { c.jar = jar } }

// cookieURL is the http:// or https:// URL under which a jar keeps the
// cookies of the target.
func cookieURL(t *target) *url.URL {
	u := t.url
	u.Scheme = "http"
	if t.secure {
		u.Scheme = "https"
	}
	return &u
}

// addJarCookies adds the jar's cookies for the target to the request's
// Cookie header, after those already there and without their names.
func addJarCookies(h *http.Header, jar http.CookieJar, t *target) {
	cookies := jar.Cookies(cookieURL(t))
	if len(cookies) == 0 {
		return
	}
	given := map[string]bool{}
	var parts []string
	if *h != nil {
		for _, line := range (*h)["Cookie"] {
			parts = append(parts, line)
			for _, c := range (&http.Request{Header: http.Header{"Cookie": {line}}}).Cookies() {
				given[c.Name] = true
			}
		}
	}
	for _, c := range cookies {
		if !given[c.Name] {
			given[c.Name] = true
			parts = append(parts, (&http.Cookie{Name: c.Name, Value: c.Value}).String())
		}
	}
	setHeader(h, "Cookie", strings.Join(parts, "; "))
}

// storeCookies keeps the cookies that a response's headers set.
func storeCookies(jar http.CookieJar, t *target, h http.Header) {
	if cookies := (&http.Response{Header: h}).Cookies(); len(cookies) > 0 {
		jar.SetCookies(cookieURL(t), cookies)
	}
}
