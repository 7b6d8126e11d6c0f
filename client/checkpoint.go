package client

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Checkpoint kinds: each pager accepts only checkpoints of its own kind.
const (
	// CheckpointMonitor marks a position in the Monitor event stream.
	CheckpointMonitor = "monitor"
	// CheckpointOrgUsers marks a position in an Admin organization user listing.
	CheckpointOrgUsers = "orgusers"
	// CheckpointAccountUsers marks a position in an eSignature account user listing.
	CheckpointAccountUsers = "accountusers"
	// CheckpointEnvelopeChanges marks a position in an envelope status change listing.
	CheckpointEnvelopeChanges = "envelopes"
)

const (
	checkpointPrefix  = "dsgo"
	checkpointVersion = 1
	// maxCheckpointSeen bounds the records of one page a checkpoint may
	// list as processed (the largest page any DocuSign list returns is 2000).
	maxCheckpointSeen = 10000
	// maxCheckpointText bounds the compact form accepted by ParseCheckpoint.
	maxCheckpointText = 1 << 20
)

// Checkpoint is a resumable position in one listing (Monitor events, Admin
// organization users, an eSignature list): the request that fetches the page
// holding the next unprocessed record, and which records of that page were
// already processed. A pager started from a checkpoint yields exactly the
// records not yet yielded, even when the checkpoint was taken mid-page.
//
// A Checkpoint is a small value: save it with String (compact form
// "dsgo1.<kind>.<base64url>") or json.Marshal (a JSON object) and restore it
// with ParseCheckpoint or json.Unmarshal. Taken at a page boundary it is about
// a hundred bytes; taken mid-page it grows by 8 bytes (a fingerprint) per
// record already processed from that page. The zero Checkpoint means "no
// position": start as the options say.
type Checkpoint struct {
	kind   string
	cursor string   // monitor: the cursor of the page ("" = DocuSign's default start)
	limit  int      // monitor: the page size the page was fetched with
	page   string   // lists: path and query of the page, relative to the API base URL
	seen   []uint64 // fingerprints of the page's records already processed
	done   bool     // the listing was read to its end
}

// Kind names the listing the checkpoint belongs to (CheckpointMonitor, ...),
// or "" for the zero Checkpoint.
func (c Checkpoint) Kind() string { return c.kind }

// IsZero reports whether c is the zero Checkpoint.
func (c Checkpoint) IsZero() bool { return c.kind == "" }

// Done reports whether the listing was read to its end. A pager resumed
// from a done checkpoint yields nothing. (A Monitor stream is never done.)
func (c Checkpoint) Done() bool { return c.done }

// Offset is the number of records of the checkpoint's page that were already
// processed (0 at a page boundary).
func (c Checkpoint) Offset() int { return len(c.seen) }

// Cursor is the Monitor cursor of the page the checkpoint points into, "" for
// other kinds or DocuSign's default start.
func (c Checkpoint) Cursor() string { return c.cursor }

// Page is the request (path and query relative to the API base URL) of the
// page a list checkpoint points into, "" for Monitor checkpoints.
func (c Checkpoint) Page() string { return c.page }

// CheckpointError reports a checkpoint that cannot be used: corrupt, from a
// newer version of this library, or of another kind than the pager's.
// errors.Is(err, ErrInvalidCheckpoint) matches it.
type CheckpointError struct {
	Reason string // what is wrong, in words
	Err    error  // the underlying decoding error, if any
}

// ErrInvalidCheckpoint is matched by every *CheckpointError.
var ErrInvalidCheckpoint = errors.New("docusign: invalid checkpoint")

// Error implements error.
func (e *CheckpointError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("docusign: invalid checkpoint: %s: %v", e.Reason, e.Err)
	}
	return "docusign: invalid checkpoint: " + e.Reason
}

// Unwrap returns the underlying error.
func (e *CheckpointError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidCheckpoint) true.
func (e *CheckpointError) Is(target error) bool { return target == ErrInvalidCheckpoint }

func cpErr(err error, format string, args ...any) error {
	return &CheckpointError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// cpWire is the payload of both serialized forms.
type cpWire struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	Page   string `json:"page,omitempty"`
	Offset int    `json:"offset,omitempty"`
	Seen   string `json:"seen,omitempty"` // base64url of 8-byte big-endian fingerprints
	Done   bool   `json:"done,omitempty"`
}

// cpObject is the JSON object form.
type cpObject struct {
	V    int    `json:"v"`
	Kind string `json:"kind"`
	cpWire
}

func (c Checkpoint) wire() cpWire {
	w := cpWire{Cursor: c.cursor, Limit: c.limit, Page: c.page, Offset: len(c.seen), Done: c.done}
	if len(c.seen) > 0 {
		raw := make([]byte, 8*len(c.seen))
		for i, f := range c.seen {
			binary.BigEndian.PutUint64(raw[8*i:], f)
		}
		w.Seen = base64.RawURLEncoding.EncodeToString(raw)
	}
	return w
}

// fromWire validates a decoded payload and builds the Checkpoint.
func fromWire(kind string, w cpWire) (Checkpoint, error) {
	if err := checkCheckpointKind(kind); err != nil {
		return Checkpoint{}, err
	}
	c := Checkpoint{kind: kind, cursor: w.Cursor, limit: w.Limit, page: w.Page, done: w.Done}
	if w.Seen != "" {
		raw, err := base64.RawURLEncoding.DecodeString(w.Seen)
		if err != nil {
			return Checkpoint{}, cpErr(err, "seen is not base64url")
		}
		if len(raw)%8 != 0 {
			return Checkpoint{}, cpErr(nil, "seen has %d bytes, not a multiple of 8", len(raw))
		}
		if len(raw)/8 > maxCheckpointSeen {
			return Checkpoint{}, cpErr(nil, "seen lists %d records, more than any page holds", len(raw)/8)
		}
		c.seen = make([]uint64, len(raw)/8)
		for i := range c.seen {
			c.seen[i] = binary.BigEndian.Uint64(raw[8*i:])
		}
	}
	switch {
	case w.Offset != len(c.seen):
		return Checkpoint{}, cpErr(nil, "offset %d does not match the %d records listed in seen", w.Offset, len(c.seen))
	case w.Limit < 0 || w.Limit > maxMonitorLimit:
		return Checkpoint{}, cpErr(nil, "limit %d is outside 1..%d", w.Limit, maxMonitorLimit)
	case kind == CheckpointMonitor && w.Page != "":
		return Checkpoint{}, cpErr(nil, "a monitor checkpoint has no page")
	case kind != CheckpointMonitor && (w.Cursor != "" || w.Limit != 0):
		return Checkpoint{}, cpErr(nil, "a %s checkpoint has no cursor or limit", kind)
	case kind == CheckpointMonitor && w.Done:
		return Checkpoint{}, cpErr(nil, "a monitor stream is never done")
	case kind != CheckpointMonitor && !w.Done && w.Page == "":
		return Checkpoint{}, cpErr(nil, "a %s checkpoint needs a page", kind)
	case w.Done && (len(c.seen) > 0 || w.Page != ""):
		return Checkpoint{}, cpErr(nil, "a done checkpoint has no page or offset")
	}
	if c.page != "" {
		if err := checkRelativePage(c.page); err != nil {
			return Checkpoint{}, cpErr(err, "page")
		}
	}
	return c, nil
}

// checkCheckpointKind accepts 1 to 32 lower-case letters and digits.
func checkCheckpointKind(kind string) error {
	if kind == "" || len(kind) > 32 {
		return cpErr(nil, "kind %q must have 1 to 32 characters", kind)
	}
	for _, r := range kind {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return cpErr(nil, "kind %q may hold only a-z and 0-9", kind)
		}
	}
	return nil
}

// checkRelativePage accepts a path (with query) relative to an API base URL:
// it must start with one "/" and carry no scheme, host or fragment, so a
// tampered checkpoint cannot send credentials elsewhere.
func checkRelativePage(p string) error {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "#\\ \t\r\n") {
		return fmt.Errorf("%q is not a path relative to the API base URL", p)
	}
	path, _, _ := strings.Cut(p, "?")
	for _, seg := range strings.Split(path, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("%q contains a dot segment", p)
		}
	}
	return nil
}

// String returns the compact form "dsgo1.<kind>.<base64url(JSON)>", or "" for
// the zero Checkpoint. ParseCheckpoint reads it back.
func (c Checkpoint) String() string {
	if c.IsZero() {
		return ""
	}
	payload, _ := json.Marshal(c.wire()) // cannot fail: strings, ints and bools
	return checkpointPrefix + strconv.Itoa(checkpointVersion) + "." + c.kind + "." + base64.RawURLEncoding.EncodeToString(payload)
}

// ParseCheckpoint decodes the compact form written by Checkpoint.String. The
// empty string gives the zero Checkpoint. A corrupt, foreign or newer-version
// string gives a *CheckpointError.
func ParseCheckpoint(s string) (Checkpoint, error) {
	if s == "" {
		return Checkpoint{}, nil
	}
	if len(s) > maxCheckpointText {
		return Checkpoint{}, cpErr(nil, "%d bytes is too long for a checkpoint", len(s))
	}
	head, rest, ok := strings.Cut(s, ".")
	if !ok || !strings.HasPrefix(head, checkpointPrefix) {
		return Checkpoint{}, cpErr(nil, "not a dsgo checkpoint (want dsgo1.<kind>.<data>)")
	}
	v, err := strconv.Atoi(head[len(checkpointPrefix):])
	if err != nil {
		return Checkpoint{}, cpErr(nil, "version %q is not a number", head[len(checkpointPrefix):])
	}
	if v != checkpointVersion {
		return Checkpoint{}, cpErr(nil, "version %d is not supported (this library reads version %d)", v, checkpointVersion)
	}
	kind, data, ok := strings.Cut(rest, ".")
	if !ok {
		return Checkpoint{}, cpErr(nil, "missing data (want dsgo1.<kind>.<data>)")
	}
	if err := checkCheckpointKind(kind); err != nil {
		return Checkpoint{}, err
	}
	payload, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return Checkpoint{}, cpErr(err, "data is not base64url")
	}
	var w cpWire
	if err := strictJSON(payload, &w); err != nil {
		return Checkpoint{}, cpErr(err, "data is not a checkpoint JSON object")
	}
	return fromWire(kind, w)
}

// strictJSON decodes exactly one JSON value with no unknown fields.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// MarshalText writes the compact form, so a Checkpoint can be a map key or
// a text field (e.g. in YAML or an environment variable).
func (c Checkpoint) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads the compact form.
func (c *Checkpoint) UnmarshalText(text []byte) error {
	cp, err := ParseCheckpoint(string(text))
	if err != nil {
		return err
	}
	*c = cp
	return nil
}

// MarshalJSON writes the JSON object form, e.g.
// {"v":1,"kind":"monitor","cursor":"...","limit":2000}; the zero Checkpoint
// is null.
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	if c.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(cpObject{V: checkpointVersion, Kind: c.kind, cpWire: c.wire()})
}

// UnmarshalJSON reads the JSON object form, a JSON string holding the
// compact form, or null (the zero Checkpoint).
func (c *Checkpoint) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*c = Checkpoint{}
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return cpErr(err, "not a JSON string")
		}
		return c.UnmarshalText([]byte(s))
	}
	var o cpObject
	if err := strictJSON(data, &o); err != nil {
		return cpErr(err, "not a checkpoint JSON object")
	}
	if o.V != checkpointVersion {
		return cpErr(nil, "version %d is not supported (this library reads version %d)", o.V, checkpointVersion)
	}
	cp, err := fromWire(o.Kind, o.cpWire)
	if err != nil {
		return err
	}
	*c = cp
	return nil
}

// expectKind checks that a caller-supplied checkpoint belongs to the pager
// of kind want; option names the option it came from.
func (c Checkpoint) expectKind(option, want string) error {
	if c.IsZero() || c.kind == want {
		return nil
	}
	return wrapOpt(option, cpErr(nil, "checkpoint is for a %s listing, not %s", c.kind, want))
}
