package emit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// ExtraField is the field that holds a model's unknown members.
const ExtraField = "Extra"

// Lenient is the one generator step that decides how generated models read
// and write JSON. It rewrites generated source: each model struct (a struct type with
// JSON-tagged fields that is not a parameter struct, response wrapper or
// multipart form, and has no JSON methods of its own) gets the Extra field and two one-line
// methods, and the file imports jsonxPath. It fails if a model already
// has a field called Extra.
func Lenient(src []byte, jsonxPath string) ([]byte, error) {
	fset, f, err := parseGenerated(src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	hasMethods := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && (fd.Name.Name == "MarshalJSON" || fd.Name.Name == "UnmarshalJSON") {
			hasMethods[receiverName(fd)] = true
		}
	}
	var inserts []edit
	var methods strings.Builder
	for ts := range typeSpecs(f) {
		st, ok := ts.Type.(*ast.StructType)
		if !ok || ts.Assign.IsValid() || ts.TypeParams != nil || !isModel(st) || hasMethods[ts.Name.Name] ||
			strings.HasSuffix(ts.Name.Name, "MultipartBody") {
			continue
		}
		for _, fl := range st.Fields.List {
			if len(fl.Names) == 0 {
				return nil, fmt.Errorf("model %s embeds a type; package jsonx decodes fields only, so flatten it in the converter", ts.Name.Name)
			}
		}
		if hasField(st, ExtraField) {
			return nil, fmt.Errorf("model %s already has a field %s; rename the member in the overlay or choose another emit.ExtraField", ts.Name.Name, ExtraField)
		}
		at := fset.Position(st.Fields.Closing).Offset
		inserts = append(inserts, edit{at, at,
			"\t// " + ExtraField + " holds members not modelled here, kept verbatim and written back; see package jsonx.\n\t" +
				ExtraField + " jsonx.Extra `json:\"-\"`\n"})
		n := ts.Name.Name
		fmt.Fprintf(&methods, "\n// UnmarshalJSON decodes %s leniently, keeping unknown members in Extra (package jsonx).\n", n)
		fmt.Fprintf(&methods, "func (v *%s) UnmarshalJSON(b []byte) error { return jsonx.Unmarshal(b, v) }\n", n)
		fmt.Fprintf(&methods, "\n// MarshalJSON encodes %s and the members held in Extra (package jsonx).\n", n)
		fmt.Fprintf(&methods, "func (v %s) MarshalJSON() ([]byte, error) { return jsonx.Marshal(&v) }\n", n)
	}
	if len(inserts) == 0 {
		return src, nil
	}
	at, text := importInsert(fset, f, jsonxPath)
	inserts = append(inserts, edit{at, at, text})
	return append(splice(src, inserts), methods.String()...), nil
}

// importInsert places the jsonx import in the file's first import block.
func importInsert(fset *token.FileSet, f *ast.File, path string) (at int, text string) {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			return fset.Position(gd.Rparen).Offset, "\t" + strconv.Quote(path) + "\n"
		}
		return fset.Position(gd.Pos()).Offset, "import " + strconv.Quote(path) + "\n"
	}
	return fset.Position(f.Name.End()).Offset, "\n\nimport " + strconv.Quote(path) + "\n"
}

// isModel tells a JSON model from parameter structs (form tags), response
// wrappers (HTTPResponse) and plain Go structs (no JSON tags).
func isModel(st *ast.StructType) bool {
	tagged := false
	for _, fl := range st.Fields.List {
		for _, n := range fl.Names {
			if n.Name == "HTTPResponse" {
				return false
			}
		}
		if fl.Tag == nil {
			continue
		}
		tag, err := strconv.Unquote(fl.Tag.Value)
		if err != nil {
			continue
		}
		st := reflect.StructTag(tag)
		if _, ok := st.Lookup("form"); ok {
			return false
		}
		if _, ok := st.Lookup("json"); ok {
			tagged = true
		}
	}
	return tagged
}
