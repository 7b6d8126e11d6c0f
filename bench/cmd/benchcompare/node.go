package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The two sides of the comparison.
const (
	sideGo   = "go"
	sideNode = "node"
	// sideFloor is the Go worker's -floor mode: the same requests with
	// plain net/http and no decoding, what the fake and TLS alone cost.
	sideFloor = "floor"
	// sideGoSerial is the Go worker's -serial mode: dsgo with the pagers'
	// read-ahead off, for the paging workloads.
	sideGoSerial = "goserial"
)

// nodeSide is the installed official SDKs and the worker that drives them.
type nodeSide struct {
	worker  string            // worker.js, next to node_modules
	version string            // node --version
	sdks    map[string]string // package -> installed version
}

// setUpNode installs the SDKs pinned in dir/node/package.json into tmp
// (or uses the install in reuse) and puts worker.js next to them, so that
// its require calls find them.
func setUpNode(ctx context.Context, dir, tmp, reuse string) (nodeSide, error) {
	var n nodeSide
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return n, fmt.Errorf("%s is not on PATH: install Node.js (with npm) to compare against the official SDKs, or run with -sides go", tool)
		}
	}
	pkgJSON, err := os.ReadFile(filepath.Join(dir, "node", "package.json"))
	if err != nil {
		return n, fmt.Errorf("reading the pinned SDK versions: %w (run from the bench module or set -dir)", err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(pkgJSON, &pkg); err != nil {
		return n, fmt.Errorf("node/package.json: %w", err)
	}
	worker, err := os.ReadFile(filepath.Join(dir, "node", "worker.js"))
	if err != nil {
		return n, err
	}

	install := reuse
	if install == "" {
		install = filepath.Join(tmp, "node")
		if err := os.MkdirAll(install, 0o755); err != nil {
			return n, err
		}
		if err := os.WriteFile(filepath.Join(install, "package.json"), pkgJSON, 0o644); err != nil {
			return n, err
		}
		start := time.Now()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error")
		cmd.Dir = install
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return n, fmt.Errorf("npm install in %s: %w\n%s", install, err, out.String())
		}
		logf("npm install of the official SDKs took %v", time.Since(start).Round(100*time.Millisecond))
	}
	n.worker = filepath.Join(install, "worker.js")
	if err := os.WriteFile(n.worker, worker, 0o644); err != nil {
		return n, err
	}

	if n.sdks, err = installedSDKs(install, pkg.Dependencies); err != nil {
		return n, err
	}

	out, err := exec.CommandContext(ctx, "node", "--version").Output()
	if err != nil {
		return n, fmt.Errorf("node --version: %w", err)
	}
	n.version = strings.TrimSpace(string(out))
	return n, nil
}

// installedSDKs returns the version of each pinned package installed
// under install/node_modules, and an error naming every package that is
// missing or not at its pinned version.
func installedSDKs(install string, pins map[string]string) (map[string]string, error) {
	got := map[string]string{}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(pins)) {
		want := pins[name]
		b, err := os.ReadFile(filepath.Join(install, "node_modules", name, "package.json"))
		if err != nil {
			errs = append(errs, fmt.Errorf("SDK %s is not installed in %s: %w", name, install, err))
			continue
		}
		var p struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			errs = append(errs, fmt.Errorf("SDK %s: package.json: %w", name, err))
			continue
		}
		if p.Version != want {
			errs = append(errs, fmt.Errorf("SDK %s is %s in %s, but node/package.json pins %s", name, p.Version, install, want))
		}
		got[name] = p.Version
	}
	return got, errors.Join(errs...)
}

// sdkList names the installed SDKs with their versions, sorted.
func (n *nodeSide) sdkList() string {
	var parts []string
	for name, v := range n.sdks {
		parts = append(parts, name+" "+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// buildGoWorker builds bench/cmd/goworker into tmp once.
func buildGoWorker(ctx context.Context, dir, tmp string) (string, error) {
	bin := filepath.Join(tmp, "goworker")
	start := time.Now()
	cmd := exec.CommandContext(ctx, goTool(), "build", "-o", bin, "./cmd/goworker")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the Go worker: %w\n%s", err, out.String())
	}
	logf("built the Go worker in %v", time.Since(start).Round(100*time.Millisecond))
	return bin, nil
}

// goTool is the go command: $GO when set (make passes its GO), else "go".
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
