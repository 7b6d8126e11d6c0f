package client

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleCheckpoints() map[string]Checkpoint {
	return map[string]Checkpoint{
		"monitor at a page boundary": {kind: CheckpointMonitor, cursor: "aa_638553500560000000_638553500560000000_0", limit: 2000},
		"monitor mid-page":           {kind: CheckpointMonitor, cursor: "2024-06-30T07:08:06Z", limit: 10, seen: []uint64{1, 1 << 63, 42}},
		"monitor default start":      {kind: CheckpointMonitor, limit: 2000},
		"org users mid-page":         {kind: CheckpointOrgUsers, page: "/v2/organizations/o1/users?account_id=a1&start=250&take=250", seen: []uint64{7}},
		"org users done":             {kind: CheckpointOrgUsers, done: true},
		"account users":              {kind: CheckpointAccountUsers, page: "/v2.1/accounts/a1/users?count=100&start_position=200"},
		"custom list kind":           {kind: "templates2", page: "/v2.1/accounts/a1/templates?count=5&start_position=0"},
	}
}

func TestCheckpointRoundTripsThroughBothForms(t *testing.T) {
	for name, cp := range sampleCheckpoints() {
		t.Run(name, func(t *testing.T) {
			s := cp.String()
			if !strings.HasPrefix(s, "dsgo1."+cp.kind+".") {
				t.Fatalf("String() = %q", s)
			}
			back, err := ParseCheckpoint(s)
			if err != nil {
				t.Fatalf("ParseCheckpoint(%q): %v", s, err)
			}
			if !reflect.DeepEqual(back, cp) {
				t.Fatalf("compact round trip = %#v, want %#v", back, cp)
			}
			js, err := json.Marshal(cp)
			if err != nil {
				t.Fatal(err)
			}
			var fromJSON Checkpoint
			if err := json.Unmarshal(js, &fromJSON); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", js, err)
			}
			if !reflect.DeepEqual(fromJSON, cp) {
				t.Fatalf("JSON round trip of %s = %#v, want %#v", js, fromJSON, cp)
			}
			// A struct field of type Checkpoint may also hold the compact string.
			var holder struct{ CP Checkpoint }
			if err := json.Unmarshal([]byte(`{"CP":"`+s+`"}`), &holder); err != nil || !reflect.DeepEqual(holder.CP, cp) {
				t.Fatalf("compact form inside JSON = %#v, %v", holder.CP, err)
			}
			text, _ := cp.MarshalText()
			var fromText Checkpoint
			if err := fromText.UnmarshalText(text); err != nil || !reflect.DeepEqual(fromText, cp) {
				t.Fatalf("text round trip = %#v, %v", fromText, err)
			}
		})
	}
}

func TestCheckpointJSONObjectIsReadable(t *testing.T) {
	cp := Checkpoint{kind: CheckpointMonitor, cursor: "c1", limit: 2000}
	js, _ := json.Marshal(cp)
	if string(js) != `{"v":1,"kind":"monitor","cursor":"c1","limit":2000}` {
		t.Fatalf("json.Marshal = %s", js)
	}
}

func TestZeroCheckpoint(t *testing.T) {
	var zero Checkpoint
	if !zero.IsZero() || zero.String() != "" {
		t.Fatalf("zero checkpoint: IsZero %v, String %q", zero.IsZero(), zero.String())
	}
	js, _ := json.Marshal(zero)
	if string(js) != "null" {
		t.Fatalf("json.Marshal(zero) = %s", js)
	}
	cp := Checkpoint{kind: CheckpointMonitor, cursor: "c"}
	if err := json.Unmarshal([]byte("null"), &cp); err != nil || !cp.IsZero() {
		t.Fatalf("null gives %#v, %v", cp, err)
	}
	if got, err := ParseCheckpoint(""); err != nil || !got.IsZero() {
		t.Fatalf(`ParseCheckpoint("") = %#v, %v`, got, err)
	}
}

func TestCorruptOrForeignCheckpointsGiveTypedErrors(t *testing.T) {
	payload := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := map[string]struct {
		in     string
		reason string
	}{
		"another library's token":   {"eyJhbGciOiJIUzI1NiJ9.e30.sig", "not a dsgo checkpoint"},
		"no dots":                   {"dsgo1", "not a dsgo checkpoint"},
		"newer version":             {"dsgo2.monitor." + payload(`{}`), "version 2 is not supported"},
		"non-numeric version":       {"dsgoX.monitor." + payload(`{}`), `version "X" is not a number`},
		"missing data":              {"dsgo1.monitor", "missing data"},
		"bad kind":                  {"dsgo1.Mon!tor." + payload(`{}`), "may hold only a-z and 0-9"},
		"bad base64":                {"dsgo1.monitor.@@@", "not base64url"},
		"bad JSON":                  {"dsgo1.monitor." + payload(`{"cursor":`), "not a checkpoint JSON object"},
		"unknown field":             {"dsgo1.monitor." + payload(`{"cursor":"c","evil":1}`), "not a checkpoint JSON object"},
		"trailing data":             {"dsgo1.monitor." + payload(`{"cursor":"c"} {}`), "not a checkpoint JSON object"},
		"offset without seen":       {"dsgo1.monitor." + payload(`{"cursor":"c","offset":3}`), "offset 3 does not match"},
		"seen not 8-byte aligned":   {"dsgo1.monitor." + payload(`{"cursor":"c","offset":1,"seen":"AAAA"}`), "not a multiple of 8"},
		"seen not base64":           {"dsgo1.monitor." + payload(`{"seen":"!!"}`), "seen is not base64url"},
		"limit out of range":        {"dsgo1.monitor." + payload(`{"limit":5000}`), "limit 5000"},
		"monitor with a page":       {"dsgo1.monitor." + payload(`{"page":"/x"}`), "monitor checkpoint has no page"},
		"monitor marked done":       {"dsgo1.monitor." + payload(`{"done":true}`), "never done"},
		"list with a cursor":        {"dsgo1.orgusers." + payload(`{"cursor":"c","page":"/x"}`), "has no cursor"},
		"list without a page":       {"dsgo1.orgusers." + payload(`{}`), "needs a page"},
		"page on another host":      {"dsgo1.orgusers." + payload(`{"page":"//evil.example/x"}`), "not a path relative"},
		"absolute page URL":         {"dsgo1.orgusers." + payload(`{"page":"https://evil.example/x"}`), "not a path relative"},
		"page with dot segments":    {"dsgo1.orgusers." + payload(`{"page":"/v2/../../x"}`), "dot segment"},
		"done with an offset":       {"dsgo1.orgusers." + payload(`{"done":true,"offset":1,"seen":"AAAAAAAAAAE"}`), "done checkpoint has no page or offset"},
		"too long":                  {"dsgo1.monitor." + strings.Repeat("A", maxCheckpointText), "too long"},
		"seen larger than any page": {"dsgo1.monitor." + payload(`{"offset":10001,"seen":"`+base64.RawURLEncoding.EncodeToString(make([]byte, 8*10001))+`"}`), "more than any page holds"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCheckpoint(tt.in)
			var ce *CheckpointError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidCheckpoint) {
				t.Fatalf("error = %v, want a *CheckpointError matching ErrInvalidCheckpoint", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("error %q does not say %q", err, tt.reason)
			}
		})
	}
}

func TestCheckpointJSONFormRejectsWrongVersion(t *testing.T) {
	var cp Checkpoint
	err := json.Unmarshal([]byte(`{"v":2,"kind":"monitor","cursor":"c"}`), &cp)
	if !errors.Is(err, ErrInvalidCheckpoint) || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("error = %v", err)
	}
	err = json.Unmarshal([]byte(`{"v":1,"kind":"monitor","cursor":"c","extra":true}`), &cp)
	if !errors.Is(err, ErrInvalidCheckpoint) {
		t.Fatalf("unknown field: error = %v", err)
	}
	err = json.Unmarshal([]byte(`42`), &cp)
	if !errors.Is(err, ErrInvalidCheckpoint) {
		t.Fatalf("a number: error = %v", err)
	}
}

func TestCheckpointDoesNotAliasItsSeenList(t *testing.T) {
	pg := &Page[Event]{kind: CheckpointMonitor, at: pagePos{cursor: "c"}, fps: []uint64{1, 2, 3}, Items: make([]Event, 3)}
	cp := pg.Checkpoint(2)
	cp.seen[0] = 99
	if pg.fps[0] != 1 {
		t.Fatal("a checkpoint shares memory with its page")
	}
}

// FuzzCheckpointDecode feeds arbitrary text to ParseCheckpoint: it must never
// panic, reject with a *CheckpointError, and whatever it accepts must
// survive both serialized forms unchanged.
func FuzzCheckpointDecode(f *testing.F) {
	for _, cp := range sampleCheckpoints() {
		f.Add(cp.String())
	}
	for _, s := range []string{"", "dsgo1.", "dsgo1.monitor.", "dsgo1.monitor.e30", "dsgo9.x.y", "dsgo1.orgusers.eyJkb25lIjp0cnVlfQ", "a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cp, err := ParseCheckpoint(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidCheckpoint) {
				t.Fatalf("ParseCheckpoint(%q) error %v is not ErrInvalidCheckpoint", s, err)
			}
			return
		}
		back, err := ParseCheckpoint(cp.String())
		if err != nil || !reflect.DeepEqual(back, cp) {
			t.Fatalf("re-parse of %q = %#v, %v; want %#v", cp.String(), back, err, cp)
		}
		js, err := json.Marshal(cp)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON Checkpoint
		if err := json.Unmarshal(js, &fromJSON); err != nil || !reflect.DeepEqual(fromJSON, cp) {
			t.Fatalf("JSON round trip of %s = %#v, %v", js, fromJSON, err)
		}
	})
}
