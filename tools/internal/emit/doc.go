// Package emit runs oapi-codegen for each package produced by convert and
// gives every generated declaration a doc comment made of facts: operation,
// HTTP method and path, and a reference link.
package emit
