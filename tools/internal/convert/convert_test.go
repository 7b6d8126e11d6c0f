package convert

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dsgo/docusign/tools/internal/specstest"
)

var root = filepath.Join("..", "..", "..")

// mirror returns a locked spec, found as the generator finds it
// (specstest: skipped with the reason when unreachable).
func mirror(t *testing.T, file string) []byte {
	t.Helper()
	return specstest.File(t, root, file)
}

func overlay(t *testing.T, name string) *Overlay {
	t.Helper()
	ov, err := ReadOverlay(filepath.Join(root, "api", "overlays", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return ov
}

func convertSpec(t *testing.T, api, file string, edit func(doc)) (*Result, error) {
	t.Helper()
	raw := mirror(t, file)
	if edit != nil {
		var d doc
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		raw, _ = json.Marshal(d)
	}
	return Convert(raw, overlay(t, api), Options{API: api, ModulePath: "example.com/m"})
}

const esign = "esignature.rest.swagger-v2.1.json"

func TestESignatureConvertsWithEveryOperationNamedOnce(t *testing.T) {
	res, err := convertSpec(t, "esignature", esign, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pruned) < 100 {
		t.Errorf("pruned %d unreachable definitions, want the 100+ the pinned spec has", len(res.Pruned))
	}
	names := map[string]bool{}
	for _, op := range res.Ops {
		key := op.Package + "." + op.GoName
		if names[key] {
			t.Errorf("duplicate %s", key)
		}
		names[key] = true
		if strings.Contains(op.GoName, "_") {
			t.Errorf("%s keeps an upstream operationId shape", op.GoName)
		}
	}
	for _, want := range []string{"envelopes.CreateEnvelope", "users.ListUsers", "accounts.ListSettings", "templates.GetTemplate", "envelopetransferrules.GetEnvelopeTransferRules"} {
		if !names[want] {
			t.Errorf("missing %s", want)
		}
	}
}

func TestPatchesFailLoudlyWhenUpstreamChanges(t *testing.T) {
	cases := map[string]func(doc){
		"offlineAttributes now defined": func(d doc) {
			d["definitions"].(map[string]any)["offlineAttributes"] = map[string]any{"type": "object"}
		},
		"an image upload target is gone": func(d doc) {
			for _, o := range operations(d) {
				if opID(o.Op) == imageUploadOps[0] {
					o.Op["operationId"] = "Renamed"
				}
			}
		},
		"a binary download now produces JSON": func(d doc) {
			for _, o := range operations(d) {
				if opID(o.Op) == binaryDownloadOps[0] {
					o.Op["produces"] = []any{"application/json"}
				}
			}
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := convertSpec(t, "esignature", esign, edit); err == nil || !strings.Contains(err.Error(), "patch") {
				t.Fatalf("want a patch error, got %v", err)
			}
		})
	}
}

func TestNewSpecProblemsFailGeneration(t *testing.T) {
	cases := map[string]struct {
		edit func(doc)
		want string
	}{
		"dangling reference": {func(d doc) {
			defs := d["definitions"].(map[string]any)
			defs["envelopeDefinition"].(map[string]any)["properties"].(map[string]any)["x"] = map[string]any{"$ref": "#/definitions/nowhere"}
		}, "dangling reference #/definitions/nowhere"},
		"type name collision": {func(d doc) {
			defs := d["definitions"].(map[string]any)
			defs["EnvelopeDefinition"] = defs["envelopeDefinition"]
			defs["envelopeSummary"].(map[string]any)["properties"].(map[string]any)["y"] = map[string]any{"$ref": "#/definitions/EnvelopeDefinition"}
		}, "collide"},
		"duplicate method name": {func(d doc) {
			for _, o := range operations(d) {
				if opID(o.Op) == "Envelopes_GetEnvelope" {
					o.Op["x-ds-methodname"] = "createEnvelope"
				}
			}
		}, "both become envelopes.CreateEnvelope"},
		"unmapped uncategorized tag": {func(d doc) {
			for _, o := range operations(d) {
				if opID(o.Op) == "Comments_GetCommentsTranscript" {
					o.Op["tags"] = []any{"BrandNewTag"}
				}
			}
		}, "add the tag to tagPackages"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := convertSpec(t, "esignature", esign, c.edit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
		})
	}
}

func TestNoUpstreamProseSurvives(t *testing.T) {
	res, err := convertSpec(t, "admin", "admin.rest.swagger-v2.1.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Packages[0].Doc)
	for _, word := range []string{`"summary"`, `"x-ms-summary"`, "Required authentication scopes", "the authenticated user"} {
		if strings.Contains(string(b), word) {
			t.Errorf("converted document still contains %s", word)
		}
	}
	// Response descriptions are required by OpenAPI 3: they hold the
	// status text, a fact.
	if !strings.Contains(string(b), `"description":"OK"`) {
		t.Error("responses lack their status-text description")
	}
}

func TestMonitorPathIsFixedAndDocsLinkIsValid(t *testing.T) {
	res, err := convertSpec(t, "monitor", "monitor.rest.swagger-v2.0.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ops) != 1 {
		t.Fatalf("%d ops", len(res.Ops))
	}
	op := res.Ops[0]
	if op.GoName != "GetStream" || op.Path != "/api/v2.0/datasets/monitor/stream" {
		t.Errorf("got %s %s", op.GoName, op.Path)
	}
	if op.DocURL != "https://developers.docusign.com/docs/monitor-api/reference/monitor/dataset/getstream/" {
		t.Errorf("doc url %s", op.DocURL)
	}
	if res.Packages[0].Doc.ExternalDocs != nil {
		t.Error("the empty externalDocs survived")
	}
}

func TestGoNames(t *testing.T) {
	for _, c := range []struct{ m, tag, path, want string }{
		{"createEnvelope", "Envelopes", "/v2.1/accounts/{accountId}/envelopes", "CreateEnvelope"},
		{"list", "Users", "/v2.1/accounts/{accountId}/users", "ListUsers"},
		{"get", "Templates", "/v2.1/accounts/{accountId}/templates/{templateId}", "GetTemplate"},
		{"delete", "BCCEmailArchive", "/x/{id}", "DeleteBCCEmailArchive"},
	} {
		if got := goName(c.m, c.tag, c.path); got != c.want {
			t.Errorf("goName(%s, %s) = %s, want %s", c.m, c.tag, got, c.want)
		}
	}
}

func TestAdminBodyTypesAreRenamedInsteadOfSuffixed(t *testing.T) {
	const admin = "admin.rest.swagger-v2.1.json"
	ov := overlay(t, "admin")
	raw := mirror(t, admin)
	res, err := Convert(raw, ov, Options{API: "admin", ModulePath: "example.com/m"})
	if err != nil {
		t.Fatal(err)
	}
	schemas := res.Packages[0].Doc.Components.Schemas
	if _, ok := schemas["AddDSGroupUsersResult"]; !ok {
		t.Error("the rename was not applied")
	}
	if _, ok := schemas["AddDSGroupUsersResponse"]; ok {
		t.Error("the old name survived")
	}
	// Without the renames the collision is an error naming the fix.
	bare := *ov
	bare.SchemaRenames = nil
	_, err = Convert(raw, &bare, Options{API: "admin", ModulePath: "example.com/m"})
	if err == nil || !strings.Contains(err.Error(), "add a schemaRenames entry") {
		t.Fatalf("want the collision error, got %v", err)
	}
}

func TestAnSDKOperationWithoutAPackageFailsGeneration(t *testing.T) {
	raw := mirror(t, esign)
	merge := func(d map[string]any) error {
		paths := d["paths"].(map[string]any)
		paths["/v2.1/accounts/{accountId}/gizmos"] = map[string]any{"get": map[string]any{
			"operationId": "Gizmos_listGizmos", "tags": []any{"Gizmos"}, "x-ds-methodname": "listGizmos", XSource: "sdk",
			"parameters": []any{map[string]any{"name": "accountId", "in": "path", "type": "string", "required": true}},
			"responses":  map[string]any{"200": map[string]any{"description": "OK"}},
		}}
		return nil
	}
	_, err := Convert(raw, overlay(t, "esignature"), Options{API: "esignature", ModulePath: "example.com/m", Merge: merge, MergedFrom: "SDK x 1.0.0"})
	if err == nil || !strings.Contains(err.Error(), "SDK class Gizmos has no package") || !strings.Contains(err.Error(), "Gizmos_listGizmos") {
		t.Fatalf("want an error naming the class and operation, got %v", err)
	}
}

func TestAdminIDsAreStrings(t *testing.T) {
	res, err := convertSpec(t, "admin", "admin.rest.swagger-v2.1.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range res.Packages[0].Doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value.Schema != nil && p.Value.Schema.Value.Format == "uuid" {
					t.Errorf("%s: parameter %s is still format uuid", method, p.Value.Name)
				}
			}
		}
	}
}

// refsIn lists every schema reference in a package's document.
func refsIn(p *Package) []string {
	var refs []string
	seen := map[*openapi3.Schema]bool{}
	collect := func(sr *openapi3.SchemaRef) {
		walkSchema(sr, seen, func(sr *openapi3.SchemaRef) bool {
			if sr.Ref != "" {
				refs = append(refs, sr.Ref)
				return false // its target is a component, walked on its own
			}
			return true
		})
	}
	for _, sr := range p.Doc.Components.Schemas {
		collect(&openapi3.SchemaRef{Value: sr.Value})
	}
	for _, item := range p.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			opSchemas(op, collect)
		}
	}
	return refs
}

func TestModelSplitKeepsWhatEnvelopesReachInModels(t *testing.T) {
	check := func(t *testing.T, res *Result) (models, rest map[string]bool) {
		t.Helper()
		pkgs := map[string]*Package{}
		for _, p := range res.Packages {
			pkgs[p.Name] = p
		}
		m, a := pkgs["models"], pkgs["accountmodels"]
		if m == nil || a == nil {
			t.Fatalf("want packages models and accountmodels, got %v", slices.Sorted(maps.Keys(pkgs)))
		}
		models, rest = map[string]bool{}, map[string]bool{}
		for name := range m.Doc.Components.Schemas {
			models[name] = true
		}
		for name := range a.Doc.Components.Schemas {
			if models[name] {
				t.Errorf("%s is in both models packages", name)
			}
			rest[name] = true
		}
		if len(models) < 100 || len(rest) < 100 {
			t.Errorf("models %d, accountmodels %d definitions: want a real split", len(models), len(rest))
		}
		// models refers only to itself: it compiles without accountmodels.
		for _, ref := range refsIn(m) {
			if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); !ok || !models[name] {
				t.Errorf("models refers to %s", ref)
			}
		}
		// accountmodels refers to itself or across to models.
		for _, ref := range refsIn(a) {
			local, isLocal := strings.CutPrefix(ref, "#/components/schemas/")
			across, isAcross := strings.CutPrefix(ref, "models.json#/components/schemas/")
			if !(isLocal && rest[local]) && !(isAcross && models[across]) {
				t.Errorf("accountmodels refers to %s", ref)
			}
		}
		// envelopes needs only models; every client package finds each
		// definition where it is.
		for _, p := range res.Packages {
			if !p.Client {
				continue
			}
			for _, ref := range refsIn(p) {
				across, isModels := strings.CutPrefix(ref, "models.json#/components/schemas/")
				other, isRest := strings.CutPrefix(ref, "accountmodels.json#/components/schemas/")
				switch {
				case isModels && models[across], isRest && rest[other] && p.Name != "envelopes":
				default:
					t.Errorf("%s refers to %s", p.Name, ref)
				}
			}
		}
		return models, rest
	}
	res, err := convertSpec(t, "esignature", esign, nil)
	if err != nil {
		t.Fatal(err)
	}
	models, rest := check(t, res)
	for _, name := range []string{"envelopeDefinition", "envelope", "signer", "tabs", "document"} {
		if !models[name] {
			t.Errorf("%s is not in models", name)
		}
	}
	for _, name := range []string{"accountInformation", "connectCustomConfiguration", "userInformation", "brand"} {
		if !rest[name] {
			t.Errorf("%s is not in accountmodels", name)
		}
	}

	// The split is computed: a definition that envelopes comes to reach
	// moves to models, with what it contains.
	res, err = convertSpec(t, "esignature", esign, func(d doc) {
		defs := d["definitions"].(map[string]any)
		defs["envelopeDefinition"].(map[string]any)["properties"].(map[string]any)["brand"] = map[string]any{"$ref": "#/definitions/brand"}
	})
	if err != nil {
		t.Fatal(err)
	}
	models, _ = check(t, res)
	for _, name := range []string{"brand", "brandLink"} {
		if !models[name] {
			t.Errorf("%s, now reached from EnvelopeDefinition, is not in models", name)
		}
	}
}

func TestModelSplitNeedsBothNames(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"no package":     `{"docs": "https://x", "packages": {"A": "a"}, "modelSplit": {"core": "a", "examples": "e"}}`,
		"no core":        `{"docs": "https://x", "packages": {"A": "a"}, "modelSplit": {"package": "b", "examples": "e"}}`,
		"single package": `{"docs": "https://x", "package": "a", "modelSplit": {"core": "a", "package": "b", "examples": "e"}}`,
		"no examples":    `{"docs": "https://x", "packages": {"A": "a"}, "modelSplit": {"core": "a", "package": "b"}}`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadOverlay(p); err == nil || !strings.Contains(err.Error(), "modelSplit") {
			t.Errorf("%s: got %v, want an error naming modelSplit", name, err)
		}
	}
}
