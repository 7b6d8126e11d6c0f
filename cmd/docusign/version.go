package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"text/tabwriter"

	"github.com/dsgo/docusign/api"
	"github.com/dsgo/docusign/client"
)

func init() {
	register(command{"version", "print the library, module, Go and spec versions", `
Prints the library version, the module version and VCS revision this
binary was built from, the Go version, and the upstream specifications
(name, commit) the generated packages were produced from. --version is the
same.`, runVersion})
}

func runVersion(ctx context.Context, e *env, args []string) error {
	if _, err := parseFlags(e, "version", args, nil, nil); err != nil {
		return err
	}
	specs, err := api.Specs()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "docusign %s\n", client.Version)
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "module:\t%s\n", moduleVersion())
	fmt.Fprintf(tw, "go:\t%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for i, s := range specs {
		label := ""
		if i == 0 {
			label = "specs:"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\tcommit %s\n", label, s.Name, s.File, s.Commit)
	}
	return tw.Flush()
}

// moduleVersion is the main module's path and version from the build
// information ("(devel)" for a build from a checkout), with the VCS
// revision when the build recorded it.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	v := bi.Main.Path + " " + bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += " (" + rev + modified + ")"
	}
	return v
}
