// Command compilebench measures, side by side in one run, the cold compile
// of a tiny program that creates an envelope (it imports only
// gen/esignature/envelopes and gen/esignature/models) against the compile
// of the whole eSignature surface generated as one package. Both start from
// a build cache that holds only the standard library and
// github.com/oapi-codegen/runtime, so only our generated code is compiled.
// It prints time and peak memory (max RSS of the go command and its
// compiler children), the median of several runs, and the ratios.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/dsgo/docusign/tools/internal/pipeline"
)

const tinyProgram = `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

func main() {
	c, err := envelopes.NewClientWithResponses("https://demo.docusign.net/restapi")
	if err != nil {
		panic(err)
	}
	subject, status := "Please sign", "sent"
	resp, err := c.CreateEnvelopeWithResponse(context.Background(), os.Getenv("ACCOUNT"), nil,
		models.EnvelopeDefinition{EmailSubject: &subject, Status: &status})
	fmt.Println(resp, err)
}
`

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func main() {
	root := flag.String("root", ".", "project root")
	runs := flag.Int("runs", 3, "runs per measurement (median reported)")
	budget := flag.Float64("budget", 0.35, "maximum ratio of tiny program to whole surface")
	flag.Parse()
	if err := run(*root, *runs, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "compilebench:", err)
		os.Exit(1)
	}
}

func run(root string, runs int, budget float64) error {
	root, _ = filepath.Abs(root)
	work, err := os.MkdirTemp("", "compilebench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// Module A: the committed split layout plus the tiny program.
	split := filepath.Join(work, "split")
	if err := copyModule(root, split); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(root, "gen", "esignature"), filepath.Join(split, "gen", "esignature")); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(split, "tiny", "main.go"), tinyProgram); err != nil {
		return err
	}
	// Module B: the whole eSignature surface as one package.
	single := filepath.Join(work, "single")
	if err := copyModule(root, single); err != nil {
		return err
	}
	files, err := pipeline.Generate(context.Background(), pipeline.Config{Root: root, Only: "esignature", Single: true})
	if err != nil {
		return err
	}
	if err := pipeline.Write(filepath.Join(single, "gen"), files, "esignature"); err != nil {
		return err
	}

	// A cache with only the dependencies, copied fresh for every run.
	deps := filepath.Join(work, "deps-cache")
	if _, err := goBuild(single, deps, "std", "github.com/oapi-codegen/runtime"); err != nil {
		return err
	}
	measure := func(dir, pkg string) (sample, error) {
		var all []sample
		for i := 0; i < runs; i++ {
			cache := filepath.Join(work, fmt.Sprintf("cache-%d", i))
			os.RemoveAll(cache)
			if err := copyTree(deps, cache); err != nil {
				return sample{}, err
			}
			s, err := goBuild(dir, cache, pkg)
			if err != nil {
				return sample{}, err
			}
			all = append(all, s)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].wall < all[j].wall })
		med := all[len(all)/2]
		sort.Slice(all, func(i, j int) bool { return all[i].rss < all[j].rss })
		med.rss = all[len(all)/2].rss
		return med, nil
	}
	whole, err := measure(single, "./gen/esignature")
	if err != nil {
		return err
	}
	tiny, err := measure(split, "./tiny")
	if err != nil {
		return err
	}
	tr := float64(tiny.wall) / float64(whole.wall)
	mr := float64(tiny.rss) / float64(whole.rss)
	fmt.Printf("| build (cold for our code, deps cached) | wall time | peak RSS |\n|---|---|---|\n")
	fmt.Printf("| whole eSignature surface as one package | %.2f s | %d MB |\n", whole.wall.Seconds(), whole.rss/1024)
	fmt.Printf("| tiny program creating an envelope (envelopes + models) | %.2f s | %d MB |\n", tiny.wall.Seconds(), tiny.rss/1024)
	fmt.Printf("| ratio (budget %.0f%%) | %.0f%% | %.0f%% |\n", budget*100, tr*100, mr*100)
	if tr > budget || mr > budget {
		return fmt.Errorf("over budget: time %.0f%%, memory %.0f%% (budget %.0f%%)", tr*100, mr*100, budget*100)
	}
	return nil
}

// goBuild builds pkgs in dir with the given cache and returns wall time
// and the peak RSS of the go command and its children.
func goBuild(dir, cache string, pkgs ...string) (sample, error) {
	args := append([]string{"build", "-o", os.DevNull}, pkgs...)
	if len(pkgs) > 1 {
		args = append([]string{"build"}, pkgs...)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOCACHE="+cache, "GOFLAGS=-mod=mod", "GOWORK=off")
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("go %v in %s: %w", args, dir, err)
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{wall: wall, rss: ru.Maxrss}, nil
}

func copyModule(root, dst string) error {
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dst, f), string(b)); err != nil {
			return err
		}
	}
	return nil
}

func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode())
	})
}

func writeFile(p, s string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(s), 0o644)
}
