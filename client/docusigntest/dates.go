package docusigntest

import (
	"fmt"
	"strings"
	"time"
)

// Layouts of the dates DocuSign sends.
const (
	// layoutDS7 is eSignature's and Monitor's timestamp: seven fractional
	// digits, always UTC, e.g. 2024-05-01T10:11:12.1234567Z.
	layoutDS7 = "2006-01-02T15:04:05.0000000Z"
	// layoutUS is the user settings modifiedDate form, e.g. 3/7/2024 4:05:09 PM.
	layoutUS = "1/2/2006 3:04:05 PM"
	// layoutAdmin is the Admin API's date-time, e.g. 2024-05-01T10:11:12.123Z.
	layoutAdmin = "2006-01-02T15:04:05.000Z"
	// layoutUserinfo is /oauth/userinfo's created, without a zone.
	layoutUserinfo = "2006-01-02T15:04:05.000"
)

func formatDS7(t time.Time) string { return t.UTC().Format(layoutDS7) }

// inputLayouts are the date forms query parameters accept, most specific
// first; DocuSign parses dates leniently, and clients send ISO 8601.
var inputLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
	"1/2/2006",
}

// parseDate parses a date query parameter; forms without a zone are UTC.
func parseDate(param, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range inputLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s=%q is not a date: use ISO 8601, e.g. 2024-05-01T00:00:00Z", param, v)
}
