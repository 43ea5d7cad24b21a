package ws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/hackney-go/ws"
)

// A cookie jar shared with an http.Client: the session cookie a login set
// goes with the upgrade, and what the server sets on its 101 comes back.
func ExampleCookieJar() {
	url, stop := whoAmIServer()
	defer stop()
	jar, _ := cookiejar.New(nil)
	// As if an http.Client with this jar had logged in.
	jar.SetCookies(httpURL(url), []*http.Cookie{{Name: "session", Value: "s3cret"}})

	conn, err := ws.Connect(context.Background(), url, ws.CookieJar(jar), ws.Headers(http.Header{"Authorization": {"Bearer t0k3n"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	f, err := conn.Recv()
	fmt.Println(f.Text(), err)
	// Output: Authorization: Bearer t0k3n <nil>
}

// Origin sends the page's origin, for servers that check it against
// cross-site WebSocket hijacking; this one says what it got.
func ExampleOrigin() {
	url, stop := originServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url, ws.Origin("https://app.example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	f, err := conn.Recv()
	fmt.Println(f.Text(), err)
	// Output: Origin: https://app.example <nil>
}

// httpURL is the http:// twin of a ws:// URL, under which a jar keeps its
// cookies.
func httpURL(wsURL string) *url.URL {
	u, _ := url.Parse("http" + strings.TrimPrefix(wsURL, "ws"))
	return u
}
