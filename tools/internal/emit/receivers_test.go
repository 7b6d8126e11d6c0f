package emit

import (
	"go/format"
	"strings"
	"testing"
)

func TestPointerResponsesRewritesOnlyResponseReceivers(t *testing.T) {
	in := `package p

import "net/http"

type Model struct{ A string }

func (m Model) Name() string { return m.A }

type GetResponse struct {
	Body         []byte
	HTTPResponse *http.Response
}

func (r GetResponse) StatusCode() int { return r.HTTPResponse.StatusCode }

func (r *GetResponse) Already() int { return 0 }
`
	out, err := PointerResponses([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := format.Source(out); err != nil {
		t.Fatalf("output is not Go: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"func (r *GetResponse) StatusCode() int",
		"func (r *GetResponse) Already() int",
		"func (m Model) Name() string",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "**") {
		t.Errorf("double pointer in\n%s", got)
	}
}
