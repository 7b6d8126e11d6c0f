// Command docusign is an operator CLI over the dsgo library: consent URLs,
// tokens and browser login (JWT grant or Authorization Code Grant), account
// discovery, Monitor events, Admin and eSignature users as NDJSON with
// resumable checkpoints, a Connect webhook listener and the failure log, a
// Go-Live readiness check, and a self-contained demo against the embedded
// fake DocuSign. Run 'docusign --help' for the commands and
// 'docusign COMMAND --help' for each one's flags.
package main
