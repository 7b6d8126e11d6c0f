package jsonx_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/jsonx"
	"github.com/google/uuid"
)

// tab and doc mirror what the generator emits for a model.
type tab struct {
	RoutingOrder *string           `json:"routingOrder,omitempty"`
	Required     *bool             `json:"required,omitempty"`
	Height       *int32            `json:"height,omitempty"`
	Scale        *float64          `json:"scale,omitempty"`
	Created      *time.Time        `json:"created,omitempty"`
	ID           *uuid.UUID        `json:"id,omitempty"`
	Names        []string          `json:"names,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Any          interface{}       `json:"any,omitempty"`
	Kind         *kindEnum         `json:"kind,omitempty"`
	Count        int64             `json:"count"`
	Extra        jsonx.Extra       `json:"-"`
}

type kindEnum string

func (v *tab) UnmarshalJSON(b []byte) error { return jsonx.Unmarshal(b, v) }
func (v tab) MarshalJSON() ([]byte, error)  { return jsonx.Marshal(&v) }

type doc struct {
	Name  *string     `json:"name,omitempty"`
	Tabs  []tab       `json:"tabs,omitempty"`
	Main  *tab        `json:"main,omitempty"`
	Extra jsonx.Extra `json:"-"`
}

func (v *doc) UnmarshalJSON(b []byte) error { return jsonx.Unmarshal(b, v) }
func (v doc) MarshalJSON() ([]byte, error)  { return jsonx.Marshal(&v) }

func decodeTab(t *testing.T, in string) tab {
	t.Helper()
	var v tab
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatalf("Unmarshal(%s): %v", in, err)
	}
	return v
}

func TestStringFieldKeepsTheTextOfAnyScalar(t *testing.T) {
	for in, want := range map[string]string{
		`"2"`: "2", `1`: "1", `1.0`: "1.0", `-3e5`: "-3e5", `true`: "true", `false`: "false", `"a\u00e9\n"`: "a\u00e9\n",
	} {
		v := decodeTab(t, `{"routingOrder":`+in+`}`)
		if v.RoutingOrder == nil || *v.RoutingOrder != want {
			t.Errorf("routingOrder %s: got %v, want %q", in, v.RoutingOrder, want)
		}
	}
}

func TestEnumFieldTakesANumber(t *testing.T) {
	v := decodeTab(t, `{"kind":7}`)
	if v.Kind == nil || *v.Kind != "7" {
		t.Fatalf("kind: got %v", v.Kind)
	}
}

func TestBoolFieldTakesTheFormsDocuSignSends(t *testing.T) {
	for in, want := range map[string]bool{
		`true`: true, `false`: false, `"true"`: true, `"True"`: true, `"FALSE"`: false, `"1"`: true, `"0"`: false, `1`: true, `0`: false,
	} {
		v := decodeTab(t, `{"required":`+in+`}`)
		if v.Required == nil || *v.Required != want {
			t.Errorf("required %s: got %v, want %v", in, v.Required, want)
		}
	}
}

func TestNumberFieldsTakeStringsAndIntegralFloats(t *testing.T) {
	for in, want := range map[string]int32{`20`: 20, `"20"`: 20, `" 20 "`: 20, `20.0`: 20, `2e1`: 20, `-1`: -1} {
		v := decodeTab(t, `{"height":`+in+`}`)
		if v.Height == nil || *v.Height != want {
			t.Errorf("height %s: got %v, want %d", in, v.Height, want)
		}
	}
	for in, want := range map[string]float64{`1.5`: 1.5, `"1.5"`: 1.5, `"1"`: 1} {
		v := decodeTab(t, `{"scale":`+in+`}`)
		if v.Scale == nil || *v.Scale != want {
			t.Errorf("scale %s: got %v, want %v", in, v.Scale, want)
		}
	}
	if v := decodeTab(t, `{"count":"12"}`); v.Count != 12 {
		t.Errorf("count: got %d", v.Count)
	}
}

func TestDateTimeTakesZonelessTimesAsUTC(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"2024-05-01T10:00:00Z"`:          time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		`"2024-05-01T10:00:00"`:           time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		`"2024-05-01T10:00:00.1234567"`:   time.Date(2024, 5, 1, 10, 0, 0, 123456700, time.UTC),
		`"2024-05-01T12:00:00.5+02:00"`:   time.Date(2024, 5, 1, 10, 0, 0, 500000000, time.UTC),
		`"2024-05-01T10:00:00.000+00:00"`: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		`"2024-05-01T12:00:00+0200"`:      time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		`"2024-05-01 10:00:00"`:           time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		`"2024-05-01 10:00:00Z"`:          time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
	} {
		v := decodeTab(t, `{"created":`+in+`}`)
		if v.Created == nil || !v.Created.Equal(want) {
			t.Errorf("created %s: got %v, want %v", in, v.Created, want)
		}
	}
}

// A value that cannot be represented in its field is kept verbatim in
// Extra, the field is left unset, and Marshal writes the value back.
func TestValueThatDoesNotFitIsKeptNotChanged(t *testing.T) {
	for _, in := range []string{
		`{"height":"abc"}`, `{"height":""}`, `{"height":1.5}`, `{"height":99999999999}`,
		`{"required":"yes"}`, `{"required":2}`, `{"routingOrder":{"a":1}}`, `{"routingOrder":[1]}`,
		`{"created":"yesterday"}`, `{"created":5}`, `{"id":"not-a-uuid"}`, `{"names":"one"}`,
		`{"names":["a",{"b":1}]}`, `{"labels":{"a":[]}}`, `{"count":true}`,
	} {
		var v tab
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
			continue
		}
		var zero tab
		zero.Extra = v.Extra
		if !reflect.DeepEqual(v, zero) {
			t.Errorf("Unmarshal(%s) set a field: %+v", in, v)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(in, `{`, `{"count":0,`, 1)
		if in == `{"count":true}` {
			want = in // the field holds its zero value, so the kept member is written
		}
		if string(out) != want {
			t.Errorf("round trip of %s: got %s, want %s", in, out, want)
		}
	}
}

func TestUnknownMembersRoundTrip(t *testing.T) {
	in := `{"name":"n","uSigState":"x","tabs":[{"routingOrder":"1","count":0,"newTab":{"a":[1,2.50,"\u00e9"]}}],"Main":{"count":3},"burnDefaultTabData":true,"num":1.50}`
	var d doc
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.Main == nil || d.Main.Count != 3 {
		t.Fatalf("case-insensitive member name not matched: %+v", d.Main)
	}
	if v, ok := d.Extra.Get("uSigState"); !ok || string(v) != `"x"` {
		t.Errorf("Extra.Get(uSigState) = %s, %v", v, ok)
	}
	if d.Extra.Len() != 3 {
		t.Errorf("Extra.Len() = %d, want 3", d.Extra.Len())
	}
	if v, _ := d.Tabs[0].Extra.Get("newTab"); string(v) != `{"a":[1,2.50,"\u00e9"]}` {
		t.Errorf("nested unknown member = %s", v)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"n","tabs":[{"routingOrder":"1","count":0,"newTab":{"a":[1,2.50,"\u00e9"]}}],"main":{"count":3},"uSigState":"x","burnDefaultTabData":true,"num":1.50}`
	if string(out) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", out, want)
	}
	// GET -> modify -> PUT
	name := "changed"
	d.Name = &name
	out, _ = json.Marshal(&d)
	if !strings.Contains(string(out), `"name":"changed"`) || !strings.Contains(string(out), `"uSigState":"x"`) {
		t.Errorf("modified: %s", out)
	}
}

func TestExtraSetDeleteAndFieldWins(t *testing.T) {
	var v tab
	if err := v.Extra.Set("newMember", json.RawMessage(`[1, 2]`)); err != nil {
		t.Fatal(err)
	}
	if err := v.Extra.Set("bad", json.RawMessage(`{`)); err == nil {
		t.Error("Set accepted invalid JSON")
	}
	if err := v.Extra.Set("height", json.RawMessage(`"x"`)); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"count":0,"newMember":[1,2],"height":"x"}` {
		t.Errorf("got %s", out)
	}
	h := int32(4)
	v.Height = &h
	out, _ = json.Marshal(v)
	if string(out) != `{"height":4,"count":0,"newMember":[1,2]}` {
		t.Errorf("field should win over Extra: got %s", out)
	}
	v.Extra.Delete("newMember")
	v.Extra.Delete("height")
	if v.Extra.Len() != 0 {
		t.Errorf("Delete left %d members", v.Extra.Len())
	}
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	s, b, h, f := "a<b>&\u2028\x01\"\\\t", true, int32(-5), 1e-7
	ts := time.Date(2024, 5, 1, 10, 0, 0, 123, time.UTC)
	id := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	k := kindEnum("x")
	v := tab{RoutingOrder: &s, Required: &b, Height: &h, Scale: &f, Created: &ts, ID: &id,
		Names: []string{"x", ""}, Labels: map[string]string{"b": "2", "a": "1"}, Any: map[string]any{"z": 1.0, "a": []any{"q"}}, Kind: &k, Count: 9}
	type plain tab
	want, err := json.Marshal(plain(v))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	direct, _ := v.MarshalJSON()
	if string(direct) != string(want) {
		t.Errorf("MarshalJSON: got %s\nwant %s", direct, want)
	}
	var back tab
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain(back), plain(v)) {
		t.Errorf("round trip: %+v", back)
	}
}

func TestNullsAndEmptyContainers(t *testing.T) {
	v := decodeTab(t, `{"routingOrder":null,"names":[],"labels":{},"any":null,"count":null}`)
	if v.RoutingOrder != nil || v.Names == nil || len(v.Names) != 0 || v.Labels == nil || v.Any != nil {
		t.Errorf("got %+v", v)
	}
}

func TestMalformedInputIsAnError(t *testing.T) {
	for _, in := range []string{`{"height":}`, `{"a" 1}`, `{"a":1,}`, `{"a":tru}`, `{"a":"\x01"}`, `{"a":"\q"}`, `[1]`, `"s"`, `{} x`, `{"a":01}`} {
		var v tab
		if err := jsonx.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("Unmarshal(%q) succeeded", in)
		}
	}
}

func TestDecodingAgainResetsExtra(t *testing.T) {
	var v tab
	_ = json.Unmarshal([]byte(`{"a":1}`), &v)
	_ = json.Unmarshal([]byte(`{"b":2}`), &v)
	if _, ok := v.Extra.Get("a"); ok || v.Extra.Len() != 1 {
		t.Errorf("Extra after second decode: %d members", v.Extra.Len())
	}
}

func TestEscapedAndNonASCIINames(t *testing.T) {
	var v tab
	if err := json.Unmarshal([]byte(`{"rout\u0069ngOrder":"1","\u00e9t\u00e9":2,"HEIGHT":3}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.RoutingOrder == nil || *v.RoutingOrder != "1" || v.Height == nil || *v.Height != 3 {
		t.Errorf("got %+v", v)
	}
	if x, ok := v.Extra.Get("été"); !ok || string(x) != "2" {
		t.Errorf("escaped unknown name: %s %v", x, ok)
	}
}

type embedding struct {
	tab
	Extra jsonx.Extra `json:"-"`
}

func TestModelThatEmbedsIsRefused(t *testing.T) {
	var v embedding
	if err := jsonx.Unmarshal([]byte(`{"count":1}`), &v); err == nil || !strings.Contains(err.Error(), "embeds") {
		t.Errorf("Unmarshal: %v", err)
	}
	if _, err := jsonx.Marshal(&v); err == nil {
		t.Error("Marshal accepted a model that embeds")
	}
}

// byName holds models as map values, which reflect cannot address.
type byName struct {
	Docs  map[string]doc `json:"docs,omitempty"`
	Extra jsonx.Extra    `json:"-"`
}

func (v *byName) UnmarshalJSON(b []byte) error { return jsonx.Unmarshal(b, v) }
func (v byName) MarshalJSON() ([]byte, error)  { return jsonx.Marshal(&v) }

func TestAModelHeldAsAMapValueKeepsItsUnknownMembers(t *testing.T) {
	in := `{"docs":{"a":{"name":"x","pages":3},"b":{}},"top":true}`
	var v byName
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("got  %s\nwant %s", out, in)
	}
}
