package emit

import (
	"go/format"
	"strings"
	"testing"
)

const src = `package p

import (
	"net/http"
)

type Model struct {
	Name *string ` + "`json:\"name,omitempty\"`" + `
}

type ListParams struct {
	Count *string ` + "`form:\"count,omitempty\" json:\"count,omitempty\"`" + `
}

type ListResponse struct {
	Body         []byte
	HTTPResponse *http.Response
	JSON200      *Model
}

type Alias = Model

type Plain struct{ n int }

type Own struct {
	A string ` + "`json:\"a\"`" + `
}

func (o Own) MarshalJSON() ([]byte, error) { return nil, nil }

type UploadMultipartBody struct {
	File string ` + "`json:\"file\"`" + `
}
`

func TestLenientGivesOnlyModelsExtraAndMethods(t *testing.T) {
	out, err := Lenient([]byte(src), "example.com/jsonx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := format.Source(out); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		`"example.com/jsonx"`,
		"Extra jsonx.Extra `json:\"-\"`",
		"func (v *Model) UnmarshalJSON(b []byte) error { return jsonx.Unmarshal(b, v) }",
		"func (v Model) MarshalJSON() ([]byte, error) { return jsonx.Marshal(&v) }",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if n := strings.Count(s, "jsonx.Extra"); n != 1 {
		t.Errorf("%d Extra fields, want 1 (only Model):\n%s", n, s)
	}
	for _, not := range []string{"ListParams) U", "ListResponse) U", "Alias) U", "Plain) U", "Own) U", "UploadMultipartBody) U"} {
		if strings.Contains(s, not) {
			t.Errorf("output has %s", not)
		}
	}
}

func TestLenientRefusesAModelWithAnExtraField(t *testing.T) {
	in := strings.Replace(src, "Name *string", "Extra *string", 1)
	if _, err := Lenient([]byte(in), "example.com/jsonx"); err == nil || !strings.Contains(err.Error(), "Model") {
		t.Fatalf("error = %v, want one naming the model", err)
	}
}

func TestLenientLeavesSourceWithoutModelsAlone(t *testing.T) {
	in := "package p\n\ntype P struct{ n int }\n"
	out, err := Lenient([]byte(in), "example.com/jsonx")
	if err != nil || string(out) != in {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestLenientRefusesAModelThatEmbeds(t *testing.T) {
	in := strings.Replace(src, "Name *string", "Plain\n\tName *string", 1)
	if _, err := Lenient([]byte(in), "example.com/jsonx"); err == nil || !strings.Contains(err.Error(), "embeds") {
		t.Fatalf("error = %v, want one about embedding", err)
	}
}
