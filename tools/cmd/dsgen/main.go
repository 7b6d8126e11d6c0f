package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dsgo/docusign/tools/internal/pipeline"
)

func main() {
	root := flag.String("root", ".", "project root (holds api/, gen/ and oapi-config.yaml)")
	out := flag.String("out", "", "output directory (default ROOT/gen)")
	check := flag.Bool("check", false, "compare with the output directory instead of writing it")
	only := flag.String("only", "", "generate one API only: esignature, admin or monitor")
	single := flag.Bool("single", false, "with -only: generate the whole API as one package (compile-bench baseline)")
	quiet := flag.Bool("q", false, "no progress output")
	flag.Parse()
	if *out == "" {
		*out = filepath.Join(*root, "gen")
	}
	if *single && *only == "" {
		fail(fmt.Errorf("-single needs -only"))
	}
	cfg := pipeline.Config{Root: *root, Only: *only, Single: *single, Log: os.Stderr}
	if *quiet {
		cfg.Log = nil
	}
	files, err := pipeline.Generate(context.Background(), cfg)
	if err != nil {
		fail(err)
	}
	if *check {
		diff, err := pipeline.Diff(*out, files)
		if err != nil {
			fail(err)
		}
		if diff != "" {
			fmt.Fprint(os.Stderr, diff)
			fail(fmt.Errorf("gen/ is out of date: run `make generate` (or `go generate ./...`) and commit the result"))
		}
		return
	}
	if err := pipeline.Write(*out, files, *only); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dsgen:", err)
	os.Exit(1)
}
