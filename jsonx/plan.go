package jsonx

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// kind is how a Go type is read and written.
type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kUint
	kFloat
	kTime
	kPtr
	kSlice
	kMap
	kStruct
	kAny         // interface{}
	kUnmarshaler // a type with its own JSON methods
	kText        // a type with its own text methods (UUIDs)
	kOther       // anything else: left to encoding/json
	kInvalid     // a type jsonx refuses (err says why)
)

// plan is the cached description of one Go type.
type plan struct {
	kind kind
	typ  reflect.Type
	bits int   // size of numbers
	elem *plan // pointer, slice and map elements

	// structs
	fields []field
	byName map[string]*field // exact JSON name
	byFold map[string]*field // ASCII lower-cased JSON name
	extra  int               // index of the Extra field, -1 without one

	// kUnmarshaler, kText: which side has methods
	marshals, unmarshals bool

	err  error        // kInvalid
	size atomic.Int64 // length of the last Marshal output of this type
}

// field is one struct field that has a JSON member.
type field struct {
	name      string
	quoted    []byte // "name": as Marshal writes it
	index     int
	omitEmpty bool
	plan      *plan
}

var (
	// plans holds a map[reflect.Type]*plan, replaced whole (under
	// plansMu) when types are added: reading is one atomic load and a map
	// lookup. It is not a sync.Map, whose generic internals every program
	// using the models would compile and link again.
	plans     atomic.Value
	plansMu   sync.Mutex
	extraType = typeOf((*Extra)(nil))
	timeType  = typeOf((*time.Time)(nil))

	jsonUnmarshaler = typeOf((*json.Unmarshaler)(nil))
	jsonMarshaler   = typeOf((*json.Marshaler)(nil))
	textUnmarshaler = typeOf((*encoding.TextUnmarshaler)(nil))
	textMarshaler   = typeOf((*encoding.TextMarshaler)(nil))
)

// typeOf is the type p points to (reflect.TypeFor without its generic
// instantiations).
func typeOf(p any) reflect.Type { return reflect.TypeOf(p).Elem() }

// cachedPlan returns the plan of t if one is built.
func cachedPlan(t reflect.Type) (*plan, bool) {
	m, _ := plans.Load().(map[reflect.Type]*plan)
	p, ok := m[t]
	return p, ok
}

// planOf returns the plan of t, building and caching it once.
func planOf(t reflect.Type) *plan {
	if p, ok := cachedPlan(t); ok {
		return p
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	building := map[reflect.Type]*plan{}
	p := build(t, building)
	if len(building) > 0 {
		old, _ := plans.Load().(map[reflect.Type]*plan)
		next := make(map[reflect.Type]*plan, len(old)+len(building))
		for t, p := range old {
			next[t] = p
		}
		for t, p := range building {
			next[t] = p
		}
		plans.Store(next)
	}
	return p
}

func build(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := cachedPlan(t); ok {
		return p
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{typ: t, extra: -1}
	building[t] = p
	pt := reflect.PointerTo(t)
	switch {
	case t == timeType:
		p.kind = kTime
		return p
	case t.Kind() == reflect.Pointer:
		p.kind, p.elem = kPtr, build(t.Elem(), building)
		return p
	case t.Kind() == reflect.Struct && hasExtra(t):
		buildStruct(p, t, building)
		return p
	case pt.Implements(jsonUnmarshaler) || t.Implements(jsonMarshaler):
		p.kind = kUnmarshaler
		p.unmarshals = pt.Implements(jsonUnmarshaler)
		p.marshals = t.Implements(jsonMarshaler)
		return p
	case pt.Implements(textUnmarshaler) || t.Implements(textMarshaler):
		p.kind = kText
		p.unmarshals = pt.Implements(textUnmarshaler)
		p.marshals = t.Implements(textMarshaler)
		return p
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = kString
	case reflect.Bool:
		p.kind = kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind, p.bits = kInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.kind, p.bits = kUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		p.kind, p.bits = kFloat, t.Bits()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p.kind = kOther // base64, as encoding/json does
		} else {
			p.kind, p.elem = kSlice, build(t.Elem(), building)
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String && !reflect.PointerTo(t.Key()).Implements(textUnmarshaler) {
			p.kind, p.elem = kMap, build(t.Elem(), building)
		} else {
			p.kind = kOther
		}
	case reflect.Struct:
		buildStruct(p, t, building)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			p.kind = kAny
		} else {
			p.kind = kOther
		}
	default:
		p.kind = kOther
	}
	return p
}

func hasExtra(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).Type == extraType {
			return true
		}
	}
	return false
}

// buildStruct lists the JSON members of a struct as encoding/json names
// them. Embedded structs are not expected in generated models; a struct
// with one is left to encoding/json.
func buildStruct(p *plan, t reflect.Type, building map[reflect.Type]*plan) {
	p.kind = kStruct
	p.byName = map[string]*field{}
	p.byFold = map[string]*field{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Type == extraType {
			p.extra = i
			continue
		}
		if sf.Anonymous {
			if hasExtra(t) {
				// The generator refuses such models; decoding one through
				// encoding/json would call its own methods again.
				p.kind, p.fields, p.byName, p.byFold = kInvalid, nil, nil, nil
				p.err = fmt.Errorf("jsonx: %s has an Extra field and embeds %s, which jsonx does not support", t, sf.Type)
				return
			}
			p.kind, p.fields, p.byName, p.byFold = kOther, nil, nil, nil
			return
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f := field{name: name, index: i, plan: build(sf.Type, building)}
		f.quoted = append(appendString(nil, name, true), ':')
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			if o == "omitempty" {
				f.omitEmpty = true
			}
		}
		p.fields = append(p.fields, f)
	}
	for i := range p.fields {
		f := &p.fields[i]
		if _, dup := p.byName[f.name]; !dup {
			p.byName[f.name] = f
		}
		if low := strings.ToLower(f.name); isASCII(f.name) {
			if _, dup := p.byFold[low]; !dup {
				p.byFold[low] = f
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lookup finds the field of a member name: exact match first, then a
// case-insensitive one, as encoding/json does.
func (p *plan) lookup(name []byte) *field {
	if f, ok := p.byName[string(name)]; ok {
		return f
	}
	var buf [64]byte
	if len(name) <= len(buf) {
		low := buf[:len(name)]
		ascii := true
		for i, c := range name {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		if ascii {
			return p.byFold[string(low)]
		}
	}
	for i := range p.fields {
		if bytes.EqualFold([]byte(p.fields[i].name), name) {
			return &p.fields[i]
		}
	}
	return nil
}
