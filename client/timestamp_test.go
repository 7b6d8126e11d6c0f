package client

import (
	"errors"
	"testing"
	"time"
)

func TestParseTimestampAcceptsDocuSignForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		{"seven fractional digits and Z", "2024-06-30T07:08:06.3038365Z", time.Date(2024, 6, 30, 7, 8, 6, 303836500, time.UTC)},
		{"three fractional digits and Z", "2024-06-30T07:08:06.303Z", time.Date(2024, 6, 30, 7, 8, 6, 303000000, time.UTC)},
		{"no fractional digits and Z", "2024-06-30T07:08:06Z", time.Date(2024, 6, 30, 7, 8, 6, 0, time.UTC)},
		{"nine fractional digits", "2024-06-30T07:08:06.123456789Z", time.Date(2024, 6, 30, 7, 8, 6, 123456789, time.UTC)},
		{"more than nine digits are truncated", "2024-06-30T07:08:06.1234567891234Z", time.Date(2024, 6, 30, 7, 8, 6, 123456789, time.UTC)},
		{"positive offset is converted to UTC", "2024-06-30T09:08:06.5+02:00", time.Date(2024, 6, 30, 7, 8, 6, 500000000, time.UTC)},
		{"negative offset without colon", "2024-06-30T02:08:06-0500", time.Date(2024, 6, 30, 7, 8, 6, 0, time.UTC)},
		{"missing zone is UTC", "2019-08-15T20:48:08.233", time.Date(2019, 8, 15, 20, 48, 8, 233000000, time.UTC)},
		{"lower-case t and z", "2024-06-30t07:08:06z", time.Date(2024, 6, 30, 7, 8, 6, 0, time.UTC)},
		{"leap day", "2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"offset crossing the date line", "2024-01-01T00:30:00+01:00", time.Date(2023, 12, 31, 23, 30, 0, 0, time.UTC)},
		{"before the epoch", "1969-12-31T23:59:59.9Z", time.Date(1969, 12, 31, 23, 59, 59, 900000000, time.UTC)},
		{"year zero", "0000-03-01T00:00:00Z", time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTimestamp(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimestampRejectsMalformedInput(t *testing.T) {
	for _, in := range []string{
		"", "2024", "2024-06-30", "2024-06-30 07:08", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
		"2024-06-31T00:00:00Z", "2024-06-30T24:00:00Z", "2024-06-30T23:60:00Z", "2024-06-30T23:59:60Z",
		"2024-06-30T07:08:06.Z", "2024-06-30T07:08:06+2:00", "2024-06-30T07:08:06+25:00",
		"2024-06-30T07:08:06ZZ", "2024-06-30T07:08:06 UTC", "2024/06/30T07:08:06Z", "２０２４-06-30T07:08:06Z",
		"-024-06-30T07:08:06Z", "2024-06-30X07:08:06Z",
	} {
		_, err := ParseTimestamp(in)
		var te *TimestampError
		if !errors.As(err, &te) {
			t.Errorf("ParseTimestamp(%q) error = %v, want *TimestampError", in, err)
		}
	}
}

func TestParseTimestampDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseTimestamp("2024-06-30T07:08:06.3038365+02:00"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("ParseTimestamp allocates %v times per call, want 0", allocs)
	}
}

func TestFormatCursorTimeRoundTripsThroughParseTimestamp(t *testing.T) {
	in := time.Date(2024, 6, 30, 9, 8, 6, 303836500, time.FixedZone("x", 2*3600))
	s := FormatCursorTime(in)
	if s != "2024-06-30T07:08:06.3038365Z" {
		t.Fatalf("FormatCursorTime = %q", s)
	}
	back, err := ParseTimestamp(s)
	if err != nil || !back.Equal(in) {
		t.Fatalf("ParseTimestamp(FormatCursorTime(t)) = %v, %v; want %v", back, err, in)
	}
	if got := FormatCursorTime(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)); got != "2022-01-01T00:00:00Z" {
		t.Fatalf("FormatCursorTime of a whole second = %q", got)
	}
}

func TestParseUSDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2/8/2023 3:38:20 PM", time.Date(2023, 2, 8, 15, 38, 20, 0, time.UTC)},
		{"12/31/2023 11:59:59 PM", time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"1/1/2024 12:00:00 AM", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1/1/2024 12:30:00 PM", time.Date(2024, 1, 1, 12, 30, 0, 0, time.UTC)},
		{"01/02/2024 07:05:09 am", time.Date(2024, 1, 2, 7, 5, 9, 0, time.UTC)},
		{"2/29/2024 14:22:11", time.Date(2024, 2, 29, 14, 22, 11, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseUSDateTime(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseUSDateTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"", "2/8/2023", "2/8/23 3:38:20 PM", "13/8/2023 3:38:20 PM", "2/30/2023 3:38:20 PM",
		"2/8/2023 13:38:20 PM", "2/8/2023 0:38:20 AM", "2/8/2023 3:60:20 PM", "2/8/2023 3:38:20 XM",
		"2/8/2023 24:00:00", "2-8-2023 3:38:20 PM", "2/8/2023 3:38:20 PM extra",
	} {
		_, err := ParseUSDateTime(in)
		var te *TimestampError
		if !errors.As(err, &te) {
			t.Errorf("ParseUSDateTime(%q) error = %v, want *TimestampError", in, err)
		}
	}
}

// FuzzTimestamp checks that ParseTimestamp agrees with time.Parse(RFC3339Nano)
// on every input the standard library accepts, and never panics.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{
		"2024-06-30T07:08:06.3038365Z", "2024-06-30T07:08:06.303Z", "2024-06-30T07:08:06Z",
		"2024-06-30T09:08:06+02:00", "2024-06-30T02:08:06-05:30", "2019-08-15T20:48:08.233",
		"2024-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2024-06-30T07:08:06.Z", "", "garbage",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp(s)
		if err == nil && got.Location() != time.UTC {
			t.Fatalf("ParseTimestamp(%q) returned a non-UTC time", s)
		}
		want, stdErr := time.Parse(time.RFC3339Nano, s)
		if stdErr != nil || !fixedISOShape(s) {
			// We accept a superset (no zone, +hhmm); time.Parse accepts some
			// shapes DocuSign never sends (one-digit hours). Nothing to compare.
			return
		}
		if err != nil {
			t.Fatalf("ParseTimestamp(%q) = %v; time.Parse accepts it as %v", s, err, want)
		}
		if !got.Equal(want) {
			t.Fatalf("ParseTimestamp(%q) = %v; time.Parse gives %v", s, got, want)
		}
	})
}

// fixedISOShape reports whether s has the separators of
// 2006-01-02T15:04:05 at their fixed positions.
func fixedISOShape(s string) bool {
	return len(s) >= 19 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':'
}
