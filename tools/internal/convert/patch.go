package convert

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// This file holds the explicit fixes applied to the upstream Swagger 2.0
// documents before conversion. Each fix names its targets; a target that is
// missing, or already fixed upstream, fails generation so that a spec bump
// never silently changes what a patch does.

// doc is a Swagger 2.0 document as generic JSON.
type doc = map[string]any

// imageUploadOps declare an image upload (PUT with Content-Type image/gif)
// but no request body, so generated clients could not send the image. The
// fix adds a binary body parameter.
var imageUploadOps = []string{
	"Recipients_PutRecipientInitialsImage",
	"Recipients_PutRecipientSignatureImage",
	"AccountSignatures_PutAccountSignatureImage",
	"UserProfileImage_PutUserProfileImage",
	"UserSignatures_PutUserSignatureImage",
}

// rawUploadOps take content (a file, a tabs blob) in the request body but
// declare none, in the spec and in the SDK. The fix adds a raw body sent in
// the content type the caller names (for DocuSign's PUT of an envelope
// document, see the SDK merge, which adds its application/pdf body).
var rawUploadOps = []string{
	"WorkspaceFile_PostWorkspaceFiles",
	"WorkspaceFile_PutWorkspaceFile",
	"TabsBlob_PutTabsBlob",
}

// binaryDownloadOps produce a document or image on success, but declare
// their 400 errorDetails response with that same non-JSON media type.
// DocuSign sends errors as JSON; the fix declares the error as JSON so the
// generated client decodes it.
var binaryDownloadOps = []string{
	"BrandLogo_GetBrandLogo",
	"Comments_GetCommentsTranscript",
	"Documents_GetDocument",
	"Pages_GetPageImage",
	"Recipients_GetRecipientInitialsImage",
	"Recipients_GetRecipientSignatureImage",
	"AccountSignatures_GetAccountSignatureImage",
	"Documents_GetTemplateDocument",
	"Pages_GetTemplatePageImage",
	"UserProfileImage_GetUserProfileImage",
	"UserSignatures_GetUserSignatureImage",
	"APIRequestLog_GetRequestLog",
}

// offlineAttributesFields are the members of DocuSign's offlineAttributes
// object, which the eSignature spec references but does not define.
var offlineAttributesFields = []string{
	"accountEsignId", "deviceModel", "deviceName", "gpsLatitude", "gpsLongitude", "offlineSigningHash",
}

// operation is one operation of a Swagger 2.0 document.
type operation struct {
	Path, Method string
	Op           map[string]any
}

// operations lists every operation in path and method order.
func operations(d doc) []operation {
	paths, _ := d["paths"].(map[string]any)
	keys := slices.Sorted(maps.Keys(paths))
	var ops []operation
	for _, p := range keys {
		item, _ := paths[p].(map[string]any)
		for _, m := range []string{"get", "put", "post", "delete", "options", "head", "patch"} {
			if op, ok := item[m].(map[string]any); ok {
				ops = append(ops, operation{Path: p, Method: strings.ToUpper(m), Op: op})
			}
		}
	}
	return ops
}

func opID(op map[string]any) string { s, _ := op["operationId"].(string); return s }

func findOps(d doc, ids []string) (map[string]map[string]any, error) {
	byID := map[string]map[string]any{}
	for _, o := range operations(d) {
		byID[opID(o.Op)] = o.Op
	}
	out := map[string]map[string]any{}
	var missing []string
	for _, id := range ids {
		op, ok := byID[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		out[id] = op
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("patch targets no longer exist upstream: %s (update tools/internal/convert/patch.go)", strings.Join(missing, ", "))
	}
	return out, nil
}

// patchESignature applies the eSignature fixes.
func patchESignature(d doc) error {
	// 1. offlineAttributes is referenced but not defined: define it.
	defs := d["definitions"].(map[string]any)
	if _, ok := defs["offlineAttributes"]; ok {
		return fmt.Errorf("patch offlineAttributes: upstream now defines it; remove the patch")
	}
	props := map[string]any{}
	for _, f := range offlineAttributesFields {
		props[f] = map[string]any{"type": "string"}
	}
	defs["offlineAttributes"] = map[string]any{"type": "object", "properties": props}

	// 2. Image and other raw uploads without a request body: add a binary
	// body.
	if err := addRawBodies(d, imageUploadOps, "imageUploadOps", "image", "image/gif"); err != nil {
		return err
	}
	if err := addRawBodies(d, rawUploadOps, "rawUploadOps", "body", "application/octet-stream"); err != nil {
		return err
	}

	// 3. Binary downloads whose errors are declared non-JSON.
	ops, err := findOps(d, binaryDownloadOps)
	if err != nil {
		return err
	}
	for id, op := range ops {
		if isJSONList(op["produces"]) {
			return fmt.Errorf("patch binary download %s: upstream now produces JSON; remove it from binaryDownloadOps", id)
		}
		// Conversion applies "produces" to every response; remember the
		// error responses so that they are declared as JSON after it.
		op[XJSONErrors] = true
	}

	// 4. The document declares XML as an alternative request type; this
	// library speaks JSON only, so request bodies are declared JSON only.
	d["consumes"] = []any{"application/json"}
	return nil
}

// addRawBodies gives each operation of ids a required binary body named
// name, declared in contentType.
func addRawBodies(d doc, ids []string, list, name, contentType string) error {
	ops, err := findOps(d, ids)
	if err != nil {
		return err
	}
	for id, op := range ops {
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if in := p.(map[string]any)["in"]; in == "body" || in == "formData" {
				return fmt.Errorf("patch raw upload %s: upstream now declares a body; remove it from %s", id, list)
			}
		}
		op["parameters"] = append(params, map[string]any{
			"name": name, "in": "body", "required": true,
			"schema": map[string]any{"type": "string", "format": "binary"},
		})
		op["consumes"] = []any{contentType}
	}
	return nil
}

// XJSONErrors marks operations whose error responses become JSON after
// conversion (see binaryDownloadOps).
const XJSONErrors = "x-dsgo-json-errors"

// patchMonitor applies the Monitor fixes.
func patchMonitor(d doc) error {
	// 1. externalDocs.url is empty, which is invalid in OpenAPI 3.
	if ed, ok := d["externalDocs"].(map[string]any); ok && ed["url"] == "" {
		delete(d, "externalDocs")
	} else {
		return fmt.Errorf("patch monitor externalDocs: upstream fixed the empty url; remove the patch")
	}
	// 2. The only path is templated on {version} and {dataSetName}, which
	// must be "2.0" and "monitor". The fix fixes the path so the generated
	// method takes no meaningless arguments.
	paths := d["paths"].(map[string]any)
	const from, to = "/api/v{version}/datasets/{dataSetName}/stream", "/api/v2.0/datasets/monitor/stream"
	item, ok := paths[from].(map[string]any)
	if !ok {
		return fmt.Errorf("patch monitor path: %s no longer exists upstream", from)
	}
	for _, v := range item {
		op, ok := v.(map[string]any)
		if !ok {
			continue
		}
		params, _ := op["parameters"].([]any)
		kept := params[:0]
		for _, p := range params {
			if pm := p.(map[string]any); pm["in"] != "path" {
				kept = append(kept, p)
			}
		}
		op["parameters"] = kept
	}
	delete(paths, from)
	paths[to] = item
	return nil
}

// dropSecurity removes security declarations: authentication is the client
// layer's job, and the declared schemes (Admin's accessCode flow, Monitor's
// Bearer apiKey) do not describe what it does.
func dropSecurity(d doc) {
	delete(d, "securityDefinitions")
	delete(d, "security")
	for _, o := range operations(d) {
		delete(o.Op, "security")
	}
}

// nameMaps are keys whose values map free names (not keywords) to nodes.
var nameMaps = map[string]bool{
	"properties": true, "definitions": true, "paths": true, "responses": true,
	"parameters": true, "securityDefinitions": true, "patternProperties": true,
}

// prose keywords hold upstream documentation text, never copied into gen/.
var prose = []string{"description", "summary", "x-ms-summary", "title", "example", "examples", "externalDocs", "x-ds-categories", "x-ds-devdocs"}

// stripProse deletes documentation text everywhere below node. Keys of
// name maps (property, definition and path names) are names, not keywords,
// and are kept.
func stripProse(node any, parentKey string) {
	switch n := node.(type) {
	case map[string]any:
		if nameMaps[parentKey] {
			for _, v := range n {
				stripProse(v, "")
			}
			return
		}
		for _, k := range prose {
			delete(n, k)
		}
		for k, v := range n {
			stripProse(v, k)
		}
	case []any:
		for _, v := range n {
			stripProse(v, parentKey+"[]")
		}
	}
}

// responseText is the fact used where OpenAPI 3 requires a response
// description.
func responseText(code string) string {
	var c int
	if _, err := fmt.Sscanf(code, "%d", &c); err == nil {
		if t := http.StatusText(c); t != "" {
			return t
		}
	}
	return "Response"
}

func isJSONList(v any) bool {
	l, _ := v.([]any)
	for _, x := range l {
		if s, _ := x.(string); strings.Contains(s, "json") {
			return true
		}
	}
	return false
}
