// Package api carries the lock of the upstream specifications the
// generated packages under gen/ are produced from (specs.lock.json), so
// that programs can say which spec versions they were built against.
package api

import (
	_ "embed"
	"encoding/json"
)

//go:embed specs.lock.json
var lock []byte

// Spec is one pinned upstream specification.
type Spec struct {
	Name   string `json:"name"`   // short name, also the gen/ directory
	File   string `json:"file"`   // upstream file name
	URL    string `json:"url"`    // download address at the pinned commit
	Commit string `json:"commit"` // upstream commit
	SHA256 string `json:"sha256"` // hex digest of the file
}

// Specs returns the pinned specifications, in the lock's order.
func Specs() ([]Spec, error) {
	var l struct{ Specs []Spec }
	if err := json.Unmarshal(lock, &l); err != nil {
		return nil, err
	}
	return l.Specs, nil
}
