package jsonx_test

import (
	"fmt"

	"github.com/dsgo/docusign/jsonx"
)

// Unmarshal takes the loose scalars DocuSign sends: a boolean as text, a
// number in a string, a number where the type has a string.
func ExampleUnmarshal() {
	var s struct {
		Enabled bool   `json:"enabled"`
		Count   int    `json:"count"`
		Code    string `json:"code"`
	}
	if err := jsonx.Unmarshal([]byte(`{"enabled":"TRUE","count":"3","code":1.50}`), &s); err != nil {
		panic(err)
	}
	fmt.Printf("%v %d %q\n", s.Enabled, s.Count, s.Code)
	// Output: true 3 "1.50"
}
