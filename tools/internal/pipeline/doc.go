// Package pipeline runs the whole generation: read the lock, load and
// verify each spec, convert it, run oapi-codegen, document the output, and
// write gen/ (or compare it with what is there).
package pipeline
