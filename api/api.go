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

// Samples returns the pinned upstream files that tests read but nothing is
// generated from (DocuSign's published Connect message), in the lock's
// order. Like the specs they are never copied into the repository.
func Samples() ([]Spec, error) {
	var l struct{ Samples []Spec }
	if err := json.Unmarshal(lock, &l); err != nil {
		return nil, err
	}
	return l.Samples, nil
}

// SDK is an official SDK package pinned as a second source of API surface
// (its operations and model members are merged into the spec named by API).
type SDK struct {
	API     string `json:"api"`     // the spec it adds to, e.g. esignature
	Package string `json:"package"` // npm package, e.g. docusign-esign
	Version string `json:"version"` // exact version
	SHA256  string `json:"sha256"`  // hex digest of the npm pack tarball
}

// SDKs returns the pinned SDK packages, in the lock's order.
func SDKs() ([]SDK, error) {
	var l struct{ SDKs []SDK }
	if err := json.Unmarshal(lock, &l); err != nil {
		return nil, err
	}
	return l.SDKs, nil
}
