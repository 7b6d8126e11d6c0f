package sdk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Surface is what an SDK package declares.
type Surface struct {
	Ops    []Op              // in file and declaration order
	Models map[string]*Model // by SDK model name (e.g. EnvelopeDocument)
}

// Op is one SDK method: one HTTP operation.
type Op struct {
	Class  string // API class without the Api suffix, e.g. Envelopes
	Name   string // method name, e.g. updateDocument
	Method string // upper case
	Path   string // e.g. /v2.1/accounts/{accountId}/envelopes
	// PathParams are the path template's parameter names.
	PathParams []string
	Query      []Param
	Form       []string // multipart form part names
	// Body is the request body: nil for none.
	Body *Body
	// ContentTypes and Accepts are the declared request and response media
	// types (empty means JSON).
	ContentTypes, Accepts []string
	// Returns is the SDK model of a success response; empty for none or
	// for an untyped one (Object).
	Returns string
}

// Param is a query parameter.
type Param struct {
	Name     string // wire name
	Required bool
}

// Body is a request body: a model, or raw bytes (Model empty).
type Body struct {
	Model    string
	Required bool
}

// Key is the operation's identity: method and path.
func (o Op) Key() string { return o.Method + " " + o.Path }

// ID is the operation's name in generation and reports: Class_name.
func (o Op) ID() string { return o.Class + "_" + o.Name }

// Model is one SDK model.
type Model struct {
	Name    string
	Members []Member // sorted by name
}

// Member is one model member and its type.
type Member struct {
	Name string
	Type Type
}

// Type is an SDK member type.
type Type struct {
	// Kind is string, boolean, number, object, map (string to string),
	// model or array.
	Kind string
	// Model names the model of a model kind, or of array items that are
	// models.
	Model string
	// Items is the element kind of an array: string or model.
	Items string
}

func (t Type) String() string {
	switch t.Kind {
	case "model":
		return t.Model
	case "array":
		if t.Items == "model" {
			return "[]" + t.Model
		}
		return "[]" + t.Items
	}
	return t.Kind
}

// Read parses an npm tarball of the SDK.
func Read(tgz []byte) (*Surface, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("sdk tarball: %w", err)
	}
	tr := tar.NewReader(zr)
	s := &Surface{Models: map[string]*Model{}}
	var errs []error
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sdk tarball: %w", err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".js") {
			continue
		}
		dir, file := path.Split(h.Name)
		var kind string
		switch {
		case strings.HasSuffix(dir, "src/api/"):
			kind = "api"
		case strings.HasSuffix(dir, "src/model/"):
			kind = "model"
		default:
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, 16<<20))
		if err != nil {
			return nil, fmt.Errorf("sdk tarball: %s: %w", h.Name, err)
		}
		name := strings.TrimSuffix(file, ".js")
		if kind == "api" {
			ops, err := parseAPI(strings.TrimSuffix(name, "Api"), string(b))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", h.Name, err))
			}
			s.Ops = append(s.Ops, ops...)
			continue
		}
		m, err := parseModel(name, string(b))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.Name, err))
			continue
		}
		s.Models[name] = m
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(s.Ops) == 0 || len(s.Models) == 0 {
		return nil, fmt.Errorf("sdk tarball: found %d operations and %d models: not an SDK package of the expected layout (package/src/api, package/src/model)", len(s.Ops), len(s.Models))
	}
	slices.SortStableFunc(s.Ops, func(a, b Op) int { return strings.Compare(a.ID(), b.ID()) })
	return s, nil
}

var (
	methodStart = regexp.MustCompile(`(?m)^\s*this\.(\w+) = function\(([^)]*)\) \{`)
	postBody    = regexp.MustCompile(`var postBody = (?:null|optsOrCallback\['(\w+)'\]|(\w+));`)
	callAPI     = regexp.MustCompile(`callApi\(\s*'([^']*)', '([A-Z]+)'`)
	returnType  = regexp.MustCompile(`var returnType = (\w+);`)
	objectVar   = func(name string) *regexp.Regexp {
		return regexp.MustCompile(`var ` + name + ` = \{([^}]*)\};`)
	}
	pathParamsVar  = objectVar("pathParams")
	queryParamsVar = objectVar("queryParams")
	formParamsVar  = objectVar("formParams")
	headerVar      = objectVar("headerParams")
	entry          = regexp.MustCompile(`'([^']+)': (?:optsOrCallback\['(\w+)'\]|(\w+))`)
	listVar        = func(name string) *regexp.Regexp {
		return regexp.MustCompile(`var ` + name + ` = \[([^\]]*)\];`)
	}
	contentTypesVar = listVar("contentTypes")
	acceptsVar      = listVar("accepts")
	quoted          = regexp.MustCompile(`'([^']*)'`)
	paramDoc        = regexp.MustCompile(`@param \{([^}]*)\} ([\w.]+)`)
)

// parseAPI reads the methods of one src/api file. Every method must have
// the generated shape (a callApi with a literal path and method); any
// other is an error, so a change of layout fails loudly.
func parseAPI(class, src string) ([]Op, error) {
	starts := methodStart.FindAllStringSubmatchIndex(src, -1)
	var ops []Op
	var errs []error
	for i, st := range starts {
		end := len(src)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		body := src[st[1]:end]
		docFrom := 0
		if i > 0 {
			docFrom = starts[i-1][1]
		}
		doc := src[docFrom:st[0]]
		if j := strings.LastIndex(doc, "/**"); j >= 0 {
			doc = doc[j:]
		}
		name := src[st[2]:st[3]]
		if name == "setApiClient" || name == "getApiClient" {
			continue // client accessors, not operations
		}
		op, err := parseMethod(class, name, doc, body)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.%s: %w", class, name, err))
			continue
		}
		ops = append(ops, op)
	}
	return ops, errors.Join(errs...)
}

func parseMethod(class, name, doc, body string) (Op, error) {
	op := Op{Class: class, Name: name}
	m := callAPI.FindStringSubmatch(body)
	if m == nil {
		return op, fmt.Errorf("no callApi(path, method)")
	}
	op.Path, op.Method = m[1], m[2]
	types := map[string]string{}
	for _, d := range paramDoc.FindAllStringSubmatch(doc, -1) {
		types[d[2]] = d[1]
	}
	for _, v := range []*regexp.Regexp{pathParamsVar, queryParamsVar, formParamsVar, headerVar, postBody, contentTypesVar, acceptsVar, returnType} {
		if !v.MatchString(body) {
			return op, fmt.Errorf("missing %s", v)
		}
	}
	for _, e := range entry.FindAllStringSubmatch(pathParamsVar.FindStringSubmatch(body)[1], -1) {
		op.PathParams = append(op.PathParams, e[1])
	}
	for _, e := range entry.FindAllStringSubmatch(queryParamsVar.FindStringSubmatch(body)[1], -1) {
		op.Query = append(op.Query, Param{Name: e[1], Required: e[3] != ""})
	}
	for _, e := range entry.FindAllStringSubmatch(formParamsVar.FindStringSubmatch(body)[1], -1) {
		op.Form = append(op.Form, e[1])
	}
	if h := entry.FindAllStringSubmatch(headerVar.FindStringSubmatch(body)[1], -1); len(h) > 0 {
		return op, fmt.Errorf("header parameters are not supported (found %s)", h[0][1])
	}
	pb := postBody.FindStringSubmatch(body)
	if arg := pb[1] + pb[2]; arg != "" {
		key, required := arg, pb[2] != ""
		if !required {
			key = "optsOrCallback." + arg
		}
		t, ok := types[key]
		if !ok {
			return op, fmt.Errorf("body %s has no declared type", arg)
		}
		b := &Body{Required: required}
		if mdl, ok := strings.CutPrefix(t, "module:model/"); ok {
			b.Model = mdl
		} else if t != "Blob" {
			return op, fmt.Errorf("body %s has type %s, expected a model or Blob", arg, t)
		}
		op.Body = b
	}
	for _, q := range quoted.FindAllStringSubmatch(contentTypesVar.FindStringSubmatch(body)[1], -1) {
		op.ContentTypes = append(op.ContentTypes, q[1])
	}
	for _, q := range quoted.FindAllStringSubmatch(acceptsVar.FindStringSubmatch(body)[1], -1) {
		op.Accepts = append(op.Accepts, q[1])
	}
	if rt := returnType.FindStringSubmatch(body)[1]; rt != "null" && rt != "Object" {
		op.Returns = rt
	}
	return op, nil
}

var (
	memberConvert = regexp.MustCompile(`obj\['(\w+)'\] = ApiClient\.convertToType\(data\['\w+'\], ([^)]*)\);`)
	memberModel   = regexp.MustCompile(`obj\['(\w+)'\] = (\w+)\.constructFromObject\(data\['\w+'\]\);`)
	memberAny     = regexp.MustCompile(`obj\['(\w+)'\] = `)
	arrayOfModel  = regexp.MustCompile(`^\[([A-Z]\w*)\]$`)
)

// parseModel reads the members of one src/model file from its
// constructFromObject body. A member assignment of another shape is an
// error.
func parseModel(name, src string) (*Model, error) {
	i := strings.Index(src, "constructFromObject = function")
	if i < 0 {
		return nil, fmt.Errorf("no constructFromObject")
	}
	src = src[i:]
	if j := strings.Index(src, "return obj;"); j >= 0 {
		src = src[:j]
	}
	m := &Model{Name: name}
	known := 0
	for _, c := range memberConvert.FindAllStringSubmatch(src, -1) {
		t, err := convertType(c[2])
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", c[1], err)
		}
		m.Members = append(m.Members, Member{Name: c[1], Type: t})
		known++
	}
	for _, c := range memberModel.FindAllStringSubmatch(src, -1) {
		m.Members = append(m.Members, Member{Name: c[1], Type: Type{Kind: "model", Model: c[2]}})
		known++
	}
	if all := len(memberAny.FindAllString(src, -1)); all != known {
		return nil, fmt.Errorf("%d member assignments, %d of a known shape", all, known)
	}
	slices.SortFunc(m.Members, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return m, nil
}

func convertType(arg string) (Type, error) {
	switch arg {
	case "'String'":
		return Type{Kind: "string"}, nil
	case "'Boolean'":
		return Type{Kind: "boolean"}, nil
	case "'Number'":
		return Type{Kind: "number"}, nil
	case "Object":
		return Type{Kind: "object"}, nil
	case "{'String': 'String'}":
		return Type{Kind: "map"}, nil
	case "['String']":
		return Type{Kind: "array", Items: "string"}, nil
	}
	if m := arrayOfModel.FindStringSubmatch(arg); m != nil {
		return Type{Kind: "array", Items: "model", Model: m[1]}, nil
	}
	return Type{}, fmt.Errorf("type %s is not one the reader knows", arg)
}
