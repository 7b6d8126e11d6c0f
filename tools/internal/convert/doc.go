// Package convert turns a locked DocuSign Swagger 2.0 document into the
// OpenAPI 3 documents that oapi-codegen generates each Go package from:
// explicit fixes (patch.go), prose stripping, pruning of unreachable
// definitions, Go-friendly operation names, conversion with kin-openapi's
// openapi2conv, and the split of eSignature into a models package plus one
// package per category.
package convert
