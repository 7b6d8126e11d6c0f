package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dsgo/docusign/tools/internal/sdk"
	"github.com/dsgo/docusign/tools/internal/speclock"
	"github.com/dsgo/docusign/tools/internal/specstest"
)

var root = filepath.Join("..", "..", "..")

// specOperations lists the operations (METHOD path) of a spec file.
func specOperations(t *testing.T, file string) map[string]bool {
	t.Helper()
	b := specstest.File(t, root, file)
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for p, item := range d.Paths {
		for m := range item {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				ops[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	return ops
}

// sdkOperations lists the operations (METHOD path) of the SDK locked for
// a spec; nil when there is none.
func sdkOperations(t *testing.T, api string) map[string]bool {
	t.Helper()
	b, ok := specstest.SDK(t, root, api)
	if !ok {
		return nil
	}
	s, err := sdk.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, o := range s.Ops {
		ops[o.Key()] = true
	}
	return ops
}

// opFacts is the operation sentence of generated doc comments.
var opFacts = regexp.MustCompile(`operation \S+ \(([A-Z]+) (/\S*)\)\.`)

// generatedOperationKeys lists the operations (METHOD path) that the
// committed gen/ tree of one API documents on its ClientWithResponses
// methods.
func generatedOperationKeys(t *testing.T, api string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "gen", api), func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".gen.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Doc == nil || !strings.HasSuffix(fd.Name.Name, "WithResponse") {
				continue
			}
			if m := opFacts.FindStringSubmatch(fd.Doc.Text()); m != nil {
				keys[m[1]+" "+m[2]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// generatedOperationCount counts the operations of the committed gen/
// tree of one API: each operation has an XWithResponse method, or only
// XWithBodyWithResponse when its body has no JSON form (uploads), and
// multipart ones also XMultipartWithResponse.
func generatedOperationCount(t *testing.T, api string) int {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "gen", api), func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".gen.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv := star.X.(*ast.Ident).Name
			name := fd.Name.Name
			if base, ok := strings.CutSuffix(name, "WithResponse"); ok && recv == "ClientWithResponses" {
				ops[filepath.Dir(p)+"."+strings.TrimSuffix(strings.TrimSuffix(base, "WithBody"), "Multipart")] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(ops)
}

func TestEveryOperationOfEachSpecIsGenerated(t *testing.T) {
	lock, err := speclock.Read(filepath.Join(root, "api", "specs.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range lock.Specs {
		want := specOperations(t, s.File)
		sdkOps := sdkOperations(t, s.Name)
		for k := range sdkOps {
			want[k] = true
		}
		if got := generatedOperationCount(t, s.Name); got != len(want) {
			t.Errorf("%s: gen/ has %d operations, the spec and SDK together %d", s.Name, got, len(want))
		}
		have := generatedOperationKeys(t, s.Name)
		for _, k := range slices.Sorted(maps.Keys(sdkOps)) {
			if !have[k] {
				t.Errorf("%s: the SDK's %s has no generated operation", s.Name, k)
			}
		}
		if s.Name == "esignature" && len(sdkOps) != 448 {
			t.Errorf("the eSignature SDK declares %d operations, want the 448 of docusign-esign 10.0.0", len(sdkOps))
		}
	}
}

func TestGenerationRefusesADamagedMirror(t *testing.T) {
	s, b := specstest.Load(t, root, "monitor")
	b[100] ^= 0x20
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, s.File), b, 0o644)
	_, err := Generate(context.Background(), Config{Root: root, Only: "monitor", Locator: &speclock.Locator{Dirs: []string{dir}}})
	var ce *speclock.ChecksumError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), s.SHA256) {
		t.Fatalf("want the checksum error naming the digests, got %v", err)
	}
}

func TestGenerationIsReproducible(t *testing.T) {
	loc := specstest.Locator(t, root)
	files, err := Generate(context.Background(), Config{Root: root, Only: "monitor", Locator: loc})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Generate(context.Background(), Config{Root: root, Only: "monitor", Locator: loc})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if string(again[name]) != string(b) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestTheCommittedTreeIsWhatGenerationProduces is the drift check of
// `make check` (dsgen -check) inside `go test`, for every generated
// package: eSignature, Admin and Monitor.
func TestTheCommittedTreeIsWhatGenerationProduces(t *testing.T) {
	files, err := Generate(context.Background(), Config{Root: root, Locator: specstest.Locator(t, root)})
	if err != nil {
		t.Fatal(err)
	}
	for api := range APIs {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(files)), func(name string) bool { return strings.HasPrefix(name, api+"/") }) {
			t.Errorf("generation produced nothing for %s", api)
		}
	}
	diff, err := Diff(filepath.Join(root, "gen"), files, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("gen/ is out of date: run `make generate` and commit the result\n%s", diff)
	}
}

func TestDiffReportsChangedMissingAndStaleFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "admin"), 0o755)
	os.WriteFile(filepath.Join(dir, "admin", "a.go"), []byte("one\ntwo\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "admin", "old.go"), []byte("x"), 0o644)
	diff, err := Diff(dir, map[string][]byte{"admin/a.go": []byte("one\nTWO\n"), "admin/new.go": nil}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gen/admin/a.go: differs", "line 2", "gen/admin/new.go: missing", "gen/admin/old.go: stale"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
}

func TestEveryGeneratedDeclarationIsDocumentedWithFactsOnly(t *testing.T) {
	missing, opMethods, linked := 0, 0, 0
	err := filepath.WalkDir(filepath.Join(root, "gen"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".gen.go") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, phrase := range []string{"Use this method", "This method returns", "Retrieves a list of", "Required scopes"} {
			if strings.Contains(string(src), phrase) {
				t.Errorf("%s: upstream prose %q", p, phrase)
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Doc == nil {
					missing++
					t.Errorf("%s: func %s has no doc comment", p, d.Name.Name)
					continue
				}
				if d.Recv != nil && strings.HasSuffix(d.Name.Name, "WithResponse") {
					opMethods++
					if strings.Contains(d.Doc.Text(), "Reference: https://developers.docusign.com/docs/") {
						linked++
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && d.Doc == nil && ts.Doc == nil {
						missing++
						t.Errorf("%s: type %s has no doc comment", p, ts.Name.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if opMethods == 0 || linked != opMethods {
		t.Errorf("%d of %d operation methods link to their reference page", linked, opMethods)
	}
}

func TestDiffCoversTheOperationIndex(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, OperationIndex), []byte("old\n"), 0o644)
	diff, err := Diff(dir, map[string][]byte{OperationIndex: []byte("new\n")}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff, "gen/"+OperationIndex+": differs") {
		t.Errorf("diff misses the changed index:\n%s", diff)
	}
	os.Remove(filepath.Join(dir, OperationIndex))
	if diff, _ := Diff(dir, map[string][]byte{OperationIndex: []byte("new\n")}, ""); !strings.Contains(diff, "gen/"+OperationIndex+": missing") {
		t.Errorf("diff misses the missing index:\n%s", diff)
	}
}

func TestTheIndexListsEveryOperationWithItsPackageAndPath(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "gen", OperationIndex))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| esignature/envelopedocuments | UpdateDocument | PUT | `/v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/{documentId}` | spec |",
		"| esignature/enveloperecipients | ListRecipients | GET |",
		"| esignature/envelopeshares | GetEnvelopesShares | GET | `/v2.1/accounts/{accountId}/envelopes/{envelopeId}/shares` | SDK docusign-esign 10.0.0 |",
		"| admin | AddBulkUserImport | POST | `/v2/organizations/{organizationId}/imports/bulk_users/add` | spec, multipart |",
		"| monitor | GetStream | GET |",
		"## eSignature (455 operations)", "## Admin (74 operations)", "## Monitor (1 operation)",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("gen/%s lacks %q", OperationIndex, want)
		}
	}
}
