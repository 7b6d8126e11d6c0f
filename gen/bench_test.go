package gen_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dsgo/docusign/gen/esignature/models"
	"github.com/dsgo/docusign/jsonx"
)

// plainType returns a copy of a model type built with reflect.StructOf,
// without the Extra field and without methods: what plain encoding/json
// decodes into, the models as they were before jsonx. It is the baseline
// the budget in BENCHMARKS.md is measured against, in the same run.
func plainType(t reflect.Type, seen map[reflect.Type]reflect.Type) reflect.Type {
	if p, ok := seen[t]; ok {
		if p == nil {
			// reflect.StructOf cannot build a recursive type; the
			// benchmark documents hold no such member (Folder.folders).
			return reflect.TypeFor[json.RawMessage]()
		}
		return p
	}
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.PointerTo(plainType(t.Elem(), seen))
	case reflect.Slice:
		return reflect.SliceOf(plainType(t.Elem(), seen))
	case reflect.Map:
		return reflect.MapOf(t.Key(), plainType(t.Elem(), seen))
	case reflect.Struct:
		if t.PkgPath() == "" || !hasExtraField(t) {
			return t
		}
	default:
		return t
	}
	seen[t] = nil
	var fields []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[jsonx.Extra]() {
			continue
		}
		f.Type = plainType(f.Type, seen)
		f.Index, f.Offset = nil, 0
		fields = append(fields, f)
	}
	p := reflect.StructOf(fields)
	seen[t] = p
	return p
}

func hasExtraField(t reflect.Type) bool {
	_, ok := t.FieldByName("Extra")
	return ok
}

func readCorpus(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "corpus", filepath.FromSlash(name)))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// realisticEnvelope is an envelope GET (recorded, 2025) with the recorded
// recipients-with-tabs response (2013) spliced in as its recipients, its
// one signer repeated three times. Its one number in a string field
// (scaleValue 1.0) is written as a string, since plain encoding/json, the
// baseline, refuses it.
func realisticEnvelope(b *testing.B) []byte {
	var env map[string]any
	if err := json.Unmarshal(readCorpus(b, "docusign_elixir/envelope_status_200.json"), &env); err != nil {
		b.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(readCorpus(b, "docusign_rest/get_envelope_recipients-1-response.json"), &rec); err != nil {
		b.Fatal(err)
	}
	s := rec["signers"].([]any)
	for _, tab := range s[0].(map[string]any)["tabs"].(map[string]any)["signHereTabs"].([]any) {
		tab.(map[string]any)["scaleValue"] = "1.0"
	}
	rec["signers"] = []any{s[0], s[0], s[0]}
	env["recipients"] = rec
	out, err := json.Marshal(env)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func benchDecode(b *testing.B, data []byte, model reflect.Type) {
	plain := plainType(model, map[reflect.Type]reflect.Type{})
	for _, c := range []struct {
		name string
		typ  reflect.Type
	}{{"encoding-json-plain-models", plain}, {"jsonx-models", model}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				v := reflect.New(c.typ).Interface()
				if err := json.Unmarshal(data, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeEnvelope decodes a realistic envelope (recipients and
// tabs) with json.Unmarshal into models.Envelope, and into the same type
// without jsonx (the budget: jsonx at most 1.5x the time and allocations).
func BenchmarkDecodeEnvelope(b *testing.B) {
	benchDecode(b, realisticEnvelope(b), reflect.TypeFor[models.Envelope]())
}

// BenchmarkDecodeEnvelopeDefinition does the same for a published
// envelope definition with documents, custom fields and several tab kinds.
func BenchmarkDecodeEnvelopeDefinition(b *testing.B) {
	benchDecode(b, readCorpus(b, "code-examples-bash/eg016SetTabValues.json"), reflect.TypeFor[models.EnvelopeDefinition]())
}

// BenchmarkEncodeEnvelope encodes the decoded envelope with json.Marshal.
func BenchmarkEncodeEnvelope(b *testing.B) {
	data := realisticEnvelope(b)
	model := reflect.TypeFor[models.Envelope]()
	plain := plainType(model, map[reflect.Type]reflect.Type{})
	for _, c := range []struct {
		name string
		typ  reflect.Type
	}{{"encoding-json-plain-models", plain}, {"jsonx-models", model}} {
		v := reflect.New(c.typ).Interface()
		if err := json.Unmarshal(data, v); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeRatio alternates plain encoding/json and jsonx on the
// same documents within one loop and reports the time ratio (jsonx/plain),
// which holds up on a machine shared with other work better than two
// separate figures do. The budget is 1.5.
func BenchmarkDecodeRatio(b *testing.B) {
	for _, c := range []struct {
		name  string
		data  []byte
		model reflect.Type
	}{
		{"Envelope", realisticEnvelope(b), reflect.TypeFor[models.Envelope]()},
		{"EnvelopeDefinition", readCorpus(b, "code-examples-bash/eg016SetTabValues.json"), reflect.TypeFor[models.EnvelopeDefinition]()},
	} {
		plain := plainType(c.model, map[reflect.Type]reflect.Type{})
		b.Run(c.name, func(b *testing.B) {
			var tPlain, tJSONX time.Duration
			decode := func(t reflect.Type) time.Duration {
				start := time.Now()
				if err := json.Unmarshal(c.data, reflect.New(t).Interface()); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			for b.Loop() {
				tPlain += decode(plain)
				tJSONX += decode(c.model)
			}
			b.ReportMetric(float64(tJSONX)/float64(tPlain), "jsonx/plain")
			b.ReportMetric(0, "ns/op")
		})
	}
}
