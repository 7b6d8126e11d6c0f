package jsonx

import (
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// errMismatch says a well-formed value does not fit the Go type; the
// nearest enclosing model keeps the member verbatim in its Extra instead.
var errMismatch = errors.New("jsonx: value does not fit the field")

// Unmarshal decodes data into v, a non-nil pointer, leniently (see the
// package documentation). Generated UnmarshalJSON methods call it; a model
// reached inside v is decoded here directly, not through its method.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	d := decoder{scanner: scanner{data: data}}
	d.ws()
	start := d.off
	p := planOf(rv.Type().Elem())
	if err := d.value(rv.Elem(), p); err != nil {
		if err == errMismatch {
			return &json.UnmarshalTypeError{Value: jsonKind(data[start:]), Type: p.typ, Offset: int64(start)}
		}
		return err
	}
	if d.ws(); d.off != len(data) {
		return d.errorf("data after the top-level value")
	}
	if d.mismatched {
		return &json.UnmarshalTypeError{Value: "value", Type: p.typ, Offset: int64(start)}
	}
	return nil
}

func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

type decoder struct {
	scanner
	mismatched bool // a struct without Extra dropped a value that did not fit
}

// value decodes one value into v. On errMismatch, v is as it was and the
// input position is anywhere inside the value.
func (d *decoder) value(v reflect.Value, p *plan) error {
	c := d.peek()
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		switch p.kind {
		case kPtr, kSlice, kMap, kAny:
			v.SetZero()
		case kUnmarshaler:
			if p.unmarshals {
				return callUnmarshaler(v, []byte("null"))
			}
		}
		return nil
	}
	switch p.kind {
	case kString:
		s, err := d.scalarText(c)
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case kPtr:
		if p.elem.kind == kString && p.elem.typ == stringType {
			s, err := d.scalarText(c)
			if err != nil {
				return err
			}
			pp := v.Addr().Interface().(**string)
			if *pp != nil {
				**pp = s
			} else {
				*pp = &s
			}
			return nil
		}
		if !v.IsNil() {
			return d.value(v.Elem(), p.elem)
		}
		nv := reflect.New(p.elem.typ)
		if err := d.value(nv.Elem(), p.elem); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	case kStruct:
		if c != '{' {
			return d.mismatch(c)
		}
		return d.object(v, p)
	case kSlice:
		if c != '[' {
			return d.mismatch(c)
		}
		return d.array(v, p)
	case kMap:
		if c != '{' {
			return d.mismatch(c)
		}
		return d.mapValue(v, p)
	case kBool:
		b, err := d.boolValue(c)
		if err != nil {
			return err
		}
		v.SetBool(b)
		return nil
	case kInt, kUint, kFloat:
		return d.numberValue(v, p, c)
	case kTime:
		if c != '"' {
			return d.mismatch(c)
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		t, ok := ParseTime(s)
		if !ok {
			return errMismatch
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case kAny:
		x, err := d.any()
		if err != nil {
			return err
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case kText:
		if c != '"' || !p.unmarshals {
			return d.mismatch(c)
		}
		raw, plain, err := d.stringBytes()
		if err != nil {
			return err
		}
		if !plain {
			raw = unescape(raw)
		}
		if v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(raw) != nil {
			return errMismatch
		}
		return nil
	}
	if p.kind == kInvalid {
		return p.err
	}
	// kUnmarshaler, kOther: the value's own methods, or encoding/json.
	start := d.off
	if err := d.skip(); err != nil {
		return err
	}
	raw := d.data[start:d.off]
	if p.kind == kUnmarshaler && p.unmarshals {
		return callUnmarshaler(v, raw)
	}
	nv := reflect.New(p.typ)
	if json.Unmarshal(raw, nv.Interface()) != nil {
		return errMismatch
	}
	v.Set(nv.Elem())
	return nil
}

var stringType = typeOf((*string)(nil))

func callUnmarshaler(v reflect.Value, raw []byte) error {
	if v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw) != nil {
		return errMismatch
	}
	return nil
}

// mismatch checks that the value at c is well formed and reports that it
// does not fit.
func (d *decoder) mismatch(c byte) error {
	if err := d.skip(); err != nil {
		return err
	}
	return errMismatch
}

// scalarText reads a string, number or boolean as text: a string field
// keeps a number's or boolean's exact text.
func (d *decoder) scalarText(c byte) (string, error) {
	switch c {
	case '"':
		return d.str()
	case 't':
		return "true", d.literal("true")
	case 'f':
		return "false", d.literal("false")
	case '{', '[', 0:
		return "", d.mismatch(c)
	}
	num, err := d.number()
	return string(num), err
}

func (d *decoder) boolValue(c byte) (bool, error) {
	switch c {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case '"':
		raw, _, err := d.stringBytes()
		if err != nil {
			return false, err
		}
		switch s := string(raw); {
		case s == "1" || strings.EqualFold(s, "true"):
			return true, nil
		case s == "0" || strings.EqualFold(s, "false"):
			return false, nil
		}
		return false, errMismatch
	case '{', '[', 0:
		return false, d.mismatch(c)
	}
	num, err := d.number()
	if err != nil {
		return false, err
	}
	switch string(num) {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, errMismatch
}

// numberValue reads a number, or a string holding one, into an integer or
// float field; a value that does not fit exactly is a mismatch.
func (d *decoder) numberValue(v reflect.Value, p *plan, c byte) error {
	var text string
	switch c {
	case '"':
		raw, plain, err := d.stringBytes()
		if err != nil {
			return err
		}
		if !plain {
			return errMismatch
		}
		text = strings.TrimSpace(string(raw))
		if s := (&scanner{data: []byte(text)}); s.skipNumber() != len(text) || text == "" {
			return errMismatch
		}
	case '{', '[', 't', 'f', 0:
		return d.mismatch(c)
	default:
		num, err := d.number()
		if err != nil {
			return err
		}
		text = string(num)
	}
	switch p.kind {
	case kInt:
		n, err := strconv.ParseInt(text, 10, p.bits)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || f != math.Trunc(f) || f < -math.Ldexp(1, p.bits-1) || f >= math.Ldexp(1, p.bits-1) {
				return errMismatch
			}
			n = int64(f)
		}
		v.SetInt(n)
	case kUint:
		n, err := strconv.ParseUint(text, 10, p.bits)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || f != math.Trunc(f) || f < 0 || f >= math.Ldexp(1, p.bits) {
				return errMismatch
			}
			n = uint64(f)
		}
		v.SetUint(n)
	default:
		f, err := strconv.ParseFloat(text, p.bits)
		if err != nil {
			return errMismatch
		}
		v.SetFloat(f)
	}
	return nil
}

// skipNumber returns the length of the JSON number at the start, or -1.
func (s *scanner) skipNumber() int {
	if _, err := s.number(); err != nil {
		return -1
	}
	return s.off
}

// timeLayouts are the forms ParseTime tries after RFC 3339.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999",      // no zone: UTC
	"2006-01-02T15:04:05.999999999-0700", // offset without a colon
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime reads the date-times DocuSign sends: RFC 3339, the same
// without a zone (read as UTC) or with an offset written +hhmm, and with a
// space for the T.
func ParseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (d *decoder) object(v reflect.Value, p *plan) error {
	d.off++ // {
	var extra *Extra
	if p.extra >= 0 {
		extra = v.Field(p.extra).Addr().Interface().(*Extra)
		extra.raw = extra.raw[:0]
	}
	if d.peek() == '}' {
		d.off++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("expected a member name")
		}
		kstart := d.off
		raw, plain, err := d.stringBytes()
		if err != nil {
			return err
		}
		kend := d.off
		if d.peek() != ':' {
			return d.errorf("expected ':' after object key")
		}
		d.off++
		d.ws()
		if !plain {
			raw = unescape(raw)
		}
		vstart := d.off
		f := p.lookup(raw)
		if f != nil {
			fv := v.Field(f.index)
			err = d.value(fv, f.plan)
			// A member the field would not write back (null, [], "" or 0
			// under omitempty) is kept too, so it survives a round trip.
			if err == nil && extra != nil && f.omitEmpty && isEmpty(fv) {
				extra.add(d.data[kstart:kend], d.data[vstart:d.off])
			}
		}
		if f == nil || err == errMismatch {
			d.off = vstart
			if err := d.skip(); err != nil {
				return err
			}
			if extra != nil {
				extra.add(d.data[kstart:kend], d.data[vstart:d.off])
			} else {
				// A struct that is not a model drops what it cannot hold
				// and goes on, as encoding/json does; Unmarshal reports
				// the mismatch at the end.
				d.mismatched = d.mismatched || f != nil
			}
		} else if err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.off++
		case '}':
			d.off++
			return nil
		default:
			return d.errorf("expected ',' or '}' in object")
		}
	}
}

func (d *decoder) array(v reflect.Value, p *plan) error {
	d.off++ // [
	var old reflect.Value
	if !v.IsNil() {
		old = reflect.New(p.typ).Elem()
		old.Set(v)
		v.SetZero()
	}
	fail := func(err error) error {
		if err == errMismatch {
			if old.IsValid() {
				v.Set(old)
			} else {
				v.SetZero()
			}
		}
		return err
	}
	i := 0
	if d.peek() != ']' {
		for {
			if i >= v.Cap() {
				v.Grow(1)
			}
			v.SetLen(i + 1)
			if err := d.value(v.Index(i), p.elem); err != nil {
				return fail(err)
			}
			i++
			c := d.peek()
			if c == ',' {
				d.off++
				continue
			}
			if c != ']' {
				return fail(d.errorf("expected ',' or ']' in array"))
			}
			break
		}
	}
	d.off++ // ]
	if i == 0 {
		v.Set(reflect.MakeSlice(p.typ, 0, 0))
	}
	return nil
}

func (d *decoder) mapValue(v reflect.Value, p *plan) error {
	d.off++ // {
	m := v
	if v.IsNil() {
		m = reflect.MakeMap(p.typ)
	}
	kt := p.typ.Key()
	ev := reflect.New(p.elem.typ).Elem()
	if d.peek() != '}' {
		for {
			if d.peek() != '"' {
				return d.errorf("expected a member name")
			}
			k, err := d.str()
			if err != nil {
				return err
			}
			if d.peek() != ':' {
				return d.errorf("expected ':' after object key")
			}
			d.off++
			ev.SetZero()
			if err := d.value(ev, p.elem); err != nil {
				return err
			}
			kv := reflect.ValueOf(k)
			if kt != stringType {
				kv = kv.Convert(kt)
			}
			m.SetMapIndex(kv, ev)
			c := d.peek()
			if c == ',' {
				d.off++
				continue
			}
			if c != '}' {
				return d.errorf("expected ',' or '}' in object")
			}
			break
		}
	}
	d.off++ // }
	v.Set(m)
	return nil
}

// any decodes a value as encoding/json does into an empty interface.
func (d *decoder) any() (any, error) {
	switch c := d.peek(); c {
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case '{':
		d.off++
		m := map[string]any{}
		if d.peek() == '}' {
			d.off++
			return m, nil
		}
		for {
			if d.peek() != '"' {
				return nil, d.errorf("expected a member name")
			}
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			if d.peek() != ':' {
				return nil, d.errorf("expected ':' after object key")
			}
			d.off++
			x, err := d.any()
			if err != nil {
				return nil, err
			}
			m[k] = x
			switch d.peek() {
			case ',':
				d.off++
			case '}':
				d.off++
				return m, nil
			default:
				return nil, d.errorf("expected ',' or '}' in object")
			}
		}
	case '[':
		d.off++
		a := []any{}
		if d.peek() == ']' {
			d.off++
			return a, nil
		}
		for {
			x, err := d.any()
			if err != nil {
				return nil, err
			}
			a = append(a, x)
			switch d.peek() {
			case ',':
				d.off++
			case ']':
				d.off++
				return a, nil
			default:
				return nil, d.errorf("expected ',' or ']' in array")
			}
		}
	case 0:
		return nil, d.errorf("unexpected end of input")
	}
	num, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return nil, errMismatch
	}
	return f, nil
}
