package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dsgo/docusign/tools/internal/pipeline"
	"github.com/dsgo/docusign/tools/internal/speclock"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stderr, nil))
}

// errOutOfDate is the -check failure.
var errOutOfDate = errors.New("gen/ is out of date: run `make generate` (or `go generate ./...`) and commit the result")

// run is dsgen with its arguments; it returns the exit code: 0 when done
// (with -check: no difference), 1 on any error or difference, 2 on bad
// flags. loc finds the specs; nil is the documented default.
func run(ctx context.Context, args []string, stderr io.Writer, loc *speclock.Locator) int {
	fs := flag.NewFlagSet("dsgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "project root (holds api/, gen/ and oapi-config.yaml)")
	out := fs.String("out", "", "output directory (default ROOT/gen)")
	check := fs.Bool("check", false, "compare with the output directory instead of writing it")
	only := fs.String("only", "", "generate one API only: esignature, admin or monitor")
	single := fs.Bool("single", false, "with -only: generate the whole API as one package (compile-bench baseline)")
	quiet := fs.Bool("q", false, "no progress output")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		*out = filepath.Join(*root, "gen")
	}
	if *single && *only == "" {
		return fail(stderr, fmt.Errorf("-single needs -only"))
	}
	cfg := pipeline.Config{Root: *root, Only: *only, Single: *single, Log: stderr, Locator: loc}
	if *quiet {
		cfg.Log = nil
	}
	files, err := pipeline.Generate(ctx, cfg)
	if err != nil {
		return fail(stderr, err)
	}
	if *check {
		diff, err := pipeline.Diff(*out, files, *only)
		if err != nil {
			return fail(stderr, err)
		}
		if diff != "" {
			fmt.Fprint(stderr, diff)
			return fail(stderr, errOutOfDate)
		}
		return 0
	}
	if err := pipeline.Write(*out, files, *only); err != nil {
		return fail(stderr, err)
	}
	return 0
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "dsgen:", err)
	return 1
}
