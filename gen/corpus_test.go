package gen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/accountmodels"
	"github.com/dsgo/docusign/gen/esignature/models"
	"github.com/dsgo/docusign/jsonx"
)

// corpusTypes are the models the corpus files are decoded into, by the
// name a SOURCES.md gives.
var corpusTypes = map[string]func() any{
	"accountmodels.Brand":                   func() any { return new(accountmodels.Brand) },
	"accountmodels.BulkSendingList":         func() any { return new(accountmodels.BulkSendingList) },
	"models.CustomFields":                   func() any { return new(models.CustomFields) },
	"models.Envelope":                       func() any { return new(models.Envelope) },
	"models.EnvelopeDefinition":             func() any { return new(models.EnvelopeDefinition) },
	"models.EnvelopeSummary":                func() any { return new(models.EnvelopeSummary) },
	"accountmodels.EnvelopeTemplate":        func() any { return new(accountmodels.EnvelopeTemplate) },
	"models.ErrorDetails":                   func() any { return new(models.ErrorDetails) },
	"accountmodels.GroupInformation":        func() any { return new(accountmodels.GroupInformation) },
	"accountmodels.NewUsersDefinition":      func() any { return new(accountmodels.NewUsersDefinition) },
	"accountmodels.NewUsersSummary":         func() any { return new(accountmodels.NewUsersSummary) },
	"accountmodels.PermissionProfile":       func() any { return new(accountmodels.PermissionProfile) },
	"models.RecipientViewRequest":           func() any { return new(models.RecipientViewRequest) },
	"models.Recipients":                     func() any { return new(models.Recipients) },
	"accountmodels.ReturnURLRequest":        func() any { return new(accountmodels.ReturnURLRequest) },
	"accountmodels.SigningGroupInformation": func() any { return new(accountmodels.SigningGroupInformation) },
	"models.Tabs":                           func() any { return new(models.Tabs) },
	"accountmodels.TemplateSummary":         func() any { return new(accountmodels.TemplateSummary) },
	"accountmodels.UserInformation":         func() any { return new(accountmodels.UserInformation) },
	"accountmodels.UserInformationList":     func() any { return new(accountmodels.UserInformationList) },
	"admin.AssetGroupAccountClone":          func() any { return new(admin.AssetGroupAccountClone) },
	"admin.NewMultiProductUserAddRequest":   func() any { return new(admin.NewMultiProductUserAddRequest) },
	"admin.OrganizationExportRequest":       func() any { return new(admin.OrganizationExportRequest) },
	"admin.SubAccountCreateRequest":         func() any { return new(admin.SubAccountCreateRequest) },
}

// corpusSource is one corpus directory's SOURCES.md: where its files come
// from, under which licence, and the model each is decoded into.
type corpusSource struct {
	Dir        string
	Repository string
	Licence    string
	Files      []corpusFile
}

type corpusFile struct {
	File, Path, Commit, Type string
}

// readCorpusSources parses testdata/corpus/*/SOURCES.md: the "- repository:"
// and "- licence:" lines, and the rows of the table of files.
func readCorpusSources(t *testing.T) []corpusSource {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*", "SOURCES.md"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var out []corpusSource
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := corpusSource{Dir: filepath.Dir(p)}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "- repository: "); ok {
				s.Repository = v
			} else if v, ok := strings.CutPrefix(line, "- licence: "); ok {
				s.Licence = v
			} else if cells := strings.Split(strings.Trim(line, "| "), " | "); strings.HasPrefix(line, "| ") && len(cells) == 4 &&
				cells[0] != "file" {
				s.Files = append(s.Files, corpusFile{cells[0], cells[1], cells[2], cells[3]})
			}
		}
		out = append(out, s)
	}
	return out
}

// TestCorpusRoundTrip decodes every published DocuSign JSON document of
// testdata/corpus into its model with json.Unmarshal, encodes it again
// with json.Marshal, and checks that no member is lost and no value
// changed (a number or boolean may come back as the same text in a string,
// and the other way round; a date-time as the same instant).
func TestCorpusRoundTrip(t *testing.T) {
	n := 0
	for _, s := range readCorpusSources(t) {
		dir, src := s.Dir, filepath.Join(s.Dir, "SOURCES.md")
		if s.Repository == "" || s.Licence == "" || len(s.Files) == 0 {
			t.Errorf("%s: repository, licence and the table of files are required", src)
		}
		if _, err := os.Stat(filepath.Join(dir, "LICENSE")); err != nil {
			t.Errorf("%s: no LICENSE beside the files", dir)
		}
		listed := map[string]bool{"SOURCES.md": true, "LICENSE": true}
		for _, f := range s.Files {
			listed[f.File] = true
			if f.Path == "" || len(f.Commit) != 40 {
				t.Errorf("%s: %s needs its upstream path and commit", src, f.File)
			}
			newValue, ok := corpusTypes[f.Type]
			if !ok {
				t.Errorf("%s: %s: unknown type %q", src, f.File, f.Type)
				continue
			}
			t.Run(filepath.Base(dir)+"/"+f.File, func(t *testing.T) {
				in, err := os.ReadFile(filepath.Join(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				v := newValue()
				if err := json.Unmarshal(in, v); err != nil {
					t.Fatalf("decoding into %s: %v", f.Type, err)
				}
				out, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("encoding %s: %v", f.Type, err)
				}
				if diff := sameJSON(in, out); diff != "" {
					t.Errorf("round trip through %s changed the document: %s\nout: %s", f.Type, diff, out)
				}
				// Encoding again what was decoded from the output changes nothing.
				v2 := newValue()
				if err := json.Unmarshal(out, v2); err != nil {
					t.Fatal(err)
				}
				if out2, _ := json.Marshal(v2); !bytes.Equal(out, out2) {
					t.Errorf("second round trip differs:\n%s\n%s", out, out2)
				}
			})
			n++
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !listed[e.Name()] {
				t.Errorf("%s: %s is not listed in SOURCES.md", dir, e.Name())
			}
		}
	}
	t.Logf("%d published documents", n)
}

// TestCorpusWithScalarsRetyped swaps the JSON type of every scalar of every
// corpus document (a string holding a number becomes that number, a
// number becomes a string of its text, booleans and "true"/"false" swap
// likewise) and checks that each document still decodes into its model and
// round-trips with no member lost and no value changed: decoding never
// fails on a scalar-type disagreement.
func TestCorpusWithScalarsRetyped(t *testing.T) {
	swapped = 0
	for _, s := range readCorpusSources(t) {
		for _, f := range s.Files {
			newValue, ok := corpusTypes[f.Type]
			if !ok {
				continue
			}
			in, err := os.ReadFile(filepath.Join(s.Dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(in))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			retyped, err := json.Marshal(retype(doc))
			if err != nil {
				t.Fatal(err)
			}
			v := newValue()
			if err := json.Unmarshal(retyped, v); err != nil {
				t.Errorf("%s: decoding the retyped document into %s: %v", f.File, f.Type, err)
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := sameJSON(retyped, out); diff != "" {
				t.Errorf("%s: retyped round trip through %s: %s", f.File, f.Type, diff)
			}
		}
	}
	if swapped < 400 {
		t.Errorf("only %d scalars swapped type", swapped)
	}
	t.Logf("%d scalars swapped type", swapped)
}

var swapped int // scalars retype changed

func retype(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = retype(x)
		}
	case []any:
		for i, x := range v {
			v[i] = retype(x)
		}
	case json.Number:
		swapped++
		return string(v)
	case bool:
		swapped++
		return fmt.Sprint(v)
	case string:
		switch {
		case v == "true" || v == "false":
			swapped++
			return v == "true"
		case v != "" && (v[0] == '-' || '0' <= v[0] && v[0] <= '9') && json.Valid([]byte(v)):
			swapped++
			return json.Number(v)
		}
	}
	return v
}

// sameJSON describes the first difference between two JSON documents, or
// returns "".
func sameJSON(a, b []byte) string {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if err := da.Decode(&x); err != nil {
		return err.Error()
	}
	if err := db.Decode(&y); err != nil {
		return err.Error()
	}
	return sameValue("$", x, y)
}

func sameValue(path string, x, y any) string {
	switch x := x.(type) {
	case map[string]any:
		m, ok := y.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object became %v", path, y)
		}
		for k, xv := range x {
			yv, ok := m[k]
			if !ok {
				// Member names match case-insensitively, as in
				// encoding/json; the model writes its own spelling.
				for mk, mv := range m {
					if _, exact := x[mk]; !exact && strings.EqualFold(mk, k) {
						yv, ok = mv, true
					}
				}
			}
			if !ok {
				return fmt.Sprintf("%s.%s: member lost", path, k)
			}
			if d := sameValue(path+"."+k, xv, yv); d != "" {
				return d
			}
		}
		if len(m) != len(x) {
			return fmt.Sprintf("%s: %d members became %d", path, len(x), len(m))
		}
		return ""
	case []any:
		a, ok := y.([]any)
		if !ok || len(a) != len(x) {
			return fmt.Sprintf("%s: array became %v", path, y)
		}
		for i := range x {
			if d := sameValue(fmt.Sprintf("%s[%d]", path, i), x[i], a[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if sameScalar(x, y) {
		return ""
	}
	return fmt.Sprintf("%s: %#v became %#v", path, x, y)
}

// sameScalar accepts exactly the conversions the models document.
func sameScalar(x, y any) bool {
	if x == nil || y == nil {
		return x == y
	}
	tx, ty := fmt.Sprint(x), fmt.Sprint(y)
	if tx == ty {
		return true
	}
	if bx, ok := truth(x); ok {
		if by, ok := truth(y); ok {
			return bx == by
		}
	}
	fx, okx := new(big.Float).SetString(strings.TrimSpace(tx))
	fy, oky := new(big.Float).SetString(strings.TrimSpace(ty))
	if okx && oky {
		return fx.Cmp(fy) == 0
	}
	if t1, ok := jsonx.ParseTime(tx); ok {
		if t2, ok := jsonx.ParseTime(ty); ok {
			return t1.Equal(t2)
		}
	}
	return false
}

func truth(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
