package connect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dsgo/docusign/gen/esignature/models"
)

// Message is one JSON SIM Connect message: the event, its standard
// members, the event data and the raw bytes that were verified.
type Message struct {
	// Event is the trigger, e.g. EnvelopeCompleted.
	Event Event
	// APIVersion is the eSignature API version of the data (e.g. "v2.1").
	APIVersion string
	// URI is the eSignature path of the envelope the event concerns.
	URI string
	// RetryCount is 0 on the first delivery and grows with each retry;
	// it is the one member that differs between deliveries of the same
	// event (see DedupKey).
	RetryCount int
	// ConfigurationID is the Connect configuration that sent the message
	// (DocuSign sends a number; kept as text).
	ConfigurationID string
	// GeneratedDateTime is when DocuSign generated the message; zero when
	// absent or not a time. GeneratedDateTimeText is the text as sent.
	GeneratedDateTime     time.Time
	GeneratedDateTimeText string
	// Data is the event's data.
	Data Data
	// Raw is the whole message as received: everything the typed fields do
	// not model is here. Read-only; it shares memory with the Message.
	Raw []byte
	// SummaryError is set when data.envelopeSummary is present but could
	// not be decoded into models.Envelope; the message is still valid and
	// Data.RawEnvelopeSummary holds the summary.
	SummaryError error
}

// Data is the "data" member of a message: the IDs of the account, user,
// envelope and recipient the event concerns, and the envelope summary
// when the configuration includes it.
type Data struct {
	AccountID   string
	UserID      string
	EnvelopeID  string
	RecipientID string
	// EnvelopeSummary is the envelope as the eSignature API returns it,
	// present when the Connect configuration includes envelope data.
	EnvelopeSummary *models.Envelope
	// RawEnvelopeSummary is data.envelopeSummary as received. Members of
	// data this type does not name are in Message.Raw.
	RawEnvelopeSummary json.RawMessage
}

// wireMessage and wireData take what DocuSign sends: every scalar may come
// as a string, a number, a boolean or null.
type wireMessage struct {
	Event             flexString `json:"event"`
	APIVersion        flexString `json:"apiVersion"`
	URI               flexString `json:"uri"`
	RetryCount        flexInt    `json:"retryCount"`
	ConfigurationID   flexString `json:"configurationId"`
	GeneratedDateTime flexString `json:"generatedDateTime"`
	Data              *wireData  `json:"data"`
}

type wireData struct {
	AccountID       flexString   `json:"accountId"`
	UserID          flexString   `json:"userId"`
	EnvelopeID      flexString   `json:"envelopeId"`
	RecipientID     flexString   `json:"recipientId"`
	EnvelopeSummary summaryField `json:"envelopeSummary"`
}

// summaryField decodes data.envelopeSummary into the generated model in
// the same pass as the rest of the message. A summary that does not fit
// is not an error of the message: it is kept raw with the reason.
type summaryField struct {
	raw json.RawMessage
	env *models.Envelope
	err error
}

func (f *summaryField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f.raw = bytes.Clone(b)
	var env models.Envelope
	if err := json.Unmarshal(f.raw, &env); err != nil {
		f.err = err
		return nil
	}
	f.env = &env
	return nil
}

// Decode parses a JSON SIM Connect message. It is lenient where DocuSign
// is loose (numbers, booleans or null where text is expected, numeric
// text where a number is expected, unknown members and events) and strict
// where a listener cannot go on: a body that is not a JSON object, or one
// without an event. Errors are *RejectError wrapping ErrMalformed and
// name the member at fault. Decode keeps body as Message.Raw without
// copying it.
func Decode(body []byte) (*Message, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, malformed("the body is empty", nil)
	}
	if trimmed[0] != '{' {
		hint := "the body is not a JSON object"
		if trimmed[0] == '<' {
			hint += " (XML: set the Connect configuration's format to JSON SIM)"
		}
		return nil, malformed(hint, nil)
	}
	var w wireMessage
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return nil, malformed(describe(trimmed, err), err)
	}
	if w.Event == "" {
		return nil, malformed("no \"event\" member: is the Connect configuration's format JSON SIM (deliveryMode SIM, eventData version restv2.1)?", nil)
	}
	m := &Message{
		Event:                 Event(w.Event),
		APIVersion:            string(w.APIVersion),
		URI:                   string(w.URI),
		RetryCount:            int(w.RetryCount),
		ConfigurationID:       string(w.ConfigurationID),
		GeneratedDateTimeText: string(w.GeneratedDateTime),
		GeneratedDateTime:     parseTime(string(w.GeneratedDateTime)),
		Raw:                   body,
	}
	if d := w.Data; d != nil {
		m.Data = Data{
			AccountID:          string(d.AccountID),
			UserID:             string(d.UserID),
			EnvelopeID:         string(d.EnvelopeID),
			RecipientID:        string(d.RecipientID),
			EnvelopeSummary:    d.EnvelopeSummary.env,
			RawEnvelopeSummary: d.EnvelopeSummary.raw,
		}
		if err := d.EnvelopeSummary.err; err != nil {
			m.SummaryError = fmt.Errorf("connect: data.envelopeSummary does not fit models.Envelope (kept in Data.RawEnvelopeSummary): %w", err)
		}
	}
	return m, nil
}

func malformed(detail string, err error) *RejectError {
	return reject(ErrMalformed, http.StatusBadRequest, detail, err)
}

var (
	wireFields = map[string]func() json.Unmarshaler{
		"event": newFlexString, "apiVersion": newFlexString, "uri": newFlexString,
		"retryCount":      func() json.Unmarshaler { return new(flexInt) },
		"configurationId": newFlexString, "generatedDateTime": newFlexString,
	}
	dataFields = map[string]func() json.Unmarshaler{
		"accountId": newFlexString, "userId": newFlexString, "envelopeId": newFlexString, "recipientId": newFlexString,
	}
)

func newFlexString() json.Unmarshaler { return new(flexString) }

// describe names the member that failed to decode, on the slow path only.
func describe(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "invalid JSON at byte " + strconv.FormatInt(se.Offset, 10)
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return "invalid JSON"
	}
	if name := unusable(members, wireFields); name != "" {
		return "member " + name + " has an unusable value"
	}
	for name, raw := range members {
		if !strings.EqualFold(name, "data") {
			continue
		}
		var data map[string]json.RawMessage
		if json.Unmarshal(raw, &data) != nil {
			return "\"data\" is not a JSON object"
		}
		if name := unusable(data, dataFields); name != "" {
			return "member data." + name + " has an unusable value"
		}
	}
	return "invalid JSON"
}

// unusable returns the first of fields whose value in members fails to
// decode.
func unusable(members map[string]json.RawMessage, fields map[string]func() json.Unmarshaler) string {
	for name, raw := range members {
		for field, mk := range fields {
			if strings.EqualFold(name, field) && mk().UnmarshalJSON(raw) != nil {
				return field
			}
		}
	}
	return ""
}

// flexString takes a JSON string, number or boolean as text; null is "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return errors.New("empty value")
	}
	switch b[0] {
	case '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*s = flexString(b[1 : len(b)-1])
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case 'n':
		*s = ""
	case '{', '[':
		return errors.New("an object or array where text is expected")
	default: // number, true, false
		*s = flexString(b)
	}
	return nil
}

// flexInt takes a JSON number or numeric text; null, "" and text that is
// not a number are 0 (the member stays in Message.Raw).
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	t := strings.TrimSpace(string(s))
	if v, err := strconv.Atoi(t); err == nil {
		*n = flexInt(v)
		return nil
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && f >= 0 && f < 1<<31 {
		*n = flexInt(f)
		return nil
	}
	*n = 0
	return nil
}

// parseTime reads DocuSign's timestamps: RFC 3339 with up to seven
// fractional digits, with or without a zone (UTC when absent). Zero when
// s is not a time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// DedupKey names the event a message reports, the same for every delivery
// of it: retries differ only in retryCount, so the key is the event, the
// envelope, the recipient and the time DocuSign generated the message
// (DocuSign sends no delivery ID). It is "" when the message has neither
// an envelope ID nor a generation time; such messages are not
// deduplicated. The key relies on a retry resending the same message
// (same generatedDateTime); where that does not hold, pass WithKeyFunc a
// key of your own.
func DedupKey(m *Message) string {
	if m.Data.EnvelopeID == "" && m.GeneratedDateTimeText == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(m.Event) + len(m.Data.EnvelopeID) + len(m.Data.RecipientID) + len(m.GeneratedDateTimeText) + 3)
	b.WriteString(string(m.Event))
	b.WriteByte('|')
	b.WriteString(strings.ToLower(m.Data.EnvelopeID))
	b.WriteByte('|')
	b.WriteString(m.Data.RecipientID)
	b.WriteByte('|')
	b.WriteString(m.GeneratedDateTimeText)
	return b.String()
}
