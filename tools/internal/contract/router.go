package contract

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// router finds the operation of a request in one API's document by path
// template and method. kin-openapi's own routers validate the whole
// document first, which DocuSign's specs do not pass; this one only
// matches.
type router struct {
	doc    *openapi3.T
	prefix string // URL path prefix of the API on the fake, e.g. /restapi
	routes []compiledRoute
}

type compiledRoute struct {
	template string
	re       *regexp.Regexp
	names    []string
	literal  int // literal characters: more specific templates first
}

var paramRE = regexp.MustCompile(`\{([^}]+)\}`)

func newRouter(doc *openapi3.T, prefix string) *router {
	r := &router{doc: doc, prefix: prefix}
	for tmpl := range doc.Paths.Map() {
		var names []string
		var pattern strings.Builder
		pattern.WriteString("^")
		last := 0
		for _, m := range paramRE.FindAllStringSubmatchIndex(tmpl, -1) {
			pattern.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
			pattern.WriteString("([^/]+)")
			names = append(names, tmpl[m[2]:m[3]])
			last = m[1]
		}
		pattern.WriteString(regexp.QuoteMeta(tmpl[last:]) + "$")
		r.routes = append(r.routes, compiledRoute{
			template: tmpl, re: regexp.MustCompile(pattern.String()), names: names,
			literal: len(paramRE.ReplaceAllString(tmpl, "")),
		})
	}
	sort.Slice(r.routes, func(i, j int) bool {
		if r.routes[i].literal != r.routes[j].literal {
			return r.routes[i].literal > r.routes[j].literal
		}
		return r.routes[i].template < r.routes[j].template
	})
	return r
}

// find returns the route and path parameters of req, or nil.
func (r *router) find(req *http.Request) (*routers.Route, map[string]string) {
	path, ok := strings.CutPrefix(req.URL.Path, r.prefix)
	if !ok {
		return nil, nil
	}
	for _, cr := range r.routes {
		m := cr.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		item := r.doc.Paths.Value(cr.template)
		op := item.GetOperation(req.Method)
		if op == nil {
			continue
		}
		params := map[string]string{}
		for i, n := range cr.names {
			params[n] = m[i+1]
		}
		return &routers.Route{Spec: r.doc, Path: cr.template, PathItem: item, Method: req.Method, Operation: op}, params
	}
	return nil, nil
}
