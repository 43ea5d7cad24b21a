package deflate

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseExtensions(t *testing.T) {
	tests := []struct {
		values []string
		want   []element
	}{
		{[]string{"permessage-deflate"}, []element{{name: "permessage-deflate"}}},
		{
			[]string{"permessage-deflate; client_max_window_bits; server_max_window_bits=10"},
			[]element{{name: "permessage-deflate", params: []param{{name: "client_max_window_bits"}, {name: "server_max_window_bits", value: "10", hasValue: true}}}},
		},
		// RFC 7692 section 5.2: a quoted value; two offers.
		{[]string{`permessage-foo; x="10"`}, []element{{name: "permessage-foo", params: []param{{name: "x", value: "10", hasValue: true}}}}},
		{
			[]string{"permessage-foo; use_y, permessage-foo"},
			[]element{{name: "permessage-foo", params: []param{{name: "use_y"}}}, {name: "permessage-foo"}},
		},
		// Optional whitespace around every separator, tabs, an escaped
		// character in a quoted value, empty list elements, and several
		// header lines making one list (RFC 6455 section 9.1).
		{
			[]string{"  a ;\tb = 1 ;c=\"\\2\" ,, ", "d"},
			[]element{{name: "a", params: []param{{name: "b", value: "1", hasValue: true}, {name: "c", value: "2", hasValue: true}}}, {name: "d"}},
		},
		{nil, nil},
	}
	for _, tt := range tests {
		got, err := parseExtensions(tt.values)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tt.values, got, err, tt.want)
		}
	}
}

func TestParseExtensionsSyntax(t *testing.T) {
	for _, v := range []string{
		"",                           // 1#extension: at least one
		" , ",                        // only empty elements
		";x",                         // no name
		"a;",                         // no parameter name
		"a; =1",                      // no parameter name
		"a; b=",                      // no value
		"a; b=1 2",                   // two values
		`a; b="1`,                    // unterminated quoted string
		`a; b="1\`,                   // escape at the end
		`a; b=""`,                    // quoted value that is not a token
		`a; b="1 2"`,                 // quoted value that is not a token
		"a b",                        // two names
		"a; b=1; c=[",                // separator as value
		"a/b",                        // separator in a name
		"a\x00",                      // control character
		"permessage-deflate; b=\xff", // not US-ASCII
	} {
		if _, err := parseExtensions([]string{v}); !errors.Is(err, ErrExtensionSyntax) {
			t.Errorf("%q: got %v, want ErrExtensionSyntax", v, err)
		}
	}
}
