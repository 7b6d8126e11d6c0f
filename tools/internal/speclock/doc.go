// Package speclock reads api/specs.lock.json and finds each locked upstream
// spec: in $DOCUSIGN_SPECS_DIR, else in ../shared/specs beside the project,
// else in a download cache filled from the locked URL. Every file is checked
// against the locked sha256 before use.
package speclock
