package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// Overlay is our per-spec configuration in api/overlays/NAME.json.
type Overlay struct {
	// Docs is the base of the API reference, completed with
	// /{category}/{tag}/{methodname}/ for each operation.
	Docs string `json:"docs"`
	// DocsCategory replaces the category in reference links, when set.
	DocsCategory string `json:"docsCategory,omitempty"`
	// Package is the single Go package of a small API.
	Package string `json:"package,omitempty"`
	// Packages maps x-ds-service to a Go package (a split API).
	Packages map[string]string `json:"packages,omitempty"`
	// TagPackages maps tags to packages, winning over Packages: it places
	// the x-ds-service "Uncategorized" operations and splits large
	// categories.
	TagPackages map[string]string `json:"tagPackages,omitempty"`
	// OperationPackages maps single upstream operationIds, winning over
	// the maps above.
	OperationPackages map[string]string `json:"operationPackages,omitempty"`
	// PackageDocs maps a package to its reference category where the two
	// differ (a category split into several packages).
	PackageDocs map[string]string `json:"packageDocs,omitempty"`
	// SchemaRenames renames definitions whose Go type name would collide
	// with a name generated for an operation (e.g. OpNameResponse).
	SchemaRenames map[string]string `json:"schemaRenames,omitempty"`
	// SDKPackages maps the API class of an operation merged from the SDK
	// (e.g. BulkProcessData) to a package; operationPackages, keyed
	// Class_method, wins over it.
	SDKPackages map[string]string `json:"sdkPackages,omitempty"`
	// OperationNames sets the Go name of single operations (by upstream
	// operationId, or Class_method for SDK ones) where the derived names of
	// two operations of a package would collide.
	OperationNames map[string]string `json:"operationNames,omitempty"`
	// StringIDs declares path and query parameters of format uuid as plain
	// strings, so callers pass ids as they hold them.
	StringIDs bool `json:"stringIds,omitempty"`
	// ModelSplit, in a split API, moves the definitions one client
	// package does not reach into a second models package (see
	// ModelSplit).
	ModelSplit *ModelSplit `json:"modelSplit,omitempty"`
}

// ModelSplit divides the models of a split API in two packages: models
// keeps every definition the operations of Core reach (parameters,
// bodies, responses and, transitively, their members); Package holds
// the rest and imports models. A program that uses only Core compiles
// the smaller package.
type ModelSplit struct {
	Core    string `json:"core"`    // a client package, e.g. envelopes
	Package string `json:"package"` // the second models package, e.g. accountmodels
	// Examples names what Package holds, for its documentation, e.g.
	// "account settings, billing, users and groups".
	Examples string `json:"examples"`
}

// Extensions on Swagger operations that the SDK merge sets.
const (
	// XSource is "spec" or "sdk": where an operation comes from.
	XSource = "x-dsgo-source"
	// XDeprecated marks a spec operation the SDK no longer declares.
	XDeprecated = "x-dsgo-deprecated"
)

// ReadOverlay reads and validates an overlay file.
func ReadOverlay(path string) (*Overlay, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var o Overlay
	if err := strictUnmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if o.Docs == "" {
		return nil, fmt.Errorf("%s: docs is required", path)
	}
	if (o.Package == "") == (len(o.Packages) == 0) {
		return nil, fmt.Errorf("%s: set exactly one of package and packages", path)
	}
	if ms := o.ModelSplit; ms != nil && (ms.Core == "" || ms.Package == "" || ms.Examples == "" || o.Package != "") {
		return nil, fmt.Errorf("%s: modelSplit needs core, package and examples, in an API with packages", path)
	}
	return &o, nil
}

// Op is the facts about one generated operation, used for doc comments
// and tests.
type Op struct {
	GoName      string // method name, e.g. CreateEnvelope
	Package     string // Go package name
	OperationID string // upstream operationId
	Tag         string
	MethodName  string // x-ds-methodname
	Method      string // HTTP method
	Path        string
	DocURL      string
	// Source is where the operation comes from when a second source was
	// merged: "spec" or the SDK's name and version; empty otherwise.
	Source string
	// Deprecated is set on spec operations the merged SDK no longer has.
	Deprecated bool
	// Form lists the parts of a multipart/form-data body, in spec order.
	Form []FormField
}

// FormField is one part of a multipart/form-data request body.
type FormField struct {
	Name     string // form field name, e.g. file.csv
	File     bool   // a file part (else a text field)
	Required bool
}

// Package is one Go package to generate.
type Package struct {
	Name     string        // Go package name
	Dir      string        // directory under gen/, slash-separated
	Doc      *openapi3.T   // what oapi-codegen reads
	Models   bool          // generate types
	Client   bool          // generate the client
	External []ModelImport // models imported from other packages
	Ops      []Op
	// Holds, for a models package of a split, says which definitions it
	// holds, completing "Package x holds the generated types of the
	// DocuSign API ..." in its documentation (plain text, one line).
	Holds string
}

// ModelImport names a models package that a package refers to.
type ModelImport struct {
	File, ImportPath string
}

// Result is everything derived from one spec.
type Result struct {
	API      string
	Packages []*Package
	Ops      []Op
	Pruned   []string // definitions dropped as unreachable
}

// Options says where generated packages live.
type Options struct {
	API        string // lock name: esignature, admin, monitor
	ModulePath string // e.g. github.com/dsgo/docusign
	// Single generates the whole API as one package named after it,
	// the baseline of make compile-bench.
	Single bool
	// Merge, when set, adds a second source's surface to the Swagger 2.0
	// document after our patches and before naming (see package sdk).
	Merge func(d map[string]any) error
	// MergedFrom names that source (e.g. SDK docusign-esign 10.0.0) in
	// Op.Source.
	MergedFrom string
}

// Convert processes one upstream document.
func Convert(raw []byte, ov *Overlay, opt Options) (*Result, error) {
	var d doc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", opt.API, err)
	}
	if d["swagger"] != "2.0" {
		return nil, fmt.Errorf("%s: expected a Swagger 2.0 document, got swagger=%v", opt.API, d["swagger"])
	}
	switch opt.API {
	case "esignature":
		if err := patchESignature(d); err != nil {
			return nil, fmt.Errorf("esignature: %w", err)
		}
	case "monitor":
		if err := patchMonitor(d); err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
	}
	if opt.Merge != nil {
		if err := opt.Merge(d); err != nil {
			return nil, fmt.Errorf("%s: %w", opt.API, err)
		}
	}
	if ov.StringIDs {
		stringIDs(d)
	}
	dropSecurity(d)

	res := &Result{API: opt.API}
	ops, err := nameOperations(d, ov, opt)
	if err != nil {
		return nil, err
	}
	res.Ops = ops

	stripProse(d, "")
	delete(d, "tags") // the document's tag list: descriptions only (operations keep their tags)
	if err := checkRefs(d); err != nil {
		return nil, fmt.Errorf("%s: %w", opt.API, err)
	}
	res.Pruned = prune(d)
	if err := renameSchemas(d, ov.SchemaRenames); err != nil {
		return nil, fmt.Errorf("%s: %w", opt.API, err)
	}
	if err := checkNameCollisions(d); err != nil {
		return nil, fmt.Errorf("%s: %w", opt.API, err)
	}
	if ov.Package != "" || opt.Single {
		if err := checkOperationTypeNames(d, ops); err != nil {
			return nil, fmt.Errorf("%s: %w", opt.API, err)
		}
	}

	v3, err := toV3(d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.API, err)
	}
	res.Packages, err = split(v3, ov, ops, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.API, err)
	}
	return res, nil
}

// nameOperations gives every operation its Go name (as its operationId) and
// package, and fails on duplicates within a package.
func nameOperations(d doc, ov *Overlay, opt Options) ([]Op, error) {
	api, single := opt.API, opt.Single
	var ops []Op
	var errs []error
	seen := map[string]string{}
	for _, o := range operations(d) {
		id := opID(o.Op)
		tags, _ := o.Op["tags"].([]any)
		mname, _ := o.Op["x-ds-methodname"].(string)
		service, _ := o.Op["x-ds-service"].(string)
		if len(tags) == 0 || mname == "" {
			errs = append(errs, fmt.Errorf("operation %s (%s %s) has no tag or x-ds-methodname: name it in the overlay", id, o.Method, o.Path))
			continue
		}
		tag, _ := tags[0].(string)
		source, _ := o.Op[XSource].(string)
		pkg, category, err := ov.packageFor(id, tag, service, source == "sdk")
		if err != nil {
			errs = append(errs, fmt.Errorf("operation %s (%s %s): %w", id, o.Method, o.Path, err))
			continue
		}
		name := goName(mname, tag, o.Path)
		if n, ok := ov.OperationNames[id]; ok {
			name = n
		}
		if !goIdent.MatchString(name) {
			errs = append(errs, fmt.Errorf("operation %s (%s %s) would be named %q, not a Go identifier of letters and digits: set its name in operationNames in the overlay", id, o.Method, o.Path, name))
			continue
		}
		if single && ov.Package == "" {
			// One package for a split API: qualify names by category.
			name, pkg = upperFirst(pkg)+name, api
		}
		key := pkg + "." + strings.ToLower(name)
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("operations %s and %s both become %s.%s: add a rename", prev, id, pkg, name))
			continue
		}
		seen[key] = id
		docCat := category
		if ov.DocsCategory != "" {
			docCat = ov.DocsCategory
		}
		op := Op{
			GoName: name, Package: pkg, OperationID: id, Tag: tag, MethodName: mname,
			Method: o.Method, Path: o.Path,
			DocURL: fmt.Sprintf("%s/%s/%s/%s/", ov.Docs, strings.ToLower(docCat), strings.ToLower(tag), strings.ToLower(mname)),
		}
		switch source {
		case "sdk":
			// The SDK names no reference page: link the category's.
			op.Source = opt.MergedFrom
			op.DocURL = fmt.Sprintf("%s/%s/", ov.Docs, strings.ToLower(docCat))
		case "spec":
			op.Source = "spec"
		}
		op.Deprecated = o.Op[XDeprecated] == true
		params, _ := o.Op["parameters"].([]any)
		for _, p := range params {
			if pm, _ := p.(map[string]any); pm["in"] == "formData" {
				name, _ := pm["name"].(string)
				required, _ := pm["required"].(bool)
				op.Form = append(op.Form, FormField{Name: name, File: pm["type"] == "file", Required: required})
			}
		}
		delete(o.Op, XSource)
		delete(o.Op, XDeprecated)
		ops = append(ops, op)
		o.Op["operationId"] = name
		o.Op[xPackage] = pkg
	}
	return ops, errors.Join(errs...)
}

const xPackage = "x-dsgo-package"

// packageFor returns the Go package and the reference category of an
// operation.
func (ov *Overlay) packageFor(id, tag, service string, fromSDK bool) (pkg, category string, err error) {
	if ov.Package != "" {
		return ov.Package, service, nil
	}
	pkg = ov.OperationPackages[id]
	switch {
	case pkg != "":
	case fromSDK:
		if pkg = ov.SDKPackages[tag]; pkg == "" {
			return "", "", fmt.Errorf("SDK class %s has no package: add it to sdkPackages (or %s to operationPackages) in the overlay", tag, id)
		}
	default:
		pkg = ov.TagPackages[tag]
		if pkg == "" && service != "Uncategorized" && service != "" {
			pkg = ov.Packages[service]
		}
	}
	if pkg == "" {
		return "", "", fmt.Errorf("x-ds-service %q, tag %q has no package: add the tag to tagPackages in the overlay", service, tag)
	}
	if c, ok := ov.PackageDocs[pkg]; ok {
		return pkg, c, nil
	}
	return pkg, pkg, nil
}

var (
	oneWord = regexp.MustCompile(`^[a-z]+$`)
	goIdent = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
)

// goName derives a method name from x-ds-methodname. Most are already
// specific (createEnvelope); a bare verb (create, list) is completed with
// the tag, singular when the path addresses one item.
func goName(mname, tag, path string) string {
	if !oneWord.MatchString(mname) {
		return upperFirst(mname)
	}
	noun := tag
	if strings.HasSuffix(path, "}") && strings.HasSuffix(noun, "s") {
		noun = strings.TrimSuffix(noun, "s")
	}
	return upperFirst(mname) + noun
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// eachRef calls fn with every $ref below node and stores what fn returns
// in its place.
func eachRef(node any, fn func(ref string) string) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); ok && k == "$ref" {
				n[k] = fn(s)
				continue
			}
			eachRef(v, fn)
		}
	case []any:
		for _, v := range n {
			eachRef(v, fn)
		}
	}
}

// collectRefs gathers every $ref below node.
func collectRefs(node any, acc map[string]bool) {
	eachRef(node, func(ref string) string {
		acc[ref] = true
		return ref
	})
}

// checkRefs fails on references to definitions that do not exist.
func checkRefs(d doc) error {
	refs := map[string]bool{}
	collectRefs(d, refs)
	var errs []error
	for _, r := range slices.Sorted(maps.Keys(refs)) {
		if resolve(d, r) == nil {
			errs = append(errs, fmt.Errorf("dangling reference %s: define it in a patch", r))
		}
	}
	return errors.Join(errs...)
}

func resolve(d doc, ref string) any {
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	if !strings.HasPrefix(ref, "#/") || len(parts) != 2 {
		return nil
	}
	sec, _ := d[parts[0]].(map[string]any)
	return sec[parts[1]]
}

// prune removes definitions that no operation reaches, directly or through
// other definitions, and returns their names.
func prune(d doc) []string {
	reach := map[string]bool{}
	var work []string
	add := func(refs map[string]bool) {
		for r := range refs {
			if !reach[r] {
				reach[r] = true
				work = append(work, r)
			}
		}
	}
	roots := map[string]bool{}
	collectRefs(d["paths"], roots)
	add(roots)
	for len(work) > 0 {
		r := work[len(work)-1]
		work = work[:len(work)-1]
		next := map[string]bool{}
		collectRefs(resolve(d, r), next)
		add(next)
	}
	defs, _ := d["definitions"].(map[string]any)
	var pruned []string
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		if !reach["#/definitions/"+name] {
			pruned = append(pruned, name)
			delete(defs, name)
		}
	}
	return pruned
}

// renameSchemas applies the overlay's definition renames to the
// definitions and every reference to them.
func renameSchemas(d doc, renames map[string]string) error {
	defs, _ := d["definitions"].(map[string]any)
	for _, from := range slices.Sorted(maps.Keys(renames)) {
		to := renames[from]
		if _, ok := defs[from]; !ok {
			return fmt.Errorf("schemaRenames: definition %q no longer exists: remove the rename", from)
		}
		if _, taken := defs[to]; taken {
			return fmt.Errorf("schemaRenames: %q -> %q: the new name is taken", from, to)
		}
		defs[to] = defs[from]
		delete(defs, from)
	}
	if len(renames) > 0 {
		rewriteRefs(d, renames)
	}
	return nil
}

func rewriteRefs(node any, renames map[string]string) {
	eachRef(node, func(ref string) string {
		if to, ok := renames[strings.TrimPrefix(ref, "#/definitions/")]; ok {
			return "#/definitions/" + to
		}
		return ref
	})
}

// GoTypeKey approximates the Go type name oapi-codegen derives from a name,
// for collision checks: letters and digits, case-folded.
func GoTypeKey(name string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, name))
}

// checkOperationTypeNames fails when a definition's Go name equals a type
// name generated for an operation in the same package (its response
// wrapper, parameters or request body), which oapi-codegen would otherwise
// rename with a numeric suffix.
func checkOperationTypeNames(d doc, ops []Op) error {
	defs, _ := d["definitions"].(map[string]any)
	byKey := map[string]string{}
	for name := range defs {
		byKey[GoTypeKey(name)] = name
	}
	var errs []error
	for _, op := range ops {
		for _, suffix := range []string{"Response", "Params", "JSONRequestBody", "JSONBody"} {
			if def, ok := byKey[GoTypeKey(op.GoName+suffix)]; ok {
				errs = append(errs, fmt.Errorf("definition %s collides with the generated type %s%s of operation %s: add a schemaRenames entry to the overlay", def, op.GoName, suffix, op.OperationID))
			}
		}
	}
	return errors.Join(errs...)
}

// checkNameCollisions fails when two kept definitions would get the same
// Go type name (names equal but for case or punctuation).
func checkNameCollisions(d doc) error {
	defs, _ := d["definitions"].(map[string]any)
	byKey := map[string][]string{}
	for name := range defs {
		key := GoTypeKey(name)
		byKey[key] = append(byKey[key], name)
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		if names := byKey[k]; len(names) > 1 {
			sort.Strings(names)
			errs = append(errs, fmt.Errorf("definitions %s collide as Go type names: add a rename patch", strings.Join(names, ", ")))
		}
	}
	return errors.Join(errs...)
}

// toV3 converts with openapi2conv and applies the post-conversion fixes.
func toV3(d doc) (*openapi3.T, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var d2 openapi2.T
	if err := json.Unmarshal(b, &d2); err != nil {
		return nil, fmt.Errorf("reading Swagger 2.0: %w", err)
	}
	v3, err := openapi2conv.ToV3(&d2)
	if err != nil {
		return nil, fmt.Errorf("converting to OpenAPI 3: %w", err)
	}
	v3.Servers = nil
	normalizeSchemas(v3)
	v3.Info = &openapi3.Info{Title: v3.Info.Title, Version: v3.Info.Version}
	for path, item := range v3.Paths.Map() {
		for method, op := range item.Operations() {
			for code, rr := range op.Responses.Map() {
				if rr.Value == nil {
					continue
				}
				text := responseText(code)
				rr.Value.Description = &text
				if op.Extensions[XJSONErrors] == true && !strings.HasPrefix(code, "2") {
					if len(rr.Value.Content) != 1 {
						return nil, fmt.Errorf("%s %s: error response %s has %d media types, expected one to declare as JSON", method, path, code, len(rr.Value.Content))
					}
					for _, mt := range rr.Value.Content {
						rr.Value.Content = openapi3.NewContentWithJSONSchemaRef(mt.Schema)
					}
				}
			}
			delete(op.Extensions, XJSONErrors)
			if op.OperationID == "" {
				return nil, fmt.Errorf("%s %s lost its operationId in conversion", method, path)
			}
		}
	}
	return v3, nil
}

// split builds the per-package documents.
func split(v3 *openapi3.T, ov *Overlay, ops []Op, opt Options) ([]*Package, error) {
	base := opt.ModulePath + "/gen/" + opt.API
	if opt.Single {
		p := &Package{Name: opt.API, Dir: opt.API, Doc: v3, Models: true, Client: true, Ops: ops}
		return []*Package{p}, nil
	}
	if ov.Package != "" {
		p := &Package{Name: ov.Package, Dir: opt.API, Doc: v3, Models: true, Client: true, Ops: ops}
		return []*Package{p}, nil
	}
	const modelsFile = "models.json"
	modelsImport := ModelImport{File: modelsFile, ImportPath: base + "/models"}
	byPkg := map[string][]Op{}
	for _, op := range ops {
		byPkg[op.Package] = append(byPkg[op.Package], op)
	}
	// Where each definition lives: models, or the second models package
	// of a split.
	fileOf := func(string) string { return modelsFile }
	imports := []ModelImport{modelsImport}
	coreSchemas := v3.Components.Schemas
	var rest *Package
	if ms := ov.ModelSplit; ms != nil {
		if _, ok := byPkg[ms.Core]; !ok {
			return nil, fmt.Errorf("modelSplit: core package %q has no operations", ms.Core)
		}
		core := reachedSchemas(v3, ms.Core)
		restFile := ms.Package + ".json"
		fileOf = func(name string) string {
			if core[name] {
				return modelsFile
			}
			return restFile
		}
		imports = append(imports, ModelImport{File: restFile, ImportPath: base + "/" + ms.Package})
		coreSchemas = openapi3.Schemas{}
		restSchemas := openapi3.Schemas{}
		for name, sr := range v3.Components.Schemas {
			if core[name] {
				coreSchemas[name] = sr
				continue
			}
			// Members that are models' definitions refer across.
			restSchemas[name] = externalize(sr, func(n string) string {
				if core[n] {
					return modelsFile
				}
				return ""
			})
		}
		restComponents := *v3.Components
		restComponents.Schemas = restSchemas
		rest = &Package{
			Name: ms.Package, Dir: opt.API + "/" + ms.Package, Models: true,
			Doc:      &openapi3.T{OpenAPI: v3.OpenAPI, Info: v3.Info, Paths: openapi3.NewPaths(), Components: &restComponents},
			External: []ModelImport{modelsImport},
			Holds: fmt.Sprintf("that the operations of package %s do not reach: %s; "+
				"the types they share with package %s are in package models", ms.Core, ms.Examples, ms.Core),
		}
	}
	modelComponents := *v3.Components
	modelComponents.Schemas = coreSchemas
	models := &Package{
		Name: "models", Dir: opt.API + "/models", Models: true,
		Doc: &openapi3.T{OpenAPI: v3.OpenAPI, Info: v3.Info, Paths: openapi3.NewPaths(), Components: &modelComponents},
	}
	out := []*Package{models}
	if rest != nil {
		models.Holds = fmt.Sprintf("that the operations of package %s reach, "+
			"with everything they contain; the other types are in package %s", ov.ModelSplit.Core, rest.Name)
		out = append(out, rest)
	}
	for _, name := range slices.Sorted(maps.Keys(byPkg)) {
		doc := &openapi3.T{OpenAPI: v3.OpenAPI, Info: v3.Info, Paths: openapi3.NewPaths(), Components: &openapi3.Components{}}
		for path, item := range v3.Paths.Map() {
			var kept *openapi3.PathItem
			for method, op := range item.Operations() {
				if op.Extensions[xPackage] != name {
					continue
				}
				if kept == nil {
					kept = &openapi3.PathItem{}
				}
				kept.SetOperation(method, externalizeOp(op, fileOf))
			}
			if kept != nil {
				doc.Paths.Set(path, kept)
			}
		}
		out = append(out, &Package{
			Name: name, Dir: opt.API + "/" + name, Doc: doc, Client: true, Ops: byPkg[name],
			External: usedImports(doc, imports),
		})
	}
	return out, nil
}

// usedImports keeps the models packages that doc's operations refer to
// (oapi-codegen imports only those).
func usedImports(doc *openapi3.T, imports []ModelImport) []ModelImport {
	used := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			opSchemas(op, func(sr *openapi3.SchemaRef) {
				walkSchema(sr, seen, func(sr *openapi3.SchemaRef) bool {
					if file, _, ok := strings.Cut(sr.Ref, "#"); ok && file != "" {
						used[file] = true
						return false
					}
					return true
				})
			})
		}
	}
	var out []ModelImport
	for _, m := range imports {
		if used[m.File] {
			out = append(out, m)
		}
	}
	return out
}

// schemaPrefix starts a reference to a component schema.
const schemaPrefix = "#/components/schemas/"

// reachedSchemas names the component schemas that the operations of
// package pkg reach, directly or through other schemas.
func reachedSchemas(v3 *openapi3.T, pkg string) map[string]bool {
	reached := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	for _, item := range v3.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Extensions[xPackage] != pkg {
				continue
			}
			opSchemas(op, func(sr *openapi3.SchemaRef) {
				walkSchema(sr, seen, func(sr *openapi3.SchemaRef) bool {
					if name, ok := strings.CutPrefix(sr.Ref, schemaPrefix); ok {
						reached[name] = true
					}
					return true
				})
			})
		}
	}
	return reached
}

// opSchemas calls f with the schema of each parameter, request body
// media type and response media type of op.
func opSchemas(op *openapi3.Operation, f func(*openapi3.SchemaRef)) {
	for _, p := range op.Parameters {
		if p.Value != nil {
			f(p.Value.Schema)
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, mt := range op.RequestBody.Value.Content {
			f(mt.Schema)
		}
	}
	for _, rr := range op.Responses.Map() {
		if rr.Value != nil {
			for _, mt := range rr.Value.Content {
				f(mt.Schema)
			}
		}
	}
}

// walkSchema calls f with sr and, while f returns true, with the schemas
// its value contains (compositions, not, items, additional properties,
// properties), depth first; seen, shared across calls, stops it from
// entering one schema value twice.
func walkSchema(sr *openapi3.SchemaRef, seen map[*openapi3.Schema]bool, f func(*openapi3.SchemaRef) bool) {
	if sr == nil || !f(sr) {
		return
	}
	s := sr.Value
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range refs {
			walkSchema(r, seen, f)
		}
	}
	walkSchema(s.Not, seen, f)
	walkSchema(s.Items, seen, f)
	walkSchema(s.AdditionalProperties.Schema, seen, f)
	for _, p := range s.Properties {
		walkSchema(p, seen, f)
	}
}

// externalizeOp returns a copy of op whose schema references point into
// the models documents (fileOf names the document of each definition)
// instead of the local components.
func externalizeOp(op *openapi3.Operation, fileOf func(string) string) *openapi3.Operation {
	c := *op
	c.Parameters = nil
	for _, pr := range op.Parameters {
		p := *pr.Value
		p.Schema = externalize(p.Schema, fileOf)
		c.Parameters = append(c.Parameters, &openapi3.ParameterRef{Value: &p})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		rb := *op.RequestBody.Value
		rb.Content = externalizeContent(rb.Content, fileOf)
		c.RequestBody = &openapi3.RequestBodyRef{Value: &rb}
	}
	c.Responses = openapi3.NewResponses()
	c.Responses.Delete("default")
	for code, rr := range op.Responses.Map() {
		r := *rr.Value
		r.Content = externalizeContent(r.Content, fileOf)
		c.Responses.Set(code, &openapi3.ResponseRef{Value: &r})
	}
	return &c
}

func externalizeContent(content openapi3.Content, fileOf func(string) string) openapi3.Content {
	if content == nil {
		return nil
	}
	out := openapi3.Content{}
	for mt, m := range content {
		c := *m
		c.Schema = externalize(m.Schema, fileOf)
		out[mt] = &c
	}
	return out
}

// externalize copies sr with each reference to a component schema
// prefixed by the document fileOf names for it; an empty name keeps the
// reference local.
func externalize(sr *openapi3.SchemaRef, fileOf func(string) string) *openapi3.SchemaRef {
	if sr == nil {
		return nil
	}
	if sr.Ref != "" {
		name, ok := strings.CutPrefix(sr.Ref, schemaPrefix)
		if !ok || fileOf(name) == "" {
			return sr
		}
		return &openapi3.SchemaRef{Ref: fileOf(name) + sr.Ref, Value: sr.Value}
	}
	if sr.Value == nil {
		return sr
	}
	s := *sr.Value
	s.Items = externalize(s.Items, fileOf)
	s.Not = externalize(s.Not, fileOf)
	for _, l := range []*openapi3.SchemaRefs{&s.AllOf, &s.OneOf, &s.AnyOf} {
		if *l != nil {
			refs := make(openapi3.SchemaRefs, len(*l))
			for i, r := range *l {
				refs[i] = externalize(r, fileOf)
			}
			*l = refs
		}
	}
	if len(s.Properties) > 0 {
		s.Properties = openapi3.Schemas{}
		for k, v := range sr.Value.Properties {
			s.Properties[k] = externalize(v, fileOf)
		}
	}
	if s.AdditionalProperties.Schema != nil {
		s.AdditionalProperties.Schema = externalize(s.AdditionalProperties.Schema, fileOf)
	}
	return &openapi3.SchemaRef{Value: &s}
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// normalizeSchemas sets empty composition lists to nil: the conversion
// leaves some as empty non-nil slices, which oapi-codegen treats as a
// composition of nothing.
func normalizeSchemas(v3 *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	normalize := func(sr *openapi3.SchemaRef) bool {
		if s := sr.Value; s != nil && !seen[s] {
			for _, l := range []*openapi3.SchemaRefs{&s.AllOf, &s.OneOf, &s.AnyOf} {
				if len(*l) == 0 {
					*l = nil
				}
			}
		}
		return true
	}
	if v3.Components != nil {
		for _, sr := range v3.Components.Schemas {
			walkSchema(sr, seen, normalize)
		}
	}
	for _, item := range v3.Paths.Map() {
		for _, op := range item.Operations() {
			opSchemas(op, func(sr *openapi3.SchemaRef) { walkSchema(sr, seen, normalize) })
		}
	}
}

// stringIDs removes format uuid from path and query parameters: the
// generated methods take ids as strings (see Overlay.StringIDs).
func stringIDs(d doc) {
	strip := func(params []any) {
		for _, p := range params {
			if pm, ok := p.(map[string]any); ok && (pm["in"] == "path" || pm["in"] == "query") && pm["format"] == "uuid" {
				delete(pm, "format")
			}
		}
	}
	paths, _ := d["paths"].(map[string]any)
	for _, item := range paths {
		im, _ := item.(map[string]any)
		if ps, ok := im["parameters"].([]any); ok {
			strip(ps)
		}
	}
	for _, o := range operations(d) {
		ps, _ := o.Op["parameters"].([]any)
		strip(ps)
	}
	if ps, ok := d["parameters"].(map[string]any); ok {
		for _, p := range ps {
			strip([]any{p})
		}
	}
}
