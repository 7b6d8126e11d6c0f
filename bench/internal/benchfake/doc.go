// Package benchfake runs the fake DocuSign (client/docusigntest) the way the
// side-by-side benchmark needs it: over TLS, sized for the workloads, with
// its certificate written to a PEM file that both the Go worker and Node
// (NODE_EXTRA_CA_CERTS) trust, and a fresh integration key and zeroed
// request counters for every worker run.
package benchfake
