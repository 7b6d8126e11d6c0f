// Package specfile finds, for the tests of the root module, an upstream
// file pinned in api/specs.lock.json: in $DOCUSIGN_SPECS_DIR, else in
// ../shared/specs beside the project root (the offline mirror), checked
// against the lock's sha256. It never downloads: tests run offline. The
// generator's own lookup, which can download, is tools/internal/speclock.
package specfile
