package jsonx

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// Marshal encodes v, a pointer to a model, as encoding/json would, then
// writes the members held in each model's Extra (see the package
// documentation). Generated MarshalJSON methods call it; models reached
// inside v are encoded here directly, not through their methods.
func Marshal(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return []byte("null"), nil
	}
	p := planOf(rv.Type().Elem())
	b, err := appendValue(make([]byte, 0, max(p.size.Load(), 256)), rv.Elem(), p)
	p.size.Store(int64(len(b))) // the next buffer of this type starts this big
	return b, err
}

func appendValue(b []byte, v reflect.Value, p *plan) ([]byte, error) {
	switch p.kind {
	case kString:
		return appendString(b, v.String(), true), nil
	case kPtr:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendValue(b, v.Elem(), p.elem)
	case kStruct:
		return appendStruct(b, v, p)
	case kSlice:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, v.Index(i), p.elem); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case kMap:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k.String(), true), ':')
			var err error
			if b, err = appendValue(b, v.MapIndex(k), p.elem); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case kBool:
		return strconv.AppendBool(b, v.Bool()), nil
	case kInt:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case kUint:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case kFloat:
		return appendFloat(b, v.Float(), p.bits)
	case kTime:
		t := v.Interface().(time.Time)
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, fmt.Errorf("jsonx: time %v: year outside of range [0,9999]", t)
		}
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"'), nil
	case kText:
		if p.marshals {
			text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return b, err
			}
			return appendString(b, string(text), true), nil
		}
	case kUnmarshaler:
		if p.marshals {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return append(b, "null"...), nil
			}
			out, err := v.Interface().(json.Marshaler).MarshalJSON()
			if err != nil {
				return b, err
			}
			return appendCompact(b, out)
		}
	}
	if p.kind == kInvalid {
		return b, p.err
	}
	// kAny, kOther and types without their own methods: encoding/json.
	if (p.kind == kAny) && v.IsNil() {
		return append(b, "null"...), nil
	}
	out, err := json.Marshal(v.Interface())
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}

func appendCompact(b, out []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, out); err != nil {
		return b, err
	}
	return append(b, buf.Bytes()...), nil
}

func appendStruct(b []byte, v reflect.Value, p *plan) ([]byte, error) {
	var extra *Extra
	if p.extra >= 0 {
		var e *Extra
		if ev := v.Field(p.extra); ev.CanAddr() {
			e = ev.Addr().Interface().(*Extra)
		} else { // a map value: read a copy
			c := ev.Interface().(Extra)
			e = &c
		}
		if len(e.raw) > 0 {
			extra = e
		}
	}
	var kept [][]byte // names held in Extra
	if extra != nil {
		extra.each(func(_, name, _ []byte) bool {
			kept = append(kept, name)
			return true
		})
	}
	b = append(b, '{')
	first := true
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if !written(f, fv, kept) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.quoted...)
		var err error
		if b, err = appendValue(b, fv, f.plan); err != nil {
			return b, err
		}
	}
	if extra != nil {
		b = appendExtra(b, v, p, extra, kept, first)
	}
	return append(b, '}'), nil
}

// written tells whether a field is written: not when omitempty leaves it
// out, nor when it holds its zero value and Extra holds a member of the
// same name (a value that did not fit the field, kept as it came).
func written(f *field, fv reflect.Value, kept [][]byte) bool {
	if f.omitEmpty && isEmpty(fv) {
		return false
	}
	if len(kept) == 0 || !fv.IsZero() {
		return true
	}
	for _, k := range kept {
		if string(k) == f.name {
			return false
		}
	}
	return true
}

// appendExtra writes the members of extra, except those a field of the
// same name has already written.
func appendExtra(b []byte, v reflect.Value, p *plan, extra *Extra, kept [][]byte, first bool) []byte {
	extra.each(func(quoted, name, value []byte) bool {
		if f := p.byName[string(name)]; f != nil && written(f, v.Field(f.index), kept) {
			return true
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, quoted...)
		b = append(b, ':')
		b = append(b, value...)
		return true
	})
	return b
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	}
	return false
}

// appendFloat formats a float as encoding/json does.
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, bits)}
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string, escaped as encoding/json does.
func appendString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
