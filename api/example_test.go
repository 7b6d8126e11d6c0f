package api_test

import (
	"fmt"

	"github.com/dsgo/docusign/api"
)

// A program can report the specifications its generated packages were
// produced from, e.g. in its version output.
func ExampleSpecs() {
	specs, err := api.Specs()
	if err != nil {
		panic(err)
	}
	for _, s := range specs {
		fmt.Println(s.Name, len(s.Commit) == 40)
	}
	// Output:
	// esignature true
	// admin true
	// monitor true
}
