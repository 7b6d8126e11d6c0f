package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testEventJSON renders a realistic Monitor event (about 1 KB, shaped like
// DocuSign's) with sequence number n.
func testEventJSON(n int) string {
	ts := time.Date(2024, 6, 30, 7, 8, 6, 303836500, time.UTC).Add(time.Duration(n) * time.Millisecond)
	return fmt.Sprintf(`{"timestamp":%q,"eventId":"%08x-1111-4111-8111-%012x","site":"NA3",`+
		`"accountId":"2f5c8a1e-3b7d-4c9a-8e6f-1a2b3c4d5e6f","organizationId":"9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4",`+
		`"userId":"5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e","integratorKey":"c0ffee00-1234-4567-89ab-cdef01234567",`+
		`"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",`+
		`"userAgentClientInfo":{"browser":{"family":"Chrome","version":{"major":"126","minor":"0","patch":"0"}},`+
		`"device":{"family":"Other","brand":null,"model":null},"os":{"family":"Windows","version":{"major":"10","minor":null,"patch":null}}},`+
		`"ipAddress":"203.0.113.%d","ipAddressLocation":{"latitude":37.7749,"longitude":-122.4194,"country":"US","state":"CA","city":"San Francisco"},`+
		`"object":"Envelope","action":"Viewed","property":"","field":"","result":"Success","source":"Web",`+
		`"data":{"EnvelopeId":"7d4c1b2a-0e9f-4a8b-b7c6-d5e4f3a2b1c0","RecipientEmail":"signer%d@example.com","EnvelopeStatus":"sent",`+
		`"DocumentCount":3,"Subject":"Please sign: NDA \u00e9t\u00e9 (draft)","Reminder":false,"Amount":-12.5e2}}`,
		ts.Format("2006-01-02T15:04:05.0000000Z"), n, n, n%250, n)
}

// testMonitorPage renders a Monitor stream response of events first..first+n-1.
func testMonitorPage(first, n int, endCursor string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"endCursor":%q,"data":[`, endCursor)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(testEventJSON(first + i))
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestDecodeMonitorPageDecodesEveryDocumentedField(t *testing.T) {
	body := testMonitorPage(7, 2, "aa_638553500560000000_638553500560000000_0")
	p, err := decodeMonitorPage(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.endCursor != "aa_638553500560000000_638553500560000000_0" {
		t.Errorf("endCursor = %q", p.endCursor)
	}
	if len(p.events) != 2 {
		t.Fatalf("got %d events, want 2", len(p.events))
	}
	e := p.events[0]
	want := Event{
		Timestamp:      time.Date(2024, 6, 30, 7, 8, 6, 310836500, time.UTC),
		EventID:        "00000007-1111-4111-8111-000000000007",
		Site:           "NA3",
		AccountID:      "2f5c8a1e-3b7d-4c9a-8e6f-1a2b3c4d5e6f",
		OrganizationID: "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4",
		UserID:         "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
		IntegratorKey:  "c0ffee00-1234-4567-89ab-cdef01234567",
		UserAgent:      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		IPAddress:      "203.0.113.7",
		Object:         "Envelope", Action: "Viewed", Result: "Success", Source: "Web",
	}
	got := e
	got.Raw, got.Data, got.UserAgentClientInfo, got.IPAddressLocation = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event =\n%+v\nwant\n%+v", got, want)
	}
	if string(e.Raw) != testEventJSON(7) {
		t.Errorf("Raw is not the event as sent:\n%s", e.Raw)
	}
	if !bytes.HasPrefix(e.Data, []byte(`{"EnvelopeId":"7d4c1b2a`)) || !bytes.HasSuffix(e.Data, []byte(`"Amount":-12.5e2}`)) {
		t.Errorf("Data = %s", e.Data)
	}
	if !bytes.HasPrefix(e.IPAddressLocation, []byte(`{"latitude":37.7749`)) {
		t.Errorf("IPAddressLocation = %s", e.IPAddressLocation)
	}
	if !bytes.HasPrefix(e.UserAgentClientInfo, []byte(`{"browser":`)) {
		t.Errorf("UserAgentClientInfo = %s", e.UserAgentClientInfo)
	}
	m, err := e.DataMap()
	if err != nil || m["Subject"] != "Please sign: NDA été (draft)" {
		t.Errorf("DataMap = %v, %v", m, err)
	}
	if cap(e.Raw) != len(e.Raw) {
		t.Errorf("Raw has spare capacity %d: an append would overwrite the next event", cap(e.Raw)-len(e.Raw))
	}
}

func TestDecodeMonitorPageHandlesEdgeShapes(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantCursor string
		wantIDs    []string
	}{
		{"empty data keeps cursor text", `{"endCursor":"c1","data":[]}`, "c1", nil},
		{"null data", `{"endCursor":"c1","data":null}`, "c1", nil},
		{"no data member", `{"endCursor":"c1"}`, "c1", nil},
		{"missing endCursor", `{"data":[{"eventId":"a"}]}`, "", []string{"a"}},
		{"null endCursor", `{"endCursor":null,"data":[{"eventId":"a"}]}`, "", []string{"a"}},
		{"whitespace everywhere", " \n{ \"data\" :\t[ { \"eventId\" : \"a\" } , {\"eventId\":\"b\"} ] ,\r\n\"endCursor\" : \"c\" } \n", "c", []string{"a", "b"}},
		{"escaped strings are unescaped", `{"endCursor":"c\/2","data":[{"eventId":"a\"b\u00e9\ud83d\ude00"}]}`, "c/2", []string{"a\"bé😀"}},
		{"escaped key is matched", `{"endCursor":"c","data":[{"event\u0049d":"x"}]}`, "c", []string{"x"}},
		{"last duplicate key wins", `{"endCursor":"c","data":[{"eventId":"x","eventId":"y"}]}`, "c", []string{"y"}},
		{"number in a string field keeps its text", `{"endCursor":"c","data":[{"eventId":42,"timestamp":true}]}`, "c", []string{"42"}},
		{"object in a string field leaves it zero", `{"endCursor":"c","data":[{"eventId":{"a":1}}]}`, "c", []string{""}},
		{"non-object event kept raw", `{"endCursor":"c","data":[17,null,{"eventId":"z"}]}`, "c", []string{"", "", "z"}},
		{"unknown members skipped", `{"x":[1,{"y":[true,false,null,-0.5E+3]}],"endCursor":"c","data":[{"u":{"v":[]},"eventId":"a","w":{}}]}`, "c", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeMonitorPage([]byte(tt.body), nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.endCursor != tt.wantCursor {
				t.Errorf("endCursor = %q, want %q", p.endCursor, tt.wantCursor)
			}
			var ids []string
			for _, e := range p.events {
				ids = append(ids, e.EventID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("ids = %q, want %q", ids, tt.wantIDs)
			}
		})
	}
}

func TestDecodeMonitorPageRejectsMalformedJSON(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `"x"`, `{`, `{"data":[`, `{"data":[{"eventId":"a"}`, `{"data":[{"eventId":"a"},]}`,
		`{"data":[{"eventId":"a}]}`, `{"data":[{"eventId":"a\x"}]}`, `{"data":[{"eventId":"a` + "\x01" + `"}]}`,
		`{"data":[{"n":01}]}`, `{"data":[{"n":1.}]}`, `{"data":[{"n":-}]}`, `{"data":[{"n":1e}]}`,
		`{"data":[{"b":tru}]}`, `{"data":[{"b":nul}]}`, `{"data":{}}`, `{"endCursor":5}`, `{"a" 1}`,
		`{"a":1}x`, `{"a":1,}`, `{'a':1}`, `{"data":[{"x":[1 2]}]}`, `{"data":[{"eventId":"\u12"}]}`,
		"\ufeff{}",
	} {
		_, err := decodeMonitorPage([]byte(body), nil)
		if err == nil {
			t.Errorf("decodeMonitorPage(%q) succeeded, want an error", body)
		}
	}
}

func TestDecodeMonitorPageReportsTruncationAsTruncated(t *testing.T) {
	body := testMonitorPage(0, 3, "c")
	for _, cut := range []int{1, 10, len(body) / 2, len(body) - 1} {
		_, err := decodeMonitorPage(body[:cut], nil)
		var se *JSONSyntaxError
		if !errors.As(err, &se) || !se.Truncated {
			t.Errorf("body cut at %d: error = %v, want a truncated *JSONSyntaxError", cut, err)
		}
	}
}

func TestDecodeMonitorPageNestingLimitMatchesEncodingJSON(t *testing.T) {
	for n := scanMaxDepth - 5; n <= scanMaxDepth; n++ {
		nest := strings.Repeat("[", n) + strings.Repeat("]", n)
		for _, body := range []string{`{"data":[{"x":` + nest + `}]}`, `{"y":` + nest + `}`, `{"data":[` + nest + `]}`} {
			_, _, wantErr := oracleEvents([]byte(body))
			_, err := decodeMonitorPage([]byte(body), nil)
			if (err == nil) != (wantErr == nil) {
				t.Errorf("%d nested arrays in %.12s...: error = %v, encoding/json error = %v", n, body, err, wantErr)
			}
		}
	}
}

func TestEventJSONRoundTripIsByteExact(t *testing.T) {
	in := []byte(testEventJSON(3))
	var e Event
	if err := json.Unmarshal(in, &e); err != nil {
		t.Fatal(err)
	}
	if e.EventID != "00000003-1111-4111-8111-000000000003" || e.Action != "Viewed" {
		t.Fatalf("decoded %+v", e)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Fatalf("json.Marshal(event) is not the received bytes:\n%s\n%s", out, in)
	}
	in[2] = 'X' // the caller's buffer may be reused: Raw must not alias it
	if e.Raw[2] == 'X' {
		t.Fatal("Event.UnmarshalJSON kept a reference to the caller's buffer")
	}
}

func TestEventMarshalJSONWithoutRawUsesTypedFields(t *testing.T) {
	e := Event{EventID: "e1", Action: "Login", Timestamp: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Data: json.RawMessage(`{"k":1}`)}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Event
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.EventID != "e1" || back.Action != "Login" || !back.Timestamp.Equal(e.Timestamp) || string(back.Data) != `{"k":1}` {
		t.Fatalf("round trip of %s gave %+v", out, back)
	}
}

// oracleEvents decodes a Monitor page with encoding/json only, into structs
// whose fields have the documented JSON types (string fields for the strings
// and the timestamp, json.RawMessage for the raw members): the reference the
// fast decoder must agree with, including key case folding, repeated keys,
// null and mistyped members.
func oracleEvents(body []byte) (string, []Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "", nil, err
	}
	if top == nil {
		return "", nil, errors.New("null page")
	}
	var page struct {
		EndCursor string            `json:"endCursor"`
		Data      []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return "", nil, err
	}
	type refEvent struct {
		Timestamp           string          `json:"timestamp"`
		EventID             lenientString   `json:"eventId"`
		Site                lenientString   `json:"site"`
		AccountID           lenientString   `json:"accountId"`
		OrganizationID      lenientString   `json:"organizationId"`
		UserID              lenientString   `json:"userId"`
		IntegratorKey       lenientString   `json:"integratorKey"`
		UserAgent           lenientString   `json:"userAgent"`
		UserAgentClientInfo json.RawMessage `json:"userAgentClientInfo"`
		IPAddress           lenientString   `json:"ipAddress"`
		IPAddressLocation   json.RawMessage `json:"ipAddressLocation"`
		Object              lenientString   `json:"object"`
		Action              lenientString   `json:"action"`
		Property            lenientString   `json:"property"`
		Field               lenientString   `json:"field"`
		Result              lenientString   `json:"result"`
		Source              lenientString   `json:"source"`
		Data                json.RawMessage `json:"data"`
	}
	var events []Event
	for _, raw := range page.Data {
		var r refEvent
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal(raw, &r); err != nil && !errors.As(err, &te) {
			return "", nil, err
		}
		e := Event{
			EventID: string(r.EventID), Site: string(r.Site), AccountID: string(r.AccountID), OrganizationID: string(r.OrganizationID),
			UserID: string(r.UserID), IntegratorKey: string(r.IntegratorKey), UserAgent: string(r.UserAgent),
			UserAgentClientInfo: r.UserAgentClientInfo, IPAddress: string(r.IPAddress),
			IPAddressLocation: r.IPAddressLocation, Object: string(r.Object), Action: string(r.Action),
			Property: string(r.Property), Field: string(r.Field), Result: string(r.Result), Source: string(r.Source), Data: r.Data,
			Raw: raw,
		}
		if ts, err := ParseTimestamp(r.Timestamp); err == nil {
			e.Timestamp = ts
		}
		events = append(events, e)
	}
	return page.EndCursor, events, nil
}

// eventsEqual compares events field by field, raw fields by bytes.
func eventsEqual(a, b Event) bool {
	rb := func(x, y json.RawMessage) bool { return bytes.Equal(x, y) && (x == nil) == (y == nil) }
	if !rb(a.Raw, b.Raw) || !rb(a.Data, b.Data) || !rb(a.IPAddressLocation, b.IPAddressLocation) || !rb(a.UserAgentClientInfo, b.UserAgentClientInfo) {
		return false
	}
	a.Raw, a.Data, a.IPAddressLocation, a.UserAgentClientInfo = nil, nil, nil, nil
	b.Raw, b.Data, b.IPAddressLocation, b.UserAgentClientInfo = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

// FuzzEventDecode checks the hand-written Monitor page decoder against
// encoding/json: same cursor, same events, same raw bytes for valid input, an
// error (never a panic) for invalid input.
func FuzzEventDecode(f *testing.F) {
	f.Add(testMonitorPage(0, 2, "aa_1_2_0"))
	for _, s := range []string{
		`{"endCursor":"c","data":[]}`, `{"data":null}`, `{}`, `{"endCursor":"c\u0041","data":[{"eventId":"\ud800"}]}`,
		`{"data":[{"eventId":"a","eventId":"b"},{"timestamp":"2024-06-30T07:08:06.3038365Z"},7,"s",null,[]]}`,
		`{"data":[{"timestamp":"2024-06-30T07:08:06+02:00","data":{"a":[1,2,{"b":null}]},"ipAddressLocation":null}]}`,
		"{\"data\":[{\"eventId\":\"\xff\xfe\"}]}", `{"data":[{"userId":"é","Userid":"x"}]}`,
		`{"data":[{"x":1e400,"y":-0.0,"z":12345678901234567890}]}`, `{"endCursor":7}`, `{"data":{}}`, `[`, ``,
		`{"EndCursor":"c","DATA":[{"EventId":"a","ACTION":"Login","\u0073ite":"NA3","\u212Aey":1}]}`,
		`{"endCursor":"c","endCursor":null,"data":[{"eventId":"a","eventId":null},{"userId":"a","userId":7,"userId":{}}]}`,
		`{"data":[{"timestamp":"2024-06-30T07:08:06Z","timestamp":null},{"timestamp":"2024-06-30T07:08:06Z","timestamp":"x"}]}`,
		`{"data":[{"ſource":"API","ipAddressLocation":{},"IPADDRESSLOCATION":null,"data":1,"Data":[2]}]}`,
		`{"data":[1],"Data":null}`, `{"data":[{"eventId":"a"}],"dAtA":[{"eventId":"b"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		wantCursor, want, wantErr := oracleEvents(body)
		got, err := decodeMonitorPage(bytes.Clone(body), nil)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decodeMonitorPage(%q) error = %v; encoding/json error = %v", body, err, wantErr)
		}
		if err != nil {
			return
		}
		if got.endCursor != wantCursor {
			t.Fatalf("endCursor = %q, encoding/json says %q", got.endCursor, wantCursor)
		}
		if len(got.events) != len(want) {
			t.Fatalf("%d events, encoding/json says %d", len(got.events), len(want))
		}
		for i := range want {
			if !eventsEqual(got.events[i], want[i]) {
				t.Fatalf("event %d:\n got %+v\nwant %+v", i, got.events[i], want[i])
			}
		}
	})
}

// BenchmarkMonitorDecode measures the Monitor page decoder on a realistic
// 2000-event page: every event decoded into Event with Raw kept, as the pager
// does it (fresh page-owned buffer and event slice per page).
func BenchmarkMonitorDecode(b *testing.B) {
	page := testMonitorPage(0, 2000, "aa_638553500560000000_638553500560000000_0")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		body := bytes.Clone(page) // the pager reads each page into its own buffer
		p, err := decodeMonitorPage(body, make([]Event, 0, 2000))
		if err != nil || len(p.events) != 2000 {
			b.Fatal(err, len(p.events))
		}
	}
	events := float64(b.N) * 2000
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMonitorDecodeEncodingJSON is the baseline the fast decoder is
// measured against: encoding/json into a struct, keeping each event's raw JSON.
func BenchmarkMonitorDecodeEncodingJSON(b *testing.B) {
	page := testMonitorPage(0, 2000, "c")
	type ev struct {
		Timestamp      time.Time       `json:"timestamp"`
		EventID        string          `json:"eventId"`
		Site           string          `json:"site"`
		AccountID      string          `json:"accountId"`
		OrganizationID string          `json:"organizationId"`
		UserID         string          `json:"userId"`
		IntegratorKey  string          `json:"integratorKey"`
		UserAgent      string          `json:"userAgent"`
		IPAddress      string          `json:"ipAddress"`
		Object         string          `json:"object"`
		Action         string          `json:"action"`
		Result         string          `json:"result"`
		Source         string          `json:"source"`
		Data           json.RawMessage `json:"data"`
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var p struct {
			EndCursor string            `json:"endCursor"`
			Data      []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(page, &p); err != nil {
			b.Fatal(err)
		}
		evs := make([]ev, len(p.Data))
		for i, raw := range p.Data {
			if err := json.Unmarshal(raw, &evs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

func TestEventMarshalWithEncoderKeepsRawByteForByte(t *testing.T) {
	in := []byte(`{"eventId":"e1","userAgent":"a <b> & c","data":{"k":1}}`)
	var e Event
	if err := json.Unmarshal(in, &e); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, in) {
		t.Errorf("got  %s\nwant %s", got, in)
	}
}

// lenientString is the oracle's model of a string field of Event: a JSON
// string, or the exact text of a number or boolean; null, objects and arrays
// leave it unchanged.
type lenientString string

func (l *lenientString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = lenientString(s)
	case len(b) > 0 && (b[0] == 't' || b[0] == 'f' || b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*l = lenientString(b)
	}
	return nil
}

func TestEventStringFieldsTakeNumbersAndBooleansAsTheirText(t *testing.T) {
	body := []byte(`{"endCursor":"c","data":[{"eventId":"e","accountId":12345,"site":1.0,"result":true,"userId":"u","userId":null,"object":{"a":1}}]}`)
	p, err := decodeMonitorPage(body, nil)
	if err != nil || len(p.events) != 1 {
		t.Fatal(err, len(p.events))
	}
	e := p.events[0]
	if e.AccountID != "12345" || e.Site != "1.0" || e.Result != "true" || e.UserID != "u" || e.Object != "" {
		t.Errorf("got accountId %q site %q result %q userId %q object %q", e.AccountID, e.Site, e.Result, e.UserID, e.Object)
	}
}
