package ws

import "testing"

// FuzzParseURL holds parsePlainURL to parseAnyURL, which takes any URL
// apart through net/url: every URL that the first takes, the second must
// take too, into the same target to the last field.
func FuzzParseURL(f *testing.F) {
	for _, url := range []string{
		"ws://127.0.0.1:8080/chat?room=1",
		"WSS://Example.COM",
		"wss://example.com:443/a/b;c=d,e@f:g$h&i+j~k_l-m.n?o=p&q=/r?s",
		"ws://[::1]/",
		"ws://[::ffff:127.0.0.1]:80",
		"ws://[fe80::1%25eth0]:8080/",
		"ws://h:/",
		"ws://h:080/",
		"ws://h?q",
		"ws://h/p??",
		"ws://h/p?",
		"ws://h/%41?%zz",
		"ws://h/a b",
		"ws://u:p@h/",
		"ws://h/#f",
		"ws://h:99999999999999999999/",
		"ws://-._/",
		"ws://[1.2.3.4]/",
		"ws://[::1/",
		"ws+unix:///run/s.sock:/p",
	} {
		f.Add(url)
	}
	f.Fuzz(func(t *testing.T, rawURL string) {
		var plain, any target
		if !parsePlainURL(rawURL, &plain) {
			return
		}
		if err := parseAnyURL(rawURL, &any); err != nil {
			t.Fatalf("parsePlainURL took %q, which parseAnyURL refuses: %v", rawURL, err)
		}
		if plain != any {
			t.Fatalf("parsePlainURL(%q) =\n%+v\nparseAnyURL:\n%+v", rawURL, plain, any)
		}
	})
}
