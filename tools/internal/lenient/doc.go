// Package lenient is the one generator step that decides how generated
// models read and write JSON: every model struct gets an Extra field and
// UnmarshalJSON/MarshalJSON methods that delegate to the hand-written
// package jsonx (lenient scalars, unknown members kept and written back).
package lenient
