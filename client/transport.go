package client

import "net/http"

// transportConfig holds the transport settings (owned by the transport work).
type transportConfig struct{}

// validate reports every invalid transport setting.
func (t *transportConfig) validate() error { return nil }

// newHTTPClient builds the request pipeline. auth wraps the innermost
// transport so that credentials are applied to each attempt.
func (t *transportConfig) newHTTPClient(auth func(http.RoundTripper) http.RoundTripper) (*http.Client, error) {
	return &http.Client{Transport: auth(http.DefaultTransport)}, nil
}
