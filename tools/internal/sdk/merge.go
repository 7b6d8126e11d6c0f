package sdk

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/dsgo/docusign/tools/internal/convert"
)

// The extensions set on merged Swagger operations, read by the converter.
const (
	XSource     = convert.XSource
	XDeprecated = convert.XDeprecated
)

// The merge rules, stated once for the report and the package docs.
const Rules = `- An operation (HTTP method and path) the SDK declares and the pinned spec lacks is added, with the SDK's path, query and body parameters and its success model; it is generated into the package the overlay maps it to (sdkPackages by SDK class, operationPackages by Class_method), and generation fails on an unmapped one.
- A spec operation the SDK no longer declares is kept and marked Deprecated.
- On an operation both declare: a query parameter only the SDK has is added (optional, string); a body only the SDK has is added; a parameter only the spec has is kept; where the two name different body or success models, the spec's is kept.
- A model member only the SDK has is added with the SDK's type; a model only the SDK has is added as a definition (kept only when an operation reaches it).
- A member whose name differs from a spec member's only in case is the spec's member (Go's JSON decoding matches names case-insensitively).
- Where the two give an existing member different types, the spec's type is kept: changing a Go field's type would break callers, and decoding is lenient about scalar forms.`

// Report lists what a merge added and where the two sources disagree.
type Report struct {
	SDK            string      // e.g. docusign-esign 10.0.0
	AddedOps       []Op        // operations only the SDK has
	DeprecatedOps  []string    // "METHOD path" of spec operations the SDK lacks
	AddedParams    []string    // "METHOD path: name"
	SpecOnlyParams []string    // "METHOD path: name"
	AddedBodies    []string    // "METHOD path: what"
	ModelConflicts []string    // body or success model disagreements
	AddedDefs      []string    // definition names
	AddedMembers   [][2]string // definition, member
	TypeConflicts  []string    // "definition.member: spec T, SDK U"
	SDKOps         int         // operations the SDK declares
}

type doc = map[string]any

// Merge adds to the Swagger 2.0 document d what the SDK surface s declares
// and d lacks, by the rules in Rules. Every operation of d gets XSource.
func Merge(d doc, s *Surface, sdkName string) (*Report, error) {
	r := &Report{SDK: sdkName, SDKOps: len(s.Ops)}
	defs, _ := d["definitions"].(map[string]any)
	paths, _ := d["paths"].(map[string]any)
	if defs == nil || paths == nil {
		return nil, fmt.Errorf("merge: the document has no definitions or paths")
	}
	m := &merger{defs: defs, s: s, r: r, byKey: map[string]string{}}
	// Some spec definitions differ only in case (one of them unreachable
	// and pruned later); the SDK's model maps to the camelCase one, the
	// spec's naming style for what operations use.
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		k := key(name)
		if prev, ok := m.byKey[k]; !ok || unicode.IsUpper(rune(prev[0])) && !unicode.IsUpper(rune(name[0])) {
			m.byKey[k] = name
		}
	}
	// Models first, so that operations can refer to them.
	for _, name := range slices.Sorted(maps.Keys(s.Models)) {
		if _, err := m.model(name); err != nil {
			return nil, err
		}
	}
	sdkOps := map[string]Op{}
	for _, o := range s.Ops {
		if prev, dup := sdkOps[o.Key()]; dup {
			return nil, fmt.Errorf("merge: SDK methods %s and %s are both %s", prev.ID(), o.ID(), o.Key())
		}
		sdkOps[o.Key()] = o
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[p].(map[string]any)
		for _, meth := range methods {
			op, ok := item[meth].(map[string]any)
			if !ok {
				continue
			}
			op[XSource] = "spec"
			k := strings.ToUpper(meth) + " " + p
			o, ok := sdkOps[k]
			if !ok {
				op[XDeprecated] = true
				r.DeprecatedOps = append(r.DeprecatedOps, k)
				continue
			}
			if err := m.reconcile(k, op, o); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range s.Ops {
		p, meth := o.Path, strings.ToLower(o.Method)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		if _, ok := item[meth]; ok {
			continue
		}
		op, err := m.newOp(o)
		if err != nil {
			return nil, fmt.Errorf("merge: SDK %s (%s): %w", o.ID(), o.Key(), err)
		}
		item[meth] = op
		r.AddedOps = append(r.AddedOps, o)
	}
	slices.Sort(r.AddedDefs)
	return r, nil
}

var methods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

type merger struct {
	defs  map[string]any
	s     *Surface
	r     *Report
	byKey map[string]string // key(definition name) -> definition name
	done  map[string]string // SDK model -> definition, once merged
}

// key folds a name the way Go type names collide.
func key(name string) string { return convert.GoTypeKey(name) }

func ref(def string) map[string]any { return map[string]any{"$ref": "#/definitions/" + def} }

// model merges the SDK model name into the definitions and returns its
// definition name.
func (m *merger) model(name string) (string, error) {
	if m.done == nil {
		m.done = map[string]string{}
	}
	if def, ok := m.done[name]; ok {
		return def, nil
	}
	sm, ok := m.s.Models[name]
	if !ok {
		return "", fmt.Errorf("merge: the SDK refers to model %s, which it does not define", name)
	}
	def, exists := m.definition(name)
	if !exists {
		def = strings.ToLower(name[:1]) + name[1:]
		m.defs[def] = map[string]any{"type": "object", "properties": map[string]any{}}
		m.byKey[key(def)] = def
		m.r.AddedDefs = append(m.r.AddedDefs, def)
	}
	m.done[name] = def
	schema, _ := m.defs[def].(map[string]any)
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		if schema["type"] != nil && schema["type"] != "object" {
			return "", fmt.Errorf("merge: definition %s is a %v, the SDK's %s an object", def, schema["type"], name)
		}
		props = map[string]any{}
		schema["properties"] = props
	}
	folded := map[string]string{}
	for p := range props {
		folded[key(p)] = p
	}
	for _, mem := range sm.Members {
		want, err := m.schema(mem.Type)
		if err != nil {
			return "", fmt.Errorf("merge: %s.%s: %w", name, mem.Name, err)
		}
		specName, ok := folded[key(mem.Name)]
		if ok && specName != mem.Name {
			m.r.TypeConflicts = append(m.r.TypeConflicts, fmt.Sprintf("%s.%s: spec spells it %s (kept; JSON decoding ignores case)", def, mem.Name, specName))
		}
		have, ok := props[specName].(map[string]any)
		if !ok {
			props[mem.Name] = want
			if exists {
				m.r.AddedMembers = append(m.r.AddedMembers, [2]string{def, mem.Name})
			}
			continue
		}
		if a, b := m.describe(have), m.describe(want); a != b {
			m.r.TypeConflicts = append(m.r.TypeConflicts, fmt.Sprintf("%s.%s: spec %s, SDK %s", def, mem.Name, a, b))
		}
	}
	return def, nil
}

// definition finds the spec definition of an SDK model: same name but for
// case, or the names the SDK's generator gives instead (a Model prefix on
// names that clash with JavaScript globals such as Date and Number; no
// ApiModel suffix).
func (m *merger) definition(name string) (string, bool) {
	k := key(name)
	if def, ok := m.byKey[k]; ok {
		return def, true
	}
	if base, ok := strings.CutPrefix(k, "model"); ok {
		if def, ok := m.byKey[base]; ok {
			return def, true
		}
	}
	def, ok := m.byKey[k+"apimodel"]
	return def, ok
}

// schema is the Swagger schema of an SDK type.
func (m *merger) schema(t Type) (map[string]any, error) {
	switch t.Kind {
	case "string", "boolean", "number":
		return map[string]any{"type": t.Kind}, nil
	case "object":
		return map[string]any{"type": "object"}, nil
	case "map":
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}, nil
	case "model":
		def, err := m.model(t.Model)
		return ref(def), err
	case "array":
		if t.Items == "model" {
			def, err := m.model(t.Model)
			return map[string]any{"type": "array", "items": ref(def)}, err
		}
		return map[string]any{"type": "array", "items": map[string]any{"type": t.Items}}, nil
	}
	return nil, fmt.Errorf("unknown kind %q", t.Kind)
}

// describe names a Swagger schema's type in the report's terms: scalar
// kinds, a definition (by its folded name), array of those.
func (m *merger) describe(s map[string]any) string {
	if r, ok := s["$ref"].(string); ok {
		return "model " + key(strings.TrimPrefix(r, "#/definitions/"))
	}
	switch t, _ := s["type"].(string); t {
	case "array":
		items, _ := s["items"].(map[string]any)
		return "[]" + m.describe(items)
	case "integer", "number":
		return "number"
	case "object":
		if _, ok := s["additionalProperties"]; ok {
			return "map"
		}
		return "object"
	case "":
		return "any"
	default:
		return t
	}
}

// reconcile compares an operation both sources declare and adds what only
// the SDK has.
func (m *merger) reconcile(k string, op map[string]any, o Op) error {
	params, _ := op["parameters"].([]any)
	query := map[string]bool{}
	var specBody map[string]any
	for _, p := range params {
		pm, _ := p.(map[string]any)
		switch pm["in"] {
		case "query":
			query[pm["name"].(string)] = true
		case "body":
			specBody = pm
		}
	}
	sdkQuery := map[string]bool{}
	for _, q := range o.Query {
		sdkQuery[q.Name] = true
		if !query[q.Name] {
			params = append(params, queryParam(q))
			m.r.AddedParams = append(m.r.AddedParams, k+": "+q.Name)
		}
	}
	for _, q := range slices.Sorted(maps.Keys(query)) {
		if !sdkQuery[q] {
			m.r.SpecOnlyParams = append(m.r.SpecOnlyParams, k+": "+q)
		}
	}
	switch {
	case o.Body != nil && specBody == nil && !hasForm(params):
		bp, what, err := m.bodyParam(o)
		if err != nil {
			return err
		}
		params = append(params, bp)
		if o.Body.Model == "" {
			op["consumes"] = toAny(o.ContentTypes)
		}
		m.r.AddedBodies = append(m.r.AddedBodies, k+": "+what)
	case o.Body != nil && o.Body.Model != "" && specBody != nil:
		schema, _ := specBody["schema"].(map[string]any)
		def, err := m.model(o.Body.Model)
		if err != nil {
			return err
		}
		if a, b := m.describe(schema), m.describe(ref(def)); a != b {
			m.r.ModelConflicts = append(m.r.ModelConflicts, fmt.Sprintf("%s: body: spec %s, SDK %s", k, a, b))
		}
	}
	op["parameters"] = params
	if o.Returns != "" {
		def, err := m.model(o.Returns)
		if err != nil {
			return err
		}
		resps, _ := op["responses"].(map[string]any)
		var specOK map[string]any
		for _, code := range []string{"200", "201"} {
			if r, ok := resps[code].(map[string]any); ok {
				specOK = r
				break
			}
		}
		if schema, ok := specOK["schema"].(map[string]any); ok {
			if a, b := m.describe(schema), m.describe(ref(def)); a != b {
				m.r.ModelConflicts = append(m.r.ModelConflicts, fmt.Sprintf("%s: response: spec %s, SDK %s", k, a, b))
			}
		} else {
			m.r.ModelConflicts = append(m.r.ModelConflicts, fmt.Sprintf("%s: response: spec none, SDK model %s", k, key(def)))
		}
	}
	return nil
}

func hasForm(params []any) bool {
	for _, p := range params {
		if pm, _ := p.(map[string]any); pm["in"] == "formData" {
			return true
		}
	}
	return false
}

func queryParam(q Param) map[string]any {
	return map[string]any{"name": q.Name, "in": "query", "type": "string", "required": q.Required}
}

// bodyParam is the Swagger body parameter of an SDK body: its model, or
// raw bytes in the SDK's content type.
func (m *merger) bodyParam(o Op) (map[string]any, string, error) {
	if o.Body.Model != "" {
		def, err := m.model(o.Body.Model)
		if err != nil {
			return nil, "", err
		}
		return map[string]any{"name": "body", "in": "body", "required": o.Body.Required, "schema": ref(def)}, "JSON " + def, nil
	}
	if len(o.ContentTypes) == 0 {
		return nil, "", fmt.Errorf("raw body without a content type")
	}
	return map[string]any{"name": "body", "in": "body", "required": true, "schema": map[string]any{"type": "string", "format": "binary"}},
		"raw " + strings.Join(o.ContentTypes, ", "), nil
}

// newOp builds the Swagger operation of an SDK method.
func (m *merger) newOp(o Op) (map[string]any, error) {
	var params []any
	for _, p := range o.PathParams {
		if !strings.Contains(o.Path, "{"+p+"}") {
			return nil, fmt.Errorf("path parameter %s is not in the path", p)
		}
		params = append(params, map[string]any{"name": p, "in": "path", "type": "string", "required": true})
	}
	for _, q := range o.Query {
		params = append(params, queryParam(q))
	}
	if len(o.Form) > 0 {
		return nil, fmt.Errorf("multipart form parameters on a new operation are not supported")
	}
	op := map[string]any{
		"operationId":     o.ID(),
		"tags":            []any{o.Class},
		"x-ds-methodname": o.Name,
		XSource:           "sdk",
	}
	if o.Body != nil {
		bp, _, err := m.bodyParam(o)
		if err != nil {
			return nil, err
		}
		params = append(params, bp)
		if o.Body.Model == "" {
			op["consumes"] = toAny(o.ContentTypes)
		}
	}
	op["parameters"] = params
	ok := map[string]any{"description": "OK"}
	if o.Returns != "" {
		def, err := m.model(o.Returns)
		if err != nil {
			return nil, err
		}
		ok["schema"] = ref(def)
	}
	if len(o.Accepts) > 0 && !(len(o.Accepts) == 1 && o.Accepts[0] == "application/json") {
		op["produces"] = toAny(o.Accepts)
		op[convert.XJSONErrors] = true // DocuSign's errors are JSON whatever the success type
	}
	errDef, err := m.model("ErrorDetails")
	if err != nil {
		return nil, err
	}
	op["responses"] = map[string]any{
		"200": ok,
		"400": map[string]any{"description": "Bad Request", "schema": ref(errDef)},
	}
	return op, nil
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
