package docusigntest

import (
	"testing"
	"time"
)

func TestParseDateAcceptsTheFormsClientsSend(t *testing.T) {
	want := time.Date(2024, 3, 7, 16, 5, 9, 0, time.UTC)
	for _, in := range []string{
		"2024-03-07T16:05:09Z",
		"2024-03-07T17:05:09+01:00",
		"2024-03-07T16:05:09.0000000Z",
		"2024-03-07T16:05:09",
		"3/7/2024 4:05:09 PM",
	} {
		got, err := parseDate("from_date", in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := parseDate("d", "2024-03-07"); err != nil || !got.Equal(time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date only: %v %v", got, err)
	}
	if _, err := parseDate("from_date", "last tuesday"); err == nil {
		t.Error("parseDate accepted nonsense")
	}
}

func TestDocuSignDateLayouts(t *testing.T) {
	tm := time.Date(2024, 3, 7, 16, 5, 9, 123456700, time.UTC)
	if got := formatDS7(tm); got != "2024-03-07T16:05:09.1234567Z" {
		t.Errorf("formatDS7 = %s", got)
	}
	if got := tm.Format(layoutUS); got != "3/7/2024 4:05:09 PM" {
		t.Errorf("layoutUS = %s", got)
	}
}
