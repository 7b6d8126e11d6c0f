package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// command is one subcommand. Each file that adds commands registers them
// from its init with register; the command list in the usage is sorted by
// name, so registration order does not matter. A new command needs no
// change elsewhere:
//
//	func init() {
//		register(command{"connect-list", "list Connect configurations as NDJSON", `
//	Lists the account's Connect configurations, one per line.`, runConnectList})
//	}
//
//	func runConnectList(ctx context.Context, e *env, args []string) error {
//		var max int
//		s, err := parse(e, "connect-list", args, func(fs *flag.FlagSet) {
//			fs.IntVar(&max, "max", 0, "stop after this many (0: no limit)")
//		})
//		if err != nil {
//			return err // --help, or a bad flag
//		}
//		var bad problems
//		if max < 0 {
//			bad.addf("--max %d: want 0 or more", max)
//		}
//		c, err := newClient(e, s, need{auth: true}, scopesESign, bad...) // all problems at once
//		...
//	}
//
// Commands without the shared settings (demo, version) call parseFlags
// with nil global flags.
type command struct {
	name    string
	summary string // one line for the command list
	help    string // what 'docusign NAME --help' says before the flags
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]*command{}

// register adds commands; a repeated name is a programming error.
func register(cs ...command) {
	for _, c := range cs {
		if _, dup := commands[c.name]; dup || c.name == "" || c.summary == "" || c.help == "" || c.run == nil {
			panic("docusign: command " + c.name + " registered twice or without summary, help or run")
		}
		commands[c.name] = &c
	}
}

// subcommandHelp holds what 'docusign NAME --help' says for a subcommand
// ("connect listen"), which has no command of its own.
var subcommandHelp = map[string]string{}

// lookup returns the command with the given name, or nil.
func lookup(name string) *command { return commands[name] }

// commandList returns the commands sorted by name.
func commandList() []*command {
	var cs []*command
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		cs = append(cs, commands[name])
	}
	return cs
}

// parseFlags parses a command's flags: global (the shared settings, or
// nil for commands that take none) and own (the command's flags, or nil).
// -h/--help prints the command's help to stdout and returns flag.ErrHelp,
// which exits 0; a bad flag is a usageError.
func parseFlags(e *env, name string, args []string, global, own func(fs *flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("docusign "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // help and errors are printed by us, not by package flag
	fs.Usage = func() {}
	globals := map[string]bool{}
	if global != nil {
		global(fs)
		fs.VisitAll(func(f *flag.Flag) { globals[f.Name] = true })
	}
	if own != nil {
		own(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, name, fs, globals)
			return nil, err
		}
		return nil, usagef("%v (run 'docusign %s --help' for the flags)", err, name)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected arguments: %s (run 'docusign %s --help' for the flags)", strings.Join(fs.Args(), " "), name)
	}
	return fs, nil
}

// hasSubcommands reports whether name's first argument names a
// subcommand (one with help of its own in subcommandHelp).
func hasSubcommands(name string) bool {
	for sub := range subcommandHelp {
		if strings.HasPrefix(sub, name+" ") {
			return true
		}
	}
	return false
}

// printHelp writes a command's description, its own flags, then the
// global ones.
func printHelp(w io.Writer, name string, fs *flag.FlagSet, globals map[string]bool) {
	c := lookup(name)
	if hasSubcommands(name) {
		fmt.Fprintf(w, "usage: docusign %s SUBCOMMAND [flags]\n\n", name)
	} else {
		fmt.Fprintf(w, "usage: docusign %s [flags]\n\n", name)
	}
	if c != nil {
		fmt.Fprintf(w, "%s\n", strings.TrimSpace(c.help))
	} else if h, ok := subcommandHelp[name]; ok {
		fmt.Fprintf(w, "%s\n", strings.TrimSpace(h))
	}
	own := 0
	fs.VisitAll(func(f *flag.Flag) {
		if !globals[f.Name] {
			own++
		}
	})
	if own > 0 {
		fmt.Fprintln(w, "\nflags:")
		printFlags(w, fs, func(f *flag.Flag) bool { return !globals[f.Name] })
	}
	if len(globals) > 0 {
		fmt.Fprintln(w, "\nglobal flags (each also read from the variable shown; the flag wins):")
		printFlags(w, fs, func(f *flag.Flag) bool { return globals[f.Name] })
	}
}

// printFlags lists the flags keep selects, one per line with its usage
// indented below, in the --name form the rest of the CLI uses.
func printFlags(w io.Writer, fs *flag.FlagSet, keep func(*flag.Flag) bool) {
	fs.VisitAll(func(f *flag.Flag) {
		if !keep(f) {
			return
		}
		kind, usage := flag.UnquoteUsage(f)
		if isBool(f) {
			kind = ""
		}
		line := "  --" + f.Name
		if len(f.Name) == 1 {
			line = "  -" + f.Name
		}
		if kind != "" && kind != "value" {
			line += " " + kind
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

// isBool reports whether f takes no value (a bool flag).
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
