package jsonx_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dsgo/docusign/jsonx"
	"github.com/google/uuid"
)

// plainDoc is doc and tab without Extra or methods: what encoding/json
// decodes on its own.
type plainDoc struct {
	Name *string    `json:"name,omitempty"`
	Tabs []plainTab `json:"tabs,omitempty"`
	Main *plainTab  `json:"main,omitempty"`
}

type plainTab struct {
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
}

// FuzzUnmarshalAgreesWithEncodingJSON: jsonx never panics; on input that
// encoding/json decodes without error, jsonx decodes the same values; on
// input that is not JSON, both fail; and what jsonx decodes survives a
// Marshal/Unmarshal round trip.
func FuzzUnmarshalAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"n","tabs":[{"routingOrder":"1","required":true,"height":3,"scale":1.5,"names":["a"],"labels":{"k":"v"},"any":[1,"x",null],"kind":"k","count":7}],"main":{"created":"2024-05-01T10:00:00Z","id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}}`,
		`{"NAME":"x","Tabs":[{"ROUTINGORDER":"2"}],"main":null}`, `{"tabs":[]}`, `{"tabs":null,"x":{"y":[]}}`,
		`{"name":"\u00e9\ud83d\ude00\n"}`, `{"tabs":[{"height":"x"}]}`, `{"main":{"count":1e3}}`, `[`, `{"a":}`, `nul`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got doc
		err := jsonx.Unmarshal(data, &got)
		var want plainDoc
		wantErr := json.Unmarshal(data, &want)
		if !json.Valid(data) {
			if err == nil {
				t.Fatalf("jsonx accepted invalid JSON %q", data)
			}
			return
		}
		if wantErr == nil {
			if err != nil {
				t.Fatalf("jsonx: %v on %q, which encoding/json decodes", err, data)
			}
			if g := toPlain(got); !reflect.DeepEqual(g, want) {
				t.Fatalf("on %q\njsonx:         %+v\nencoding/json: %+v", data, g, want)
			}
		}
		if err != nil {
			return
		}
		out, err := json.Marshal(got)
		if err != nil {
			return // a value encoding/json cannot write either (a huge float)
		}
		var again doc
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if out2, _ := json.Marshal(again); string(out2) != string(out) {
			t.Fatalf("round trip changed:\n%s\n%s", out, out2)
		}
	})
}

func toPlain(d doc) plainDoc {
	var p plainDoc
	convert(reflect.ValueOf(&p).Elem(), reflect.ValueOf(d))
	return p
}

// convert copies src into dst field by field (by name), for types that
// differ only in their Extra field.
func convert(dst, src reflect.Value) {
	if dst.Type() == src.Type() {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
			convert(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
			for i := range src.Len() {
				convert(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Struct:
		for i := range dst.NumField() {
			convert(dst.Field(i), src.FieldByName(dst.Type().Field(i).Name))
		}
	}
}
