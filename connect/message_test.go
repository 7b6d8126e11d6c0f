package connect

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/internal/specfile"
)

func TestDecodeTypicalMessage(t *testing.T) {
	m, err := Decode(typicalMessage(RecipientCompleted, 3))
	if err != nil {
		t.Fatal(err)
	}
	if m.Event != RecipientCompleted || !m.Event.Known() || !m.Event.IsRecipient() || m.Event.IsEnvelope() {
		t.Errorf("Event = %q", m.Event)
	}
	if m.RetryCount != 3 || m.ConfigurationID != "10472953" || m.APIVersion != "v2.1" {
		t.Errorf("RetryCount %d, ConfigurationID %q, APIVersion %q", m.RetryCount, m.ConfigurationID, m.APIVersion)
	}
	want := time.Date(2026, 12, 1, 10, 15, 30, 123456700, time.UTC)
	if !m.GeneratedDateTime.Equal(want) || m.GeneratedDateTimeText != "2026-12-01T10:15:30.1234567Z" {
		t.Errorf("GeneratedDateTime = %v (%q)", m.GeneratedDateTime, m.GeneratedDateTimeText)
	}
	if m.Data.EnvelopeID != testEnv || m.Data.RecipientID != "1" || m.Data.AccountID == "" || m.Data.UserID == "" {
		t.Errorf("Data = %+v", m.Data)
	}
	if m.SummaryError != nil {
		t.Fatal(m.SummaryError)
	}
	s := m.Data.EnvelopeSummary
	if s == nil || *s.Status != "completed" || *s.EmailSubject != "Please sign: MSA 2027" || s.Recipients == nil || len(s.Recipients.Signers) != 2 {
		t.Fatalf("EnvelopeSummary = %+v", s)
	}
	if *s.Recipients.Signers[0].Email != "grace@example.com" {
		t.Errorf("first signer = %+v", s.Recipients.Signers[0])
	}
}

// TestDecodeLenientTopLevel: numbers, booleans and null where text is
// expected, and numeric text where a number is expected, all decode.
func TestDecodeLenientTopLevel(t *testing.T) {
	body := `{"event":"envelope-sent","apiVersion":2.1,"uri":null,"retryCount":"2","configurationId":"55",
	"generatedDateTime":"2026-12-01T10:15:30.12","newMember":{"x":[1,2]},
	"data":{"accountId":12345,"userId":true,"envelopeId":"E1","recipientId":7,"somethingNew":"kept"}}`
	m, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if m.APIVersion != "2.1" || m.URI != "" || m.RetryCount != 2 || m.ConfigurationID != "55" {
		t.Errorf("top level = %q %q %d %q", m.APIVersion, m.URI, m.RetryCount, m.ConfigurationID)
	}
	if m.Data.AccountID != "12345" || m.Data.UserID != "true" || m.Data.RecipientID != "7" {
		t.Errorf("data = %+v", m.Data)
	}
	if !m.GeneratedDateTime.Equal(time.Date(2026, 12, 1, 10, 15, 30, 120000000, time.UTC)) {
		t.Errorf("a time without zone: %v", m.GeneratedDateTime)
	}
	if !strings.Contains(string(m.Raw), "newMember") || !strings.Contains(string(m.Raw), "somethingNew") {
		t.Error("unknown members are not kept in Raw")
	}
}

func TestDecodeKeepsUnknownEvents(t *testing.T) {
	m, err := Decode([]byte(`{"event":"envelope-teleported","data":{"envelopeId":"E"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Event != "envelope-teleported" || m.Event.Known() || !m.Event.IsEnvelope() {
		t.Errorf("Event = %q", m.Event)
	}
}

func TestDecodeRefusals(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"empty body", "", "empty"},
		{"XML body", `<?xml version="1.0"?><DocuSignEnvelopeInformation/>`, "JSON SIM"},
		{"truncated JSON", `{"event":"envelope-sent","data":{`, "invalid JSON"},
		{"no event", `{"status":"completed","envelopeId":"E"}`, "no \"event\""},
		{"event is an object", `{"event":{"name":"x"}}`, "member event"},
		{"envelope id is an array", `{"event":"envelope-sent","data":{"envelopeId":["E"]}}`, "member data.envelopeId"},
		{"data is text", `{"event":"envelope-sent","data":"E"}`, "\"data\" is not"},
		{"array body", `[{"event":"envelope-sent"}]`, "not a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.body))
			if !errors.Is(err, ErrMalformed) || StatusOf(err) != 400 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error = %v, want ErrMalformed mentioning %q", err, tt.want)
			}
		})
	}
}

// TestDecodePublishedSample decodes DocuSign's published sample message
// (pinned in api/specs.lock.json, read from the specs mirror). Its placeholders put numbers where the eSignature
// models expect text (configurationId, scaleValue, width); every part
// decodes, the summary into the lenient generated models.
func TestDecodePublishedSample(t *testing.T) {
	b := specfile.Sample(t, "connect-message") // verified against api/specs.lock.json
	// The sample's event is an empty placeholder; fill it as DocuSign does.
	b = []byte(strings.Replace(string(b), `"event": ""`, `"event": "envelope-completed"`, 1))
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.ConfigurationID != "12345" || m.APIVersion != "v2.1" || m.Data.EnvelopeID != "sample string" {
		t.Errorf("top level = %q %q %q", m.ConfigurationID, m.APIVersion, m.Data.EnvelopeID)
	}
	if len(m.Data.RawEnvelopeSummary) == 0 {
		t.Fatal("RawEnvelopeSummary is empty")
	}
	if m.SummaryError != nil {
		t.Fatal(m.SummaryError)
	}
	env := m.Data.EnvelopeSummary
	if env == nil || env.EmailSubject == nil || *env.EmailSubject != "sample string 8" || env.Recipients == nil || len(env.Recipients.Signers) == 0 {
		t.Fatalf("EnvelopeSummary = %+v", env)
	}
}

// TestDecodeSummaryThatDoesNotFit: a summary that is not an object leaves
// the message valid, with the summary raw and the reason in SummaryError.
func TestDecodeSummaryThatDoesNotFit(t *testing.T) {
	m, err := Decode([]byte(`{"event":"envelope-sent","data":{"envelopeId":"E","envelopeSummary":["not","an","envelope"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Data.EnvelopeSummary != nil || m.SummaryError == nil || string(m.Data.RawEnvelopeSummary) != `["not","an","envelope"]` || m.Data.EnvelopeID != "E" {
		t.Fatalf("summary %v, error %v, raw %s", m.Data.EnvelopeSummary, m.SummaryError, m.Data.RawEnvelopeSummary)
	}
}

func TestDedupKey(t *testing.T) {
	first, _ := Decode(typicalMessage(EnvelopeCompleted, 0))
	retry, _ := Decode(typicalMessage(EnvelopeCompleted, 4))
	other, _ := Decode(typicalMessage(EnvelopeDelivered, 0))
	if DedupKey(first) == "" || DedupKey(first) != DedupKey(retry) {
		t.Errorf("a retry has another key: %q vs %q", DedupKey(first), DedupKey(retry))
	}
	if DedupKey(first) == DedupKey(other) {
		t.Error("two events share a key")
	}
	bare, _ := Decode([]byte(`{"event":"click-agreed"}`))
	if DedupKey(bare) != "" {
		t.Errorf("a message without envelope or time got key %q", DedupKey(bare))
	}
}
