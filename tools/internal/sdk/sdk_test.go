package sdk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/tools/internal/specstest"
)

// tarball builds an npm-style tarball from files (path -> content).
func tarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// method is a JS method in the layout of the SDK's generated api files
// (written for this test, not taken from the SDK).
func method(name, args, doc, path, verb, body, query, ctypes, ret string) string {
	return `
    /**
` + doc + `
     */
    this.` + name + ` = function(` + args + `) {
      var postBody = ` + body + `;
      var pathParams = {
        'accountId': accountId
      };
      var queryParams = {
` + query + `
      };
      var headerParams = {
      };
      var formParams = {
      };
      var authNames = ['docusignAccessCode'];
      var contentTypes = [` + ctypes + `];
      var accepts = ['application/json'];
      var returnType = ` + ret + `;
      return this.apiClient.callApi(
        '` + path + `', '` + verb + `',
        pathParams, queryParams, headerParams, formParams, postBody,
        authNames, contentTypes, accepts, returnType, callback
      );
    };
`
}

func model(members ...string) string {
	return "  exports.constructFromObject = function(data, obj) {\n    if (data) {\n" + strings.Join(members, "\n") + "\n    }\n    return obj;\n  }\n"
}

func member(name, conv string) string {
	return "      if (data.hasOwnProperty('" + name + "')) {\n        obj['" + name + "'] = " + conv + ";\n      }"
}

func fixture(t *testing.T) []byte {
	api := "  var exports = function(apiClient) {\n    this.setApiClient = function(apiClient) {\n      this.apiClient = apiClient;\n    };\n" +
		method("listWidgets", "accountId, optsOrCallback, callback", "     * @param {String} optsOrCallback.count", "/v2.1/accounts/{accountId}/widgets", "GET", "null",
			"        'count': optsOrCallback['count']", "", "WidgetList") +
		method("putWidgetFile", "fileBytes, accountId, callback", "     * @param {Blob} fileBytes", "/v2.1/accounts/{accountId}/widgets/file", "PUT", "fileBytes",
			"", "'application/pdf'", "null") +
		method("createWidget", "accountId, optsOrCallback, callback", "     * @param {module:model/Widget} optsOrCallback.widget", "/v2.1/accounts/{accountId}/widgets", "POST", "optsOrCallback['widget']",
			"", "", "Widget") + "  };\n"
	return tarball(t, map[string]string{
		"package/src/api/WidgetsApi.js":     api,
		"package/src/model/Widget.js":       model(member("name", "ApiClient.convertToType(data['name'], 'String')"), member("tags", "ApiClient.convertToType(data['tags'], ['String'])"), member("size", "ApiClient.convertToType(data['size'], 'Number')"), member("owner", "Owner.constructFromObject(data['owner'])")),
		"package/src/model/WidgetList.js":   model(member("widgets", "ApiClient.convertToType(data['widgets'], [Widget])")),
		"package/src/model/Owner.js":        model(member("Email", "ApiClient.convertToType(data['Email'], 'String')")),
		"package/src/model/ErrorDetails.js": model(member("message", "ApiClient.convertToType(data['message'], 'String')")),
		"package/README.md":                 "ignored",
	})
}

func TestReadFindsOperationsParametersBodiesAndMembers(t *testing.T) {
	s, err := Read(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Ops) != 3 || len(s.Models) != 4 {
		t.Fatalf("got %d operations, %d models", len(s.Ops), len(s.Models))
	}
	byName := map[string]Op{}
	for _, o := range s.Ops {
		byName[o.Name] = o
	}
	list := byName["listWidgets"]
	if list.Key() != "GET /v2.1/accounts/{accountId}/widgets" || list.Returns != "WidgetList" || len(list.Query) != 1 || list.Query[0].Name != "count" || list.Query[0].Required {
		t.Errorf("listWidgets: %+v", list)
	}
	if f := byName["putWidgetFile"]; f.Body == nil || f.Body.Model != "" || !f.Body.Required || f.ContentTypes[0] != "application/pdf" {
		t.Errorf("putWidgetFile: %+v", f)
	}
	if c := byName["createWidget"]; c.Body == nil || c.Body.Model != "Widget" || c.Body.Required {
		t.Errorf("createWidget: %+v", c)
	}
	var got []string
	for _, m := range s.Models["Widget"].Members {
		got = append(got, m.Name+":"+m.Type.String())
	}
	if strings.Join(got, " ") != "name:string owner:Owner size:number tags:[]string" {
		t.Errorf("Widget members: %v", got)
	}
}

func TestReadFailsOnAnUnknownShape(t *testing.T) {
	b := tarball(t, map[string]string{
		"package/src/model/Odd.js": model(member("x", "ApiClient.convertToType(data['x'], 'Date')")),
		"package/src/api/XApi.js":  method("m", "", "", "/x", "GET", "null", "", "", "null"),
	})
	if _, err := Read(b); err == nil || !strings.Contains(err.Error(), "Odd.js") || !strings.Contains(err.Error(), "'Date'") {
		t.Fatalf("want an error naming the file and the type, got %v", err)
	}
}

// swagger is a small Swagger document: widgets listed (with a query
// parameter the SDK lacks), a file upload without a body, and an old
// operation the SDK no longer has.
func swagger() doc {
	return doc{
		"definitions": map[string]any{
			"widgetList":   map[string]any{"type": "object", "properties": map[string]any{"widgets": map[string]any{"type": "array", "items": ref("widget")}}},
			"widget":       map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}, "size": map[string]any{"type": "boolean"}}},
			"errorDetails": map[string]any{"type": "object", "properties": map[string]any{}},
		},
		"paths": map[string]any{
			"/v2.1/accounts/{accountId}/widgets": map[string]any{"get": map[string]any{
				"parameters": []any{map[string]any{"name": "start", "in": "query", "type": "string"}},
				"responses":  map[string]any{"200": map[string]any{"schema": ref("widgetList")}},
			}},
			"/v2.1/accounts/{accountId}/widgets/file": map[string]any{"put": map[string]any{"responses": map[string]any{}}},
			"/v2.1/accounts/{accountId}/gadgets":      map[string]any{"get": map[string]any{"responses": map[string]any{}}},
		},
	}
}

func TestMergeAddsWhatTheSpecLacksAndReportsDisagreements(t *testing.T) {
	s, err := Read(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	d := swagger()
	r, err := Merge(d, s, "widgets 1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	paths := d["paths"].(map[string]any)
	created := paths["/v2.1/accounts/{accountId}/widgets"].(map[string]any)["post"].(map[string]any)
	if created[XSource] != "sdk" || created["operationId"] != "Widgets_createWidget" || created["tags"].([]any)[0] != "Widgets" {
		t.Errorf("new operation: %v", created)
	}
	list := paths["/v2.1/accounts/{accountId}/widgets"].(map[string]any)["get"].(map[string]any)
	if list[XSource] != "spec" || len(list["parameters"].([]any)) != 2 {
		t.Errorf("listWidgets should keep start and gain count: %v", list["parameters"])
	}
	upload := paths["/v2.1/accounts/{accountId}/widgets/file"].(map[string]any)["put"].(map[string]any)
	if upload["consumes"].([]any)[0] != "application/pdf" {
		t.Errorf("upload body: %v", upload)
	}
	if old := paths["/v2.1/accounts/{accountId}/gadgets"].(map[string]any)["get"].(map[string]any); old[XDeprecated] != true {
		t.Errorf("gadgets should be deprecated: %v", old)
	}
	defs := d["definitions"].(map[string]any)
	props := defs["widget"].(map[string]any)["properties"].(map[string]any)
	if props["size"].(map[string]any)["type"] != "boolean" {
		t.Errorf("the spec's type of widget.size must be kept: %v", props["size"])
	}
	if props["tags"] == nil || props["owner"].(map[string]any)["$ref"] != "#/definitions/owner" || defs["owner"] == nil {
		t.Errorf("new members and definitions: %v / %v", props, defs["owner"])
	}
	md := string(r.Markdown("spec.json", func(id string) string { return "pkg." + id }))
	for _, want := range []string{
		"`POST /v2.1/accounts/{accountId}/widgets` pkg.Widgets_createWidget",
		"`GET /v2.1/accounts/{accountId}/gadgets`",
		"`GET /v2.1/accounts/{accountId}/widgets`: count",
		"`GET /v2.1/accounts/{accountId}/widgets`: start",
		"`PUT /v2.1/accounts/{accountId}/widgets/file`: raw application/pdf",
		"`widget.size`: spec boolean, SDK number",
		"`widget.tags`",
		"`owner`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %s:\n%s", want, md)
		}
	}
}

func TestTheOfficialTarballReadsCompletely(t *testing.T) {
	b, ok := specstest.SDK(t, filepath.Join("..", "..", ".."), "esignature")
	if !ok {
		t.Fatal("the lock pins no eSignature SDK")
	}
	s, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Ops) != 448 || len(s.Models) < 600 {
		t.Errorf("got %d operations and %d models, want 448 and 600+", len(s.Ops), len(s.Models))
	}
	found := false
	for _, o := range s.Ops {
		if o.Key() == "PUT /v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/{documentId}" {
			found = o.Body != nil && o.Body.Model == "" && o.ContentTypes[0] == "application/pdf"
		}
	}
	if !found {
		t.Error("UpdateDocument should have a raw application/pdf body")
	}
}
