package jsonx

import (
	"encoding/json"
	"fmt"
	"iter"
)

// Extra holds the members of a JSON object that its model does not hold
// in a field: members the specification does not list, and members whose
// value did not fit the field's type. Values are kept verbatim, in the
// order they arrived, and written back by Marshal after the modelled
// members. The zero value is empty and ready to use.
type Extra struct {
	// raw is `"name":value` pairs separated by commas, as received (names
	// keep their escapes).
	raw []byte
}

// Len returns the number of members held.
func (e Extra) Len() int {
	n := 0
	e.each(func(_, _, _ []byte) bool {
		n++
		return true
	})
	return n
}

// Get returns the value of the last member called name, verbatim.
func (e Extra) Get(name string) (json.RawMessage, bool) {
	var out json.RawMessage
	found := false
	e.each(func(_, n, v []byte) bool {
		if string(n) == name {
			out, found = v, true
		}
		return true
	})
	return out, found
}

// All yields every member, in order, with its value verbatim. The values
// share memory with e; copy them to keep them past a change of e.
func (e Extra) All() iter.Seq2[string, json.RawMessage] {
	return func(yield func(string, json.RawMessage) bool) {
		e.each(func(_, name, value []byte) bool {
			return yield(string(name), json.RawMessage(value))
		})
	}
}

// each calls f with every member: its name as written (quoted) and
// decoded, and its value, until f returns false. name shares memory with
// e when the name has no escapes.
func (e Extra) each(f func(quoted, name, value []byte) bool) {
	s := scanner{data: e.raw}
	for s.off < len(s.data) {
		if s.data[s.off] == ',' {
			s.off++
		}
		kstart := s.off
		raw, plain, err := s.stringBytes()
		if err != nil {
			return
		}
		quoted := s.data[kstart:s.off]
		s.off++ // ':' (Extra holds members written by add)
		vstart := s.off
		if s.skip() != nil {
			return
		}
		if !plain {
			raw = unescape(raw)
		}
		if !f(quoted, raw, s.data[vstart:s.off]) {
			return
		}
	}
}

// Set replaces every member called name with one holding value, which
// must be valid JSON. It is how a caller sends a member the model does not
// have a field for.
func (e *Extra) Set(name string, value json.RawMessage) error {
	s := scanner{data: value}
	s.ws()
	if err := s.skip(); err != nil {
		return fmt.Errorf("jsonx: value of extra member %q: %w", name, err)
	}
	if s.ws(); s.off != len(value) {
		return fmt.Errorf("jsonx: value of extra member %q: more than one JSON value", name)
	}
	e.Delete(name)
	e.add(appendString(nil, name, false), value)
	return nil
}

// Delete removes every member called name.
func (e *Extra) Delete(name string) {
	var out []byte
	changed := false
	e.each(func(quoted, n, value []byte) bool {
		if string(n) == name {
			changed = true
		} else {
			out = appendMember(out, quoted, value)
		}
		return true
	})
	if changed {
		e.raw = out
	}
}

// add appends one member; key is the quoted name.
func (e *Extra) add(key, value []byte) {
	e.raw = appendMember(e.raw, key, value)
}

func appendMember(dst, key, value []byte) []byte {
	if len(dst) > 0 {
		dst = append(dst, ',')
	}
	dst = append(dst, key...)
	dst = append(dst, ':')
	return append(dst, value...)
}
