package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dsgo/docusign/tools/internal/convert"
	"github.com/dsgo/docusign/tools/internal/emit"
	"github.com/dsgo/docusign/tools/internal/sdk"
	"github.com/dsgo/docusign/tools/internal/speclock"
	"golang.org/x/mod/modfile"
)

// ModulePath is the library's module.
const ModulePath = "github.com/dsgo/docusign"

// APIs are the generated API directories under gen/, with display names.
var APIs = map[string]string{"esignature": "eSignature", "admin": "Admin", "monitor": "Monitor"}

// Config says what to generate.
type Config struct {
	Root    string            // project root
	Locator *speclock.Locator // nil means speclock.DefaultLocator(Root)
	Only    string            // one API only; empty means all
	Single  bool              // with Only: the whole API as one package
	Log     io.Writer         // progress; nil is silent
}

// Generate returns every generated file, keyed by slash path relative to
// gen/.
func Generate(ctx context.Context, cfg Config) (map[string][]byte, error) {
	lock, err := speclock.Read(filepath.Join(cfg.Root, "api", "specs.lock.json"))
	if err != nil {
		return nil, err
	}
	shared, err := emit.LoadConfig(filepath.Join(cfg.Root, "oapi-config.yaml"))
	if err != nil {
		return nil, err
	}
	version, err := codegenVersion(cfg.Root)
	if err != nil {
		return nil, err
	}
	loc := cfg.Locator
	if loc == nil {
		loc = speclock.DefaultLocator(cfg.Root)
	}
	files := map[string][]byte{}
	var all []*convert.Result
	for _, s := range lock.Specs {
		if cfg.Only != "" && s.Name != cfg.Only {
			continue
		}
		display, ok := APIs[s.Name]
		if !ok {
			return nil, fmt.Errorf("lock names spec %q, which the generator does not know (known: esignature, admin, monitor)", s.Name)
		}
		res, report, err := Convert(ctx, cfg.Root, loc, lock, s, cfg.Single)
		if err != nil {
			return nil, err
		}
		all = append(all, res)
		if report != nil && !cfg.Single {
			byID := map[string]convert.Op{}
			for _, op := range res.Ops {
				byID[op.OperationID] = op
			}
			files[s.Name+"/"+MergeReport] = report.Markdown(s.File, func(id string) string {
				op := byID[id]
				return fmt.Sprintf("%s.%s", op.Package, op.GoName)
			})
		}
		h := emit.Header{API: display, Spec: s.File, Commit: s.Commit, Codegen: version}
		if kit, ok := lock.SDKFor(s.Name); ok {
			h.SDK = fmt.Sprintf("%s (sha256 %s, pinned in api/specs.lock.json)", kit, kit.SHA256)
		}
		holds, modelSources := map[string]string{}, map[string][]byte{}
		for _, p := range res.Packages {
			src, err := emit.Generate(shared, p)
			if err != nil {
				return nil, err
			}
			if src, err = emit.Lenient(src, ModulePath+"/jsonx"); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Dir, err)
			}
			if src, err = emit.PointerResponses(src); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Dir, err)
			}
			if src, err = emit.Document(src, h, p.Ops); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Dir, err)
			}
			files[p.Dir+"/"+p.Name+".gen.go"] = src
			if p.Holds != "" {
				holds[p.Name], modelSources[p.Name] = p.Holds, src
			}
			if p.Client {
				mp, err := emit.Multipart(src, h, p.Name, p.Ops)
				if err != nil {
					return nil, err
				}
				if mp != nil {
					files[p.Dir+"/"+emit.MultipartFile] = mp
				}
			}
			files[p.Dir+"/doc.go"] = emit.PackageDoc(h, p, s)
		}
		if len(holds) > 0 {
			index, err := modelIndex(s.Name, holds, modelSources)
			if err != nil {
				return nil, err
			}
			files[s.Name+"/"+ModelIndex] = index
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%s: %d operations in %d packages; %d unreachable definitions dropped\n",
				s.Name, len(res.Ops), len(res.Packages), len(res.Pruned))
		}
	}
	if cfg.Only == "" {
		files[OperationIndex] = operationIndex(all)
	}
	return files, nil
}

// Convert reads and converts one locked spec, merged with the SDK the
// lock pins for it (report is nil when there is none): the documents that
// generation uses, also for tools that validate against them.
func Convert(ctx context.Context, root string, loc *speclock.Locator, lock *speclock.Lock, s speclock.Spec, single bool) (res *convert.Result, report *sdk.Report, err error) {
	raw, err := loc.Load(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	ov, err := convert.ReadOverlay(filepath.Join(root, "api", "overlays", s.Name+".json"))
	if err != nil {
		return nil, nil, err
	}
	opt := convert.Options{API: s.Name, ModulePath: ModulePath, Single: single}
	if kit, ok := lock.SDKFor(s.Name); ok {
		tgz, err := loc.LoadSDK(ctx, kit)
		if err != nil {
			return nil, nil, err
		}
		surface, err := sdk.Read(tgz)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", kit, err)
		}
		opt.MergedFrom = "SDK " + kit.String()
		opt.Merge = func(d map[string]any) (err error) {
			report, err = sdk.Merge(d, surface, kit.String())
			return err
		}
	}
	res, err = convert.Convert(raw, ov, opt)
	return res, report, err
}

// MergeReport is the file, in an API's gen/ directory, listing what the
// SDK merge added and where the sources disagree.
const MergeReport = "SDK-MERGE.md"

// OperationIndex is the file under gen/ listing every operation.
const OperationIndex = "OPERATIONS.md"

// Write replaces the generated API directories under dir with files.
func Write(dir string, files map[string][]byte, only string) error {
	for api := range APIs {
		if only == "" || only == api {
			if err := os.RemoveAll(filepath.Join(dir, api)); err != nil {
				return err
			}
		}
	}
	if only == "" {
		if err := os.Remove(filepath.Join(dir, OperationIndex)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Diff compares files with the generated API directories under dir (only
// the one named by only, when set, as Write replaces) and describes every
// difference; empty means none.
func Diff(dir string, files map[string][]byte, only string) (string, error) {
	have := map[string][]byte{}
	if only == "" {
		if b, err := os.ReadFile(filepath.Join(dir, OperationIndex)); err == nil {
			have[OperationIndex] = b
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	for api := range APIs {
		if only != "" && only != api {
			continue
		}
		root := filepath.Join(dir, api)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			b, err := os.ReadFile(p)
			have[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil {
			return "", err
		}
	}
	var out strings.Builder
	for _, name := range slices.Sorted(maps.Keys(files)) {
		old, ok := have[name]
		switch {
		case !ok:
			fmt.Fprintf(&out, "gen/%s: missing (would be created)\n", name)
		case !bytes.Equal(old, files[name]):
			fmt.Fprintf(&out, "gen/%s: differs\n%s", name, firstDifference(old, files[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(have)) {
		if _, ok := files[name]; !ok {
			fmt.Fprintf(&out, "gen/%s: stale (would be removed)\n", name)
		}
	}
	return out.String(), nil
}

// firstDifference shows the first differing lines of two files.
func firstDifference(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || i >= len(al) || i >= len(bl) {
			return fmt.Sprintf("  line %d:\n  - committed: %s\n  + generated: %s\n", i+1, x, y)
		}
	}
	return ""
}

// codegenVersion is the oapi-codegen version that tools/go.mod requires
// (read from the file so that dsgen and its tests agree).
func codegenVersion(root string) (string, error) {
	p := filepath.Join(root, "tools", "go.mod")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(p, b, nil)
	if err != nil {
		return "", err
	}
	for _, r := range f.Require {
		if r.Mod.Path == "github.com/oapi-codegen/oapi-codegen/v2" {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("%s does not require oapi-codegen", p)
}
