package jsonx

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError is a malformed JSON input.
type SyntaxError struct {
	Offset int64 // byte offset where the problem was found
	msg    string
}

// Error names the offset and the problem.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jsonx: invalid JSON at offset %d: %s", e.Offset, e.msg)
}

// scanner reads JSON from a byte slice; every method validates what it
// reads.
type scanner struct {
	data []byte
	off  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: int64(s.off), msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) ws() {
	for s.off < len(s.data) {
		switch s.data[s.off] {
		case ' ', '\t', '\n', '\r':
			s.off++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.off < len(s.data) {
		return s.data[s.off]
	}
	return 0
}

// stringBytes reads a JSON string at s.off (the opening quote) and returns
// its contents undecoded and whether they need unescaping or UTF-8
// repair.
func (s *scanner) stringBytes() (raw []byte, plain bool, err error) {
	if s.off >= len(s.data) || s.data[s.off] != '"' {
		return nil, false, s.errorf("expected a string")
	}
	start := s.off + 1
	plain = true
	for i := start; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case c == '"':
			s.off = i + 1
			return s.data[start:i], plain, nil
		case c == '\\':
			plain = false
			i++
			if i >= len(s.data) {
				s.off = i
				return nil, false, s.errorf("unterminated string")
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) || !isHex4(s.data[i+1:i+5]) {
					s.off = i
					return nil, false, s.errorf("invalid \\u escape")
				}
				i += 4
			default:
				s.off = i
				return nil, false, s.errorf("invalid escape %q", s.data[i])
			}
		case c < 0x20:
			s.off = i
			return nil, false, s.errorf("control character in string")
		case c >= utf8.RuneSelf:
			plain = false
		}
	}
	s.off = len(s.data)
	return nil, false, s.errorf("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str reads a JSON string and returns it decoded as encoding/json does
// (invalid UTF-8 becomes U+FFFD).
func (s *scanner) str() (string, error) {
	raw, plain, err := s.stringBytes()
	if err != nil {
		return "", err
	}
	if plain {
		return string(raw), nil
	}
	return string(unescape(raw)), nil
}

func unhex(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape decodes validated string contents.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			switch e := raw[i+1]; e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := unhex(raw[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if r2 := utf16.DecodeRune(r, unhex(raw[i+2:])); r2 != utf8.RuneError {
							out = utf8.AppendRune(out, r2)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				out = append(out, e)
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, raw[i:i+size]...)
			}
			i += size
		}
	}
	return out
}

// number reads a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	d, start := s.data, s.off
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i, _ = digits(d, i)
	default:
		s.off = i
		return nil, s.errorf("invalid number")
	}
	ok := true
	if i < len(d) && d[i] == '.' {
		i, ok = digits(d, i+1)
	}
	if ok && i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		i, ok = digits(d, i)
	}
	if !ok {
		s.off = i
		return nil, s.errorf("invalid number")
	}
	s.off = i
	return d[start:i], nil
}

// digits skips the digits at d[i:] and says whether there was one.
func digits(d []byte, i int) (int, bool) {
	j := i
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i, i > j
}

// literal reads true, false or null.
func (s *scanner) literal(want string) error {
	if len(s.data)-s.off < len(want) || string(s.data[s.off:s.off+len(want)]) != want {
		return s.errorf("invalid literal")
	}
	s.off += len(want)
	return nil
}

// skip reads one JSON value of any kind.
func (s *scanner) skip() error {
	switch s.peek() {
	case '"':
		_, _, err := s.stringBytes()
		return err
	case '{':
		s.off++
		if s.peek() == '}' {
			s.off++
			return nil
		}
		for {
			if _, _, err := s.stringBytes(); err != nil {
				return err
			}
			if s.peek() != ':' {
				return s.errorf("expected ':' after object key")
			}
			s.off++
			if err := s.skip(); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.off++
				s.ws()
			case '}':
				s.off++
				return nil
			default:
				return s.errorf("expected ',' or '}' in object")
			}
		}
	case '[':
		s.off++
		if s.peek() == ']' {
			s.off++
			return nil
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.off++
			case ']':
				s.off++
				return nil
			default:
				return s.errorf("expected ',' or ']' in array")
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case 0:
		return s.errorf("unexpected end of input")
	default:
		_, err := s.number()
		return err
	}
}
