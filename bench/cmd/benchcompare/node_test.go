package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePackage(t *testing.T, root, name, version string) {
	t.Helper()
	dir := filepath.Join(root, "node_modules", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"`+name+`","version":"`+version+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInstalledSDKsMustBeThePinnedVersions(t *testing.T) {
	root := t.TempDir()
	writePackage(t, root, "docusign-esign", "10.0.0")
	writePackage(t, root, "docusign-admin", "3.2.0")
	pins := map[string]string{"docusign-esign": "10.0.0", "docusign-admin": "3.1.0", "docusign-monitor": "3.0.0"}
	got, err := installedSDKs(root, pins)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"SDK docusign-admin is 3.2.0", "pins 3.1.0", "SDK docusign-monitor is not installed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if got["docusign-esign"] != "10.0.0" {
		t.Errorf("versions %v", got)
	}
}

func TestSDKListIsSorted(t *testing.T) {
	n := nodeSide{sdks: map[string]string{"docusign-monitor": "3.0.0", "docusign-admin": "3.1.0"}}
	if got := n.sdkList(); got != "docusign-admin 3.1.0, docusign-monitor 3.0.0" {
		t.Errorf("sdkList = %q", got)
	}
}

func TestThePinnedPackageFileNamesTheSDKsTheIssuePins(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "node", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"docusign-esign": "10.0.0"`, `"docusign-admin": "3.1.0"`, `"docusign-monitor": "3.0.0"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("node/package.json lacks %s", want)
		}
	}
}
