// Command docusign is an operator CLI over the dsgo library: consent URLs,
// tokens, account discovery, Monitor events and Admin users as NDJSON with
// resumable checkpoints, a Go-Live readiness check, and a self-contained
// demo against the embedded fake DocuSign.
package main
