package client

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Event is one Monitor audit event. The documented top-level fields are
// decoded into typed fields; Raw holds the event object exactly as DocuSign
// sent it, so fields this version does not know are never lost and the event
// can be forwarded unchanged (json.Marshal of an Event writes Raw).
//
// Members are matched to fields as encoding/json does: by exact name, else
// case-insensitively; of repeated members the last counts. A member that is
// null or of another JSON type than the documented one (for example a number
// where a string is expected) leaves its field as it was, so zero unless the
// member was repeated; a timestamp that does not parse is zero. Raw still
// holds everything. Events decoded from one page share that
// page's buffer: Raw, Data and the nested raw fields are sub-slices of it and
// stay valid for as long as they are referenced (the library never reuses a
// page buffer). Keeping a single event of a page keeps the whole page buffer
// alive; clone Raw (bytes.Clone) to retain a few events for long.
type Event struct {
	// Timestamp is when the event happened, in UTC.
	Timestamp time.Time
	// EventID uniquely identifies the event.
	EventID string
	// Site is the DocuSign site that recorded the event (e.g. "NA3").
	Site string
	// AccountID is the eSignature account the event belongs to.
	AccountID string
	// OrganizationID is the organization that owns the account.
	OrganizationID string
	// UserID is the user who caused the event.
	UserID string
	// IntegratorKey is the integration key of the app involved, if any.
	IntegratorKey string
	// UserAgent is the HTTP user agent of the actor.
	UserAgent string
	// UserAgentClientInfo is the raw JSON of DocuSign's parsed user agent
	// (browser, device, operating system), nil when absent.
	UserAgentClientInfo json.RawMessage
	// IPAddress is the actor's IP address.
	IPAddress string
	// IPAddressLocation is the raw JSON of the IP geolocation, nil when absent.
	IPAddressLocation json.RawMessage
	// Object is what the action applied to (e.g. "Envelope", "User").
	Object string
	// Action is what happened (e.g. "Viewed", "Login").
	Action string
	// Property names the property of Object that changed, if any.
	Property string
	// Field names the field of Property that changed, if any.
	Field string
	// Result is the outcome (e.g. "Success", "Failure").
	Result string
	// Source is the channel (e.g. "Web", "API").
	Source string
	// Data is the raw JSON of the event-specific "data" member, nil when
	// absent. Decode it with json.Unmarshal or Event.DataMap.
	Data json.RawMessage
	// Raw is the whole event object, byte for byte as received.
	// Treat it as read-only: it shares memory with the page it came from
	// (and with the string fields above); copy it before modifying it.
	Raw json.RawMessage
}

// MarshalJSON writes the event exactly as DocuSign sent it (Raw). An Event
// without Raw (built by hand) is written from its typed fields. Note that
// encoding/json compacts what any MarshalJSON returns and escapes <, > and &
// in it: json.Marshal gives Raw byte for byte when Raw is compact JSON
// without those characters (as Monitor sends it); a json.Encoder with
// SetEscapeHTML(false) keeps the characters too.
func (e Event) MarshalJSON() ([]byte, error) {
	if len(e.Raw) > 0 {
		return e.Raw, nil
	}
	type plain struct {
		Timestamp           *time.Time      `json:"timestamp,omitempty"`
		EventID             string          `json:"eventId,omitempty"`
		Site                string          `json:"site,omitempty"`
		AccountID           string          `json:"accountId,omitempty"`
		OrganizationID      string          `json:"organizationId,omitempty"`
		UserID              string          `json:"userId,omitempty"`
		IntegratorKey       string          `json:"integratorKey,omitempty"`
		UserAgent           string          `json:"userAgent,omitempty"`
		UserAgentClientInfo json.RawMessage `json:"userAgentClientInfo,omitempty"`
		IPAddress           string          `json:"ipAddress,omitempty"`
		IPAddressLocation   json.RawMessage `json:"ipAddressLocation,omitempty"`
		Object              string          `json:"object,omitempty"`
		Action              string          `json:"action,omitempty"`
		Property            string          `json:"property,omitempty"`
		Field               string          `json:"field,omitempty"`
		Result              string          `json:"result,omitempty"`
		Source              string          `json:"source,omitempty"`
		Data                json.RawMessage `json:"data,omitempty"`
	}
	p := plain{
		EventID: e.EventID, Site: e.Site, AccountID: e.AccountID, OrganizationID: e.OrganizationID,
		UserID: e.UserID, IntegratorKey: e.IntegratorKey, UserAgent: e.UserAgent,
		UserAgentClientInfo: e.UserAgentClientInfo, IPAddress: e.IPAddress,
		IPAddressLocation: e.IPAddressLocation, Object: e.Object, Action: e.Action,
		Property: e.Property, Field: e.Field, Result: e.Result, Source: e.Source, Data: e.Data,
	}
	if !e.Timestamp.IsZero() {
		ts := e.Timestamp.UTC()
		p.Timestamp = &ts
	}
	return json.Marshal(p)
}

// UnmarshalJSON decodes one event object with the same decoder the Monitor
// pager uses. Raw receives a copy of data.
func (e *Event) UnmarshalJSON(data []byte) error {
	buf := append([]byte(nil), data...)
	sc := jscan{b: buf, s: frozenString(buf)} // buf is ours and never written again
	sc.ws()
	if err := sc.event(e); err != nil {
		return err
	}
	sc.ws()
	if sc.i != len(sc.b) {
		return sc.syntax("after the event object")
	}
	return nil
}

// DataMap decodes Data into a map, for callers that want the event-specific
// details without declaring a type. It returns nil, nil when Data is absent
// or null.
func (e *Event) DataMap() (map[string]any, error) {
	if len(e.Data) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return nil, fmt.Errorf("docusign: event %s: data: %w", e.EventID, err)
	}
	return m, nil
}

// JSONSyntaxError reports malformed JSON in a response body, with the byte
// offset where decoding stopped. Truncated bodies are reported with
// Truncated set (and are retried by the pagers).
type JSONSyntaxError struct {
	Offset    int64  // byte offset into the body
	Msg       string // what was wrong
	Truncated bool   // the body ended in the middle of a value
}

// Error implements error.
func (e *JSONSyntaxError) Error() string {
	return fmt.Sprintf("docusign: malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// scanMaxDepth matches encoding/json's nesting limit.
const scanMaxDepth = 10000

// jscan is a validating, allocation-averse JSON scanner over one buffer. s
// holds the same bytes as b as a string so that decoded strings without
// escapes are substrings (sharing one allocation per page) rather than
// copies.
type jscan struct {
	b     []byte
	s     string
	i     int
	depth int    // containers open around sc.i (for the nesting limit)
	stack []byte // open containers while skipping a value
}

func (sc *jscan) eof() error {
	return &JSONSyntaxError{Offset: int64(len(sc.b)), Msg: "unexpected end of input", Truncated: true}
}

func (sc *jscan) syntax(where string) error {
	if sc.i >= len(sc.b) {
		return sc.eof()
	}
	return &JSONSyntaxError{Offset: int64(sc.i), Msg: fmt.Sprintf("invalid character %q %s", sc.b[sc.i], where)}
}

// ws skips JSON whitespace.
func (sc *jscan) ws() {
	for sc.i < len(sc.b) {
		c := sc.b[sc.i]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return
		}
		sc.i++
	}
}

// strFlags describe a scanned string's content.
const (
	strEscaped = 1 << iota // contains a backslash escape
	strHigh                // contains bytes >= 0x80 (needs UTF-8 validation)
)

const (
	lsb  = 0x0101010101010101
	msb  = 0x8080808080808080
	quot = '"' * lsb
	bsl  = '\\' * lsb
)

// str scans the string starting at sc.i (the opening quote) and returns the
// byte span of its content and strFlags.
func (sc *jscan) str() (start, end, flags int, err error) {
	b := sc.b
	i := sc.i + 1
	start = i
	for {
		// Eight bytes at a time while none is special: a quote, a
		// backslash, a control character or a non-ASCII byte.
		// The lowest flagged byte is exact (false positives of these
		// tricks only occur above a true match), so jump straight to it.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			q := x ^ quot
			s := x ^ bsl
			special := (((q - lsb) &^ q) | ((s - lsb) &^ s) | (x - 0x20*lsb) | x) & msb
			if special != 0 {
				i += bits.TrailingZeros64(special) >> 3
				break
			}
			i += 8
		}
		if i >= len(b) {
			sc.i = i
			return 0, 0, 0, sc.eof()
		}
		c := b[i]
		switch {
		case c == '"':
			sc.i = i + 1
			return start, i, flags, nil
		case c == '\\':
			flags |= strEscaped
			if i+1 >= len(b) {
				sc.i = len(b)
				return 0, 0, 0, sc.eof()
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(b) {
						sc.i = len(b)
						return 0, 0, 0, sc.eof()
					}
					if !isHex(b[i+k]) {
						sc.i = i + k
						return 0, 0, 0, sc.syntax("in \\u escape")
					}
				}
				i += 6
			default:
				sc.i = i + 1
				return 0, 0, 0, sc.syntax("in string escape")
			}
		case c < 0x20:
			sc.i = i
			return 0, 0, 0, sc.syntax("in string literal")
		case c >= 0x80:
			flags |= strHigh
			i++
		default:
			i++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// strValue scans a string and returns its decoded value, a substring of sc.s
// when it needs no unescaping.
func (sc *jscan) strValue() (string, error) {
	q := sc.i
	start, end, flags, err := sc.str()
	if err != nil {
		return "", err
	}
	v := sc.s[start:end]
	if flags == 0 || (flags == strHigh && utf8.ValidString(v)) {
		return v, nil
	}
	// Escapes or invalid UTF-8: let encoding/json produce exactly what it
	// would (including U+FFFD replacements). Rare on real data.
	var out string
	if err := json.Unmarshal(sc.b[q:sc.i], &out); err != nil {
		return "", &JSONSyntaxError{Offset: int64(q), Msg: err.Error()}
	}
	return out, nil
}

// literal checks that the literal lit starts at sc.i and skips it.
func (sc *jscan) literal(lit string) error {
	b := sc.b
	for k := 0; k < len(lit); k++ {
		if sc.i >= len(b) {
			return sc.eof()
		}
		if b[sc.i] != lit[k] {
			return sc.syntax("in literal " + lit)
		}
		sc.i++
	}
	return nil
}

// number validates and skips a JSON number at sc.i.
func (sc *jscan) number() error {
	b := sc.b
	i := sc.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digitRun := func(what string) error {
		if i >= len(b) {
			sc.i = i
			return sc.eof()
		}
		if b[i] < '0' || b[i] > '9' {
			sc.i = i
			return sc.syntax(what)
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return nil
	}
	switch {
	case i >= len(b):
		sc.i = i
		return sc.eof()
	case b[i] == '0':
		i++
	default:
		if err := digitRun("in numeric literal"); err != nil {
			return err
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if err := digitRun("after decimal point in numeric literal"); err != nil {
			return err
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if err := digitRun("in exponent of numeric literal"); err != nil {
			return err
		}
	}
	sc.i = i
	return nil
}

// scalar skips a non-container value at sc.i.
func (sc *jscan) scalar() error {
	if sc.i >= len(sc.b) {
		return sc.eof()
	}
	switch c := sc.b[sc.i]; {
	case c == '"':
		_, _, _, err := sc.str()
		return err
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return sc.number()
	}
	return sc.syntax("looking for beginning of value")
}

// key scans an object key and the colon after it, returning the key's
// decoded text. sc.i must be at the opening quote (whitespace skipped).
func (sc *jscan) key() (string, error) {
	if sc.i >= len(sc.b) {
		return "", sc.eof()
	}
	if sc.b[sc.i] != '"' {
		return "", sc.syntax("looking for beginning of object key string")
	}
	k, err := sc.strValue()
	if err != nil {
		return "", err
	}
	sc.ws()
	if sc.i >= len(sc.b) {
		return "", sc.eof()
	}
	if sc.b[sc.i] != ':' {
		return "", sc.syntax("after object key")
	}
	sc.i++
	sc.ws()
	return k, nil
}

// skipValue validates and skips one JSON value of any kind at sc.i
// (whitespace skipped), without recursion.
func (sc *jscan) skipValue() error {
	b := sc.b
	stack := sc.stack[:0]
	defer func() { sc.stack = stack[:0] }()
	for {
		// A value is expected at sc.i.
		if sc.i >= len(b) {
			return sc.eof()
		}
		switch b[sc.i] {
		case '{', '[':
			open := b[sc.i]
			if sc.depth+len(stack)+1 > scanMaxDepth {
				return &JSONSyntaxError{Offset: int64(sc.i), Msg: "exceeded max depth"}
			}
			sc.i++
			sc.ws()
			if sc.i >= len(b) {
				return sc.eof()
			}
			if (open == '{' && b[sc.i] == '}') || (open == '[' && b[sc.i] == ']') {
				sc.i++
				break // empty container: a complete value
			}
			stack = append(stack, open)
			if open == '{' {
				if _, _, _, err := sc.keySpan(); err != nil {
					return err
				}
			}
			continue // parse the first member's value
		default:
			if err := sc.scalar(); err != nil {
				return err
			}
		}
		// A value just ended: close containers or move to the next member.
		for {
			if len(stack) == 0 {
				return nil
			}
			sc.ws()
			if sc.i >= len(b) {
				return sc.eof()
			}
			top := stack[len(stack)-1]
			c := b[sc.i]
			if c == ',' {
				sc.i++
				sc.ws()
				if top == '{' {
					if _, _, _, err := sc.keySpan(); err != nil {
						return err
					}
				}
				break
			}
			if (top == '{' && c == '}') || (top == '[' && c == ']') {
				sc.i++
				stack = stack[:len(stack)-1]
				continue
			}
			if top == '{' {
				return sc.syntax("after object key:value pair")
			}
			return sc.syntax("after array element")
		}
	}
}

// keySpan is key without decoding: it validates the key string and colon.
func (sc *jscan) keySpan() (int, int, int, error) {
	if sc.i >= len(sc.b) {
		return 0, 0, 0, sc.eof()
	}
	if sc.b[sc.i] != '"' {
		return 0, 0, 0, sc.syntax("looking for beginning of object key string")
	}
	s, e, f, err := sc.str()
	if err != nil {
		return 0, 0, 0, err
	}
	sc.ws()
	if sc.i >= len(sc.b) {
		return 0, 0, 0, sc.eof()
	}
	if sc.b[sc.i] != ':' {
		return 0, 0, 0, sc.syntax("after object key")
	}
	sc.i++
	sc.ws()
	return s, e, f, nil
}

// rawValue skips a value and returns its bytes (capacity clipped so that an
// append by the caller cannot overwrite the page).
func (sc *jscan) rawValue() (json.RawMessage, error) {
	start := sc.i
	if err := sc.skipValue(); err != nil {
		return nil, err
	}
	return json.RawMessage(sc.b[start:sc.i:sc.i]), nil
}

// stringInto decodes a value expected to be a string into *dst. As in the
// generated models (package jsonx), a number or a boolean is taken as its
// exact JSON text (7 -> "7", 1.0 -> "1.0", true -> "true"); null, an object
// or an array is skipped and leaves *dst unchanged (Raw keeps it).
func (sc *jscan) stringInto(dst *string) (err error) {
	if sc.i >= len(sc.b) {
		return sc.eof()
	}
	switch c := sc.b[sc.i]; {
	case c == '"':
		*dst, err = sc.strValue()
		return err
	case c == 't' || c == 'f' || c == '-' || (c >= '0' && c <= '9'):
		start := sc.i
		if err := sc.skipValue(); err != nil {
			return err
		}
		*dst = sc.s[start:sc.i]
		return nil
	}
	return sc.skipValue()
}

// event decodes one element of a Monitor page's data array into e. A value
// that is not an object is kept in Raw with every typed field zero.
func (sc *jscan) event(e *Event) error {
	*e = Event{}
	start := sc.i
	if sc.i >= len(sc.b) {
		return sc.eof()
	}
	if sc.b[sc.i] != '{' {
		if err := sc.skipValue(); err != nil {
			return err
		}
		e.Raw = sc.b[start:sc.i:sc.i]
		return nil
	}
	sc.i++
	sc.ws()
	if sc.i < len(sc.b) && sc.b[sc.i] == '}' {
		sc.i++
		e.Raw = sc.b[start:sc.i:sc.i]
		return nil
	}
	sc.depth++
	defer func() { sc.depth-- }()
	for {
		k, err := sc.key()
		if err != nil {
			return err
		}
		if err := sc.eventMember(e, k); err != nil {
			return err
		}
		sc.ws()
		if sc.i >= len(sc.b) {
			return sc.eof()
		}
		switch sc.b[sc.i] {
		case ',':
			sc.i++
			sc.ws()
			continue
		case '}':
			sc.i++
			e.Raw = sc.b[start:sc.i:sc.i]
			return nil
		}
		return sc.syntax("after object key:value pair")
	}
}

// eventKeys are the members Event decodes, in field order.
var eventKeys = []string{"timestamp", "eventId", "site", "accountId", "organizationId", "userId",
	"integratorKey", "userAgent", "userAgentClientInfo", "ipAddress", "ipAddressLocation", "object",
	"action", "property", "field", "result", "source", "data"}

// eventMember decodes the value at sc.i, the member k of an event, into e
// with encoding/json's rules: a key matches a field exactly or else
// case-insensitively; of repeated members the last counts; null or a value
// of the wrong JSON type leaves a string field (and Timestamp) as it was.
func (sc *jscan) eventMember(e *Event, k string) (err error) {
	switch k {
	case "timestamp":
		if sc.i < len(sc.b) && sc.b[sc.i] == '"' {
			v, err := sc.strValue()
			if err != nil {
				return err
			}
			e.Timestamp = time.Time{}
			if s, ns, ok, _ := parseISO(v); ok {
				e.Timestamp = time.Unix(s, int64(ns)).UTC()
			}
			return nil
		}
		return sc.skipValue()
	case "eventId":
		return sc.stringInto(&e.EventID)
	case "site":
		return sc.stringInto(&e.Site)
	case "accountId":
		return sc.stringInto(&e.AccountID)
	case "organizationId":
		return sc.stringInto(&e.OrganizationID)
	case "userId":
		return sc.stringInto(&e.UserID)
	case "integratorKey":
		return sc.stringInto(&e.IntegratorKey)
	case "userAgent":
		return sc.stringInto(&e.UserAgent)
	case "userAgentClientInfo":
		e.UserAgentClientInfo, err = sc.rawValue()
	case "ipAddress":
		return sc.stringInto(&e.IPAddress)
	case "ipAddressLocation":
		e.IPAddressLocation, err = sc.rawValue()
	case "object":
		return sc.stringInto(&e.Object)
	case "action":
		return sc.stringInto(&e.Action)
	case "property":
		return sc.stringInto(&e.Property)
	case "field":
		return sc.stringInto(&e.Field)
	case "result":
		return sc.stringInto(&e.Result)
	case "source":
		return sc.stringInto(&e.Source)
	case "data":
		e.Data, err = sc.rawValue()
	default:
		if name := foldKey(k, eventKeys); name != "" {
			return sc.eventMember(e, name)
		}
		return sc.skipValue()
	}
	return err
}

// foldKey is the name in names that encoding/json decodes the object key k
// into when no name equals k exactly: the first one equal to k under
// Unicode case folding (so "EventID" and "\u212Aey" match "eventId" and
// "key"), or "" when none does.
func foldKey(k string, names []string) string {
	for _, n := range names {
		if foldEqual(k, n) {
			return n
		}
	}
	return ""
}

// foldEqual reports whether the object key k matches the ASCII field name
// under Unicode case folding, as encoding/json matches keys to fields.
func foldEqual(k, name string) bool {
	if len(k) == len(name) || (len(k) > len(name) && strings.ContainsFunc(k, func(r rune) bool { return r >= utf8.RuneSelf })) {
		return strings.EqualFold(k, name)
	}
	return false
}

// errPageNotObject reports a response body that is not a JSON object.
var errPageNotObject = errors.New("response body is not a JSON object")

// errPageShape reports a member of a response whose JSON type is wrong.
var errPageShape = errors.New("unexpected JSON type")

// monitorPage is a decoded Monitor stream response.
type monitorPage struct {
	endCursor string
	events    []Event
}

// frozenString returns the bytes of b as a string without copying them.
//
// Invariant: the caller guarantees that b is never modified afterwards,
// by anyone, for as long as any string derived from the result is
// reachable. The pagers satisfy it because every page body is read into a
// buffer allocated for that page alone (pageGetter.get), handed only to the
// decoder, and never reused or written after the read; the records
// decoded from it hold sub-strings and clipped sub-slices (append to them
// copies). Strings obtained this way must never reach code that could
// write to the buffer.
func frozenString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// monitorPageKeys are the members of a Monitor stream response the pager
// reads.
var monitorPageKeys = []string{"endCursor", "data"}

// decodeMonitorPage decodes a whole Monitor stream response in one pass,
// with encoding/json's rules for keys (exact, else case-insensitive),
// repeated members (the last counts) and null (no change to endCursor; no
// events for data).
// body must be owned by the page and never modified afterwards (see
// frozenString: the decoded strings share its memory, and events point into
// it); events is appended to (pass a slice with a capacity hint). An
// "endCursor" that is absent, only null, or "" yields endCursor "".
func decodeMonitorPage(body []byte, events []Event) (monitorPage, error) {
	sc := jscan{b: body, s: frozenString(body)}
	var p monitorPage
	sc.ws()
	if sc.i >= len(sc.b) {
		return p, sc.eof()
	}
	if sc.b[sc.i] != '{' {
		return p, errPageNotObject
	}
	sc.i++
	sc.ws()
	sc.depth = 1
	if sc.i < len(sc.b) && sc.b[sc.i] == '}' {
		sc.i++
	} else {
		for {
			k, err := sc.key()
			if err != nil {
				return p, err
			}
			if k != "endCursor" && k != "data" {
				k = foldKey(k, monitorPageKeys)
			}
			switch k {
			case "endCursor":
				switch {
				case sc.i < len(sc.b) && sc.b[sc.i] == '"':
					if p.endCursor, err = sc.strValue(); err != nil {
						return p, err
					}
				case sc.i < len(sc.b) && sc.b[sc.i] == 'n':
					// null leaves a string as it was (encoding/json).
					if err := sc.literal("null"); err != nil {
						return p, err
					}
				default:
					if err := sc.skipValue(); err != nil {
						return p, err
					}
					return p, fmt.Errorf("endCursor: %w: want a string", errPageShape)
				}
			case "data":
				events = events[:0]
				if sc.i < len(sc.b) && sc.b[sc.i] == 'n' {
					if err := sc.literal("null"); err != nil {
						return p, err
					}
					break
				}
				if sc.i >= len(sc.b) {
					return p, sc.eof()
				}
				if sc.b[sc.i] != '[' {
					if err := sc.skipValue(); err != nil {
						return p, err
					}
					return p, fmt.Errorf("data: %w: want an array", errPageShape)
				}
				sc.i++
				sc.ws()
				if sc.i < len(sc.b) && sc.b[sc.i] == ']' {
					sc.i++
					break
				}
				sc.depth = 2
				for {
					events = append(events, Event{})
					if err := sc.event(&events[len(events)-1]); err != nil {
						return p, err
					}
					sc.ws()
					if sc.i >= len(sc.b) {
						return p, sc.eof()
					}
					if sc.b[sc.i] == ',' {
						sc.i++
						sc.ws()
						continue
					}
					if sc.b[sc.i] == ']' {
						sc.i++
						break
					}
					return p, sc.syntax("after array element")
				}
				sc.depth = 1
			default:
				if err := sc.skipValue(); err != nil {
					return p, err
				}
			}
			sc.ws()
			if sc.i >= len(sc.b) {
				return p, sc.eof()
			}
			if sc.b[sc.i] == ',' {
				sc.i++
				sc.ws()
				continue
			}
			if sc.b[sc.i] == '}' {
				sc.i++
				break
			}
			return p, sc.syntax("after object key:value pair")
		}
	}
	sc.ws()
	if sc.i != len(sc.b) {
		return p, sc.syntax("after top-level value")
	}
	p.events = events
	return p, nil
}
