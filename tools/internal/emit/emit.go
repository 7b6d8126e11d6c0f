package emit

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"iter"
	"os"

	"github.com/dsgo/docusign/tools/internal/convert"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"gopkg.in/yaml.v3"
)

// LoadConfig reads the shared settings (the root oapi-config.yaml).
func LoadConfig(path string) (codegen.Configuration, error) {
	var cfg codegen.Configuration
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// packageConfig adds one package's settings to the shared ones.
func packageConfig(shared codegen.Configuration, p *convert.Package) codegen.Configuration {
	cfg := shared
	cfg.PackageName = p.Name
	cfg.Generate.Models = true // operation parameter and body types
	cfg.Generate.Client = p.Client
	cfg.ImportMapping = nil
	for _, m := range p.External {
		if cfg.ImportMapping == nil {
			cfg.ImportMapping = map[string]string{}
		}
		cfg.ImportMapping[m.File] = m.ImportPath
	}
	empty := ""
	cfg.NoVCSVersionOverride = &empty
	return cfg
}

// Generate returns the formatted Go source of one package.
func Generate(shared codegen.Configuration, p *convert.Package) ([]byte, error) {
	cfg := packageConfig(shared, p)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: oapi-codegen settings: %w", p.Dir, err)
	}
	src, err := codegen.Generate(p.Doc, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: oapi-codegen: %w", p.Dir, err)
	}
	return []byte(src), nil
}

// typeSpecs yields the type declarations of f, in order.
func typeSpecs(f *ast.File) iter.Seq[*ast.TypeSpec] {
	return func(yield func(*ast.TypeSpec) bool) {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				if !yield(s.(*ast.TypeSpec)) {
					return
				}
			}
		}
	}
}

// TypeNames lists the types a generated file declares, in order.
func TypeNames(src []byte) ([]string, error) {
	_, f, err := parseGenerated(src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var names []string
	for ts := range typeSpecs(f) {
		names = append(names, ts.Name.Name)
	}
	return names, nil
}

// parseGenerated parses one file of oapi-codegen output for a rewriting
// step.
func parseGenerated(src []byte, mode parser.Mode) (*token.FileSet, *ast.File, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, mode)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing generated source: %w", err)
	}
	return fset, f, nil
}
