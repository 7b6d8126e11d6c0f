package gen_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/enveloperecipients"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
	"github.com/google/uuid"
)

// The recorded recipients response (scaleValue 1.0) plus numbers and a
// boolean in string fields and members the pinned spec does not list.
const lenientRecipients = `{"signers":[{"recipientId":1,"routingOrder":2,"requireIdLookup":true,"name":"jon",
 "tabs":{"signHereTabs":[{"scaleValue":1.0,"xPosition":95,"pageNumber":"1","documentId":1}],
  "futureTabs":[{"tabLabel":"Salary","numericalValue":"123000"}]},
 "deliveryMethod":"email","newMember2026":{"a":[1,2]}}],
 "recipientCount":"1","currentRoutingOrder":2}`

func TestListRecipientsWithResponseTakesNumbersInStringFields(t *testing.T) {
	base, _ := serve(t, "/restapi", 200, lenientRecipients)
	c, _ := enveloperecipients.NewClientWithResponses(base)
	resp, err := c.ListRecipientsWithResponse(context.Background(), "acc", "env", nil)
	if err != nil {
		t.Fatalf("ListRecipientsWithResponse: %v", err)
	}
	r := resp.JSON200
	if r == nil || len(r.Signers) != 1 {
		t.Fatalf("no typed result: %+v", r)
	}
	s := r.Signers[0]
	for name, got := range map[string]*string{
		"recipientId": s.RecipientID, "routingOrder": s.RoutingOrder, "requireIdLookup": s.RequireIDLookup,
		"scaleValue": s.Tabs.SignHereTabs[0].ScaleValue, "xPosition": s.Tabs.SignHereTabs[0].XPosition, "currentRoutingOrder": r.CurrentRoutingOrder,
	} {
		want := map[string]string{"recipientId": "1", "routingOrder": "2", "requireIdLookup": "true", "scaleValue": "1.0", "xPosition": "95", "currentRoutingOrder": "2"}[name]
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	if v, ok := s.Tabs.Extra.Get("futureTabs"); !ok || !strings.Contains(string(v), "123000") {
		t.Errorf("futureTabs not kept: %s", v)
	}
	if v, ok := s.Extra.Get("newMember2026"); !ok || string(v) != `{"a":[1,2]}` {
		t.Errorf("unknown signer member not kept: %s", v)
	}
}

// GET -> modify -> PUT: what the pinned spec does not model reaches the
// server unchanged in the request body of the generated client.
func TestRequestBodyKeepsUnknownMembers(t *testing.T) {
	var def models.EnvelopeDefinition
	if err := json.Unmarshal([]byte(`{"emailSubject":"s","recipients":`+lenientRecipients+`,"uSigState":"esign"}`), &def); err != nil {
		t.Fatal(err)
	}
	def.Status = ptr("sent")
	base, got := serve(t, "/restapi", 201, `{"envelopeId":"e","status":"sent","statusDateTime":"2025-08-31T22:01:23.9770000Z","burnDefaultTabData":false}`)
	c, _ := envelopes.NewClientWithResponses(base)
	resp, err := c.CreateEnvelopeWithResponse(context.Background(), "acc", nil, def)
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(got.body, &sent); err != nil {
		t.Fatal(err)
	}
	signer := sent["recipients"].(map[string]any)["signers"].([]any)[0].(map[string]any)
	if sent["uSigState"] != "esign" || sent["status"] != "sent" || signer["newMember2026"] == nil || signer["tabs"].(map[string]any)["futureTabs"] == nil {
		t.Errorf("request body lost members: %s", got.body)
	}
	if resp.JSON201 == nil || resp.JSON201.EnvelopeID == nil {
		t.Fatalf("response not decoded: %s", resp.Body)
	}
	if _, ok := resp.JSON201.Extra.Get("burnDefaultTabData"); !ok {
		t.Error("unknown response member not kept")
	}
}

func TestAdminUserWithZonelessCreatedOn(t *testing.T) {
	base, _ := serve(t, "/management", 200, `{"users":[{"id":"8f6b2a4e-0000-4000-8000-000000000001","created_on":"2021-03-04T05:06:07.89","is_managed_by_scim":"true"}],"paging":{"result_set_size":"1"}}`)
	c, _ := admin.NewClientWithResponses(base)
	resp, err := c.GetUsersWithResponse(context.Background(), uuid.NewString(), nil)
	if err != nil {
		t.Fatalf("GetUsersWithResponse: %v", err)
	}
	u := resp.JSON200.Users[0]
	if u.CreatedOn == nil || !u.CreatedOn.Equal(time.Date(2021, 3, 4, 5, 6, 7, 890000000, time.UTC)) {
		t.Errorf("created_on = %v", u.CreatedOn)
	}
	if resp.JSON200.Paging.ResultSetSize == nil || *resp.JSON200.Paging.ResultSetSize != 1 {
		t.Errorf("result_set_size from a string: %v", resp.JSON200.Paging.ResultSetSize)
	}
}

// Every generated model struct carries Extra and the JSON methods, in
// every generated package.
func TestEveryModelKeepsUnknownMembers(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("*", "*.gen.go"))
	more, _ := filepath.Glob(filepath.Join("*", "*", "*.gen.go"))
	files = append(files, more...)
	models := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		methods := map[string]int{}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && (fd.Name.Name == "UnmarshalJSON" || fd.Name.Name == "MarshalJSON") {
				methods[types(fd.Recv.List[0].Type)]++
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok || !jsonModel(st) || strings.HasSuffix(ts.Name.Name, "MultipartBody") {
				return false
			}
			models++
			has := false
			for _, fl := range st.Fields.List {
				if len(fl.Names) == 1 && fl.Names[0].Name == "Extra" {
					has = true
				}
			}
			if !has || methods[ts.Name.Name] != 2 {
				t.Errorf("%s: model %s has no Extra field or JSON methods", f, ts.Name.Name)
			}
			return false
		})
	}
	if models < 500 {
		t.Errorf("found only %d models", models)
	}
}

func types(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	return e.(*ast.Ident).Name
}

func jsonModel(st *ast.StructType) bool {
	tagged := false
	for _, fl := range st.Fields.List {
		if len(fl.Names) == 1 && fl.Names[0].Name == "HTTPResponse" {
			return false
		}
		if fl.Tag != nil {
			tag := reflect.StructTag(strings.Trim(fl.Tag.Value, "`"))
			if _, ok := tag.Lookup("form"); ok {
				return false
			}
			if _, ok := tag.Lookup("json"); ok {
				tagged = true
			}
		}
	}
	return tagged
}

// A program that sends envelopes compiles jsonx, models and envelopes
// only (the compile budget in BENCHMARKS.md): envelopes does not import
// accountmodels, and models imports no other generated package.
func TestEnvelopesNeedOnlyTheSmallerModelsPackage(t *testing.T) {
	imports := func(dir string) []string {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var out []string
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range file.Imports {
				out = append(out, strings.Trim(im.Path.Value, `"`))
			}
		}
		if len(out) == 0 {
			t.Fatalf("%s: no imports found", dir)
		}
		return out
	}
	const gen = "github.com/dsgo/docusign/gen/"
	for _, p := range imports(filepath.Join("esignature", "envelopes")) {
		if strings.HasPrefix(p, gen) && p != gen+"esignature/models" {
			t.Errorf("envelopes imports %s", p)
		}
	}
	for _, p := range imports(filepath.Join("esignature", "models")) {
		if strings.HasPrefix(p, gen) {
			t.Errorf("models imports %s", p)
		}
	}
	if !slices.Contains(imports(filepath.Join("esignature", "accountmodels")), gen+"esignature/models") {
		t.Error("accountmodels does not refer to models: the split has changed shape")
	}
}
