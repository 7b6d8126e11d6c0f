package client

import (
	"fmt"
	"time"
)

// TimestampError reports a date or time string that could not be parsed,
// naming the layout that was expected.
type TimestampError struct {
	Input  string // the rejected text (truncated to 64 bytes)
	Layout string // the form that was expected
	Reason string // what is wrong with it
}

// Error implements error.
func (e *TimestampError) Error() string {
	return fmt.Sprintf("docusign: cannot parse %q as %s: %s", e.Input, e.Layout, e.Reason)
}

const (
	isoLayoutName = "ISO 8601 date-time (2006-01-02T15:04:05.1234567Z)"
	usLayoutName  = "DocuSign date-time (M/D/YYYY h:mm:ss AM)"
)

func tsErr(s, layout, reason string) error {
	if len(s) > 64 {
		s = s[:64]
	}
	return &TimestampError{Input: s, Layout: layout, Reason: reason}
}

// ParseTimestamp parses the ISO 8601 date-times DocuSign sends: a date, "T",
// a time, 0 to 9 (or more, truncated) fractional second digits, and a zone
// that is "Z", an offset (+hh:mm or +hhmm) or absent (taken as UTC, as Admin
// and eSignature send some times without a zone). The result is always in
// UTC. It never allocates on success, which matters on the Monitor decode path.
func ParseTimestamp(s string) (time.Time, error) {
	sec, nsec, ok, reason := parseISO(s)
	if !ok {
		return time.Time{}, tsErr(s, isoLayoutName, reason)
	}
	return time.Unix(sec, int64(nsec)).UTC(), nil
}

// parseISO is ParseTimestamp's allocation-free core: it returns Unix seconds
// and nanoseconds, or a reason for rejecting s.
func parseISO(s string) (sec int64, nsec int32, ok bool, reason string) {
	// 2006-01-02T15:04:05
	if len(s) < 19 {
		return 0, 0, false, "too short"
	}
	year, ok1 := isoDigits(s, 0, 4)
	month, ok2 := isoDigits(s, 5, 2)
	day, ok3 := isoDigits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return 0, 0, false, "bad date, want YYYY-MM-DD"
	}
	if c := s[10]; c != 'T' && c != 't' && c != ' ' {
		return 0, 0, false, "want T between date and time"
	}
	hour, ok1 := isoDigits(s, 11, 2)
	minute, ok2 := isoDigits(s, 14, 2)
	second, ok3 := isoDigits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || s[13] != ':' || s[16] != ':' {
		return 0, 0, false, "bad time, want hh:mm:ss"
	}
	if month < 1 || month > 12 {
		return 0, 0, false, "month out of range"
	}
	if day < 1 || day > tsDaysIn(month, year) {
		return 0, 0, false, "day out of range"
	}
	if hour > 23 || minute > 59 || second > 59 {
		return 0, 0, false, "time out of range"
	}
	i := 19
	var frac int32
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		start := i
		scale := int32(100000000)
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			frac += int32(s[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return 0, 0, false, "no digits after the decimal point"
		}
	}
	offset := 0
	switch {
	case i == len(s):
		// No zone: UTC.
	case s[i] == 'Z' || s[i] == 'z':
		i++
	case s[i] == '+' || s[i] == '-':
		sign := 1
		if s[i] == '-' {
			sign = -1
		}
		rest := s[i+1:]
		var oh, om int
		var okh, okm bool
		switch len(rest) {
		case 5: // hh:mm
			oh, okh = isoDigits(rest, 0, 2)
			om, okm = isoDigits(rest, 3, 2)
			okm = okm && rest[2] == ':'
		case 4: // hhmm
			oh, okh = isoDigits(rest, 0, 2)
			om, okm = isoDigits(rest, 2, 2)
		default:
			return 0, 0, false, "bad zone offset, want +hh:mm"
		}
		if !okh || !okm || oh > 24 || om > 60 { // as lenient as time.Parse
			return 0, 0, false, "bad zone offset, want +hh:mm"
		}
		offset = sign * (oh*3600 + om*60)
		i = len(s)
	default:
		return 0, 0, false, "unexpected text after the time"
	}
	if i != len(s) {
		return 0, 0, false, "unexpected text after the zone"
	}
	days := tsDaysFromCivil(year, month, day)
	sec = days*86400 + int64(hour*3600+minute*60+second) - int64(offset)
	return sec, frac, true, ""
}

// isoDigits parses n ASCII digits of s starting at i.
func isoDigits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func tsIsLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func tsDaysIn(month, year int) int {
	switch month {
	case 2:
		if tsIsLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// tsDaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func tsDaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// FormatCursorTime renders t as the ISO 8601 UTC form the Monitor API accepts
// as a cursor, keeping up to seven fractional digits (DocuSign's precision).
func FormatCursorTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z")
}

// ParseUSDateTime parses DocuSign's legacy date-time form "M/D/YYYY h:mm:ss
// AM", used for example by userSettings.modifiedDate in eSignature user
// details. Month, day, hour, minute and second may have one or two digits; the
// AM/PM marker is case-insensitive and, when absent, the hour is read on a
// 24-hour clock. DocuSign sends these times without a zone; they are taken as
// UTC.
func ParseUSDateTime(s string) (time.Time, error) {
	p := usParser{s: s}
	month := p.num(1, 2, '/')
	day := p.num(1, 2, '/')
	year := p.num(4, 4, ' ')
	hour := p.num(1, 2, ':')
	minute := p.num(1, 2, ':')
	second := p.num(1, 2, 0)
	if p.err != "" {
		return time.Time{}, tsErr(s, usLayoutName, p.err)
	}
	rest := s[p.i:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	switch {
	case rest == "":
		if hour > 23 {
			return time.Time{}, tsErr(s, usLayoutName, "hour out of range")
		}
	case len(rest) == 2 && (rest[1] == 'M' || rest[1] == 'm') && (rest[0]|0x20 == 'a' || rest[0]|0x20 == 'p'):
		if hour < 1 || hour > 12 {
			return time.Time{}, tsErr(s, usLayoutName, "hour out of range for a 12-hour clock")
		}
		hour %= 12
		if rest[0]|0x20 == 'p' {
			hour += 12
		}
	default:
		return time.Time{}, tsErr(s, usLayoutName, "want AM or PM after the time")
	}
	if month < 1 || month > 12 {
		return time.Time{}, tsErr(s, usLayoutName, "month out of range")
	}
	if day < 1 || day > tsDaysIn(month, year) {
		return time.Time{}, tsErr(s, usLayoutName, "day out of range")
	}
	if minute > 59 || second > 59 {
		return time.Time{}, tsErr(s, usLayoutName, "time out of range")
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC), nil
}

// usParser reads the numeric fields of ParseUSDateTime.
type usParser struct {
	s   string
	i   int
	err string
}

// num reads min..max digits followed by sep (0: no separator).
func (p *usParser) num(min, max int, sep byte) int {
	if p.err != "" {
		return 0
	}
	v, n := 0, 0
	for p.i < len(p.s) && n < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n < min {
		p.err = "missing digits"
		return 0
	}
	if sep != 0 {
		if p.i >= len(p.s) || p.s[p.i] != sep {
			p.err = fmt.Sprintf("want %q at byte %d", sep, p.i)
			return 0
		}
		p.i++
	}
	return v
}
