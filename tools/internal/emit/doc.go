// Package emit runs oapi-codegen for each package produced by convert and
// gives every generated declaration a doc comment made of facts: operation,
// HTTP method and path, and a reference link. Lenient gives every model
// struct its Extra field and JSON methods (package jsonx).
package emit
