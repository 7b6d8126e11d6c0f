package client

import (
	"runtime"
	"strings"
)

// userAgentProduct names the library in the User-Agent header.
const userAgentProduct = "dsgo-docusign"

// defaultUserAgent is "dsgo-docusign/<Version> <go version>", e.g.
// "dsgo-docusign/0.1.0 go1.26.8".
func defaultUserAgent() string {
	return userAgentProduct + "/" + Version + " " + goVersionToken(runtime.Version())
}

// goVersionToken turns runtime.Version() into one User-Agent token: release
// builds report "go1.26.8"; development builds report "devel go1.27-abc ..."
// and keep only their first word joined by dashes.
func goVersionToken(v string) string {
	return strings.Join(strings.Fields(v), "-")
}

// buildUserAgent appends the caller's suffixes (WithUserAgent) to the default
// product token, in the order given.
func buildUserAgent(suffixes []string) string {
	if len(suffixes) == 0 {
		return defaultUserAgent()
	}
	return defaultUserAgent() + " " + strings.Join(suffixes, " ")
}

// checkUserAgentSuffix accepts non-empty printable ASCII without control
// characters, which is what a header value may carry safely.
func checkUserAgentSuffix(s string) error {
	if strings.TrimSpace(s) == "" {
		return optErr("WithUserAgent", "suffix is empty: pass a product token such as \"siem-collector/1.2\"")
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return optErr("WithUserAgent", "suffix %q contains a control or non-ASCII character: use printable ASCII only", s)
		}
	}
	return nil
}

// WithUserAgent appends a product token naming the calling application to
// the User-Agent header, e.g. "siem-collector/1.2", so the application shows
// up in DocuSign's request logs next to the library version. Calling it more
// than once appends each suffix in order.
func WithUserAgent(suffix string) Option {
	return func(c *config) {
		if err := checkUserAgentSuffix(suffix); err != nil {
			c.addErr(err)
			return
		}
		c.transportConfig.userAgentSuffixes = append(c.transportConfig.userAgentSuffixes, strings.TrimSpace(suffix))
	}
}
