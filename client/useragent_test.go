package client

import (
	"regexp"
	"strings"
	"testing"
)

func TestTheUserAgentNamesLibraryVersionGoAndTheCallersSuffixes(t *testing.T) {
	cfg := &config{}
	WithUserAgent("siem-collector/1.2")(cfg)
	WithUserAgent("  host-7  ")(cfg)
	got := buildUserAgent(cfg.transportConfig.userAgentSuffixes)
	if !regexp.MustCompile(`^dsgo-docusign/` + regexp.QuoteMeta(Version) + ` go\S+ siem-collector/1\.2 host-7$`).MatchString(got) {
		t.Errorf("User-Agent %q", got)
	}
}

func TestUserAgentSuffixesMustBePrintableASCII(t *testing.T) {
	for _, bad := range []string{"", "   ", "line\nbreak", "tab\there", "caf\u00e9"} {
		if err := checkUserAgentSuffix(bad); err == nil || !strings.Contains(err.Error(), "WithUserAgent") {
			t.Errorf("suffix %q: got %v, want a WithUserAgent error", bad, err)
		}
	}
}

func TestDevelopmentGoVersionsBecomeOneToken(t *testing.T) {
	if got := goVersionToken("devel go1.27-abcdef Tue Jan 1"); got != "devel-go1.27-abcdef-Tue-Jan-1" {
		t.Errorf("got %q", got)
	}
	if got := goVersionToken("go1.26.8"); got != "go1.26.8" {
		t.Errorf("got %q", got)
	}
}
