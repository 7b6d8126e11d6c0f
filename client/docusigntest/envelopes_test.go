package docusigntest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCreateEnvelopeValidatesTheDefinition(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(0))
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes"
	tests := []struct {
		name, body string
		wantStatus int
		wantInMsg  string
	}{
		{"a sent envelope with a document is created", `{"status":"sent","emailSubject":"Please sign","documents":[{"documentId":"1","name":"a.pdf","documentBase64":"JVBERg=="}],"recipients":{"signers":[{"email":"a@example.com","name":"A","recipientId":"1"}],"recipientCount":"1"}}`, 201, ""},
		{"a draft without status defaults to created", `{"documents":[{"documentId":"1"}]}`, 201, ""},
		{"an unknown template is refused", `{"templateId":"abc"}`, 400, "TEMPLATE_ID_INVALID"},
		{"a draft needs no subject", `{"status":"created","documents":[{"documentId":"1"}]}`, 201, ""},
		{"a sent envelope needs emailSubject", `{"status":"sent","documents":[{"documentId":"1"}]}`, 400, "emailSubject"},
		{"an envelope needs a document or template", `{"status":"created"}`, 400, "document"},
		{"other statuses cannot be set on create", `{"status":"completed","documents":[{"documentId":"1"}]}`, 400, "status"},
		{"every problem is reported at once", `{"status":"sent"}`, 400, "emailSubject is required to send an envelope; the envelope needs"},
		{"a JSON array is not a definition", `[{"status":"sent"}]`, 400, "JSON object"},
		{"broken JSON is rejected", `{"status":`, 400, "INVALID_REQUEST_BODY"},
		{"a wrongly typed field is rejected", `{"documents":"x"}`, 400, "INVALID_REQUEST_BODY"},
		{"an empty body is rejected", ``, 400, "INVALID_REQUEST_BODY"},
	}
	created := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, "POST", path, srv.AccessToken(), strings.NewReader(tt.body), "Content-Type", "application/json")
			wantStatus(t, r, tt.wantStatus)
			if tt.wantStatus == 201 {
				created++
				var res struct{ EnvelopeID, Status, StatusDateTime, URI string }
				r.decode(t, &res)
				if res.EnvelopeID == "" || res.URI != "/envelopes/"+res.EnvelopeID || res.StatusDateTime == "" {
					t.Errorf("create response %s", r.body)
				}
				return
			}
			if !strings.Contains(string(r.body), `"errorCode":"INVALID_REQUEST_BODY"`) && !strings.Contains(string(r.body), `"errorCode":"TEMPLATE_ID_INVALID"`) || !strings.Contains(string(r.body), tt.wantInMsg) {
				t.Errorf("body %s, want INVALID_REQUEST_BODY mentioning %q", r.body, tt.wantInMsg)
			}
		})
	}
	if n := srv.EnvelopeCount(srv.DefaultAccountID()); n != created {
		t.Errorf("%d envelopes stored, want %d", n, created)
	}
}

func TestCreatedEnvelopeCanBeReadBack(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(0))
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes"

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `form-data; name="envelope_definition"`)
	p, _ := mw.CreatePart(h)
	p.Write([]byte(`{"status":"sent","emailSubject":"Multipart","documents":[{"documentId":"1","name":"a.pdf"}]}`))
	h = textproto.MIMEHeader{}
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `file; filename="b.pdf"; documentid=2`)
	p, _ = mw.CreatePart(h)
	p.Write([]byte("%PDF-1.4"))
	mw.Close()

	r := do(t, srv, "POST", path, srv.AccessToken(), &body, "Content-Type", mw.FormDataContentType())
	wantStatus(t, r, http.StatusCreated)
	var res struct{ EnvelopeID string }
	r.decode(t, &res)

	r = get(t, srv, path+"/"+res.EnvelopeID, srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var env envelopeJSON
	r.decode(t, &env)
	if env.Status != "sent" || env.EmailSubject != "Multipart" || env.SentDateTime == "" || env.Sender == nil || env.Sender.UserID != srv.DefaultUserID() {
		t.Errorf("envelope %s", r.body)
	}
	if got := srv.Envelopes(srv.DefaultAccountID())[0]; len(got.Documents) != 2 {
		t.Errorf("Documents = %d, want 2 (one in JSON, one part)", len(got.Documents))
	}

	r = get(t, srv, path+"/00000000-0000-4000-8000-000000000000", srv.AccessToken())
	wantStatus(t, r, http.StatusNotFound)
	if !strings.Contains(string(r.body), "ENVELOPE_DOES_NOT_EXIST") {
		t.Errorf("missing envelope: %s", r.body)
	}
}

type envelopePage struct {
	Envelopes     []envelopeJSON
	ResultSetSize string
	TotalSetSize  string
	StartPosition string
	EndPosition   string
	NextURI       string
}

// listEnvelopes follows nextUri from the first query and returns every
// envelope ID in order.
func listEnvelopes(t *testing.T, srv *Server, query string) []string {
	t.Helper()
	var ids []string
	next := "/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes?" + query
	for next != "" {
		r := get(t, srv, "/restapi"+next, srv.AccessToken())
		wantStatus(t, r, http.StatusOK)
		var p envelopePage
		r.decode(t, &p)
		for _, e := range p.Envelopes {
			ids = append(ids, e.EnvelopeID)
		}
		next = p.NextURI
	}
	return ids
}

func TestEnvelopeStatusChangesPageExactlyOnce(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(333))
	from := url.QueryEscape(srv.Now().Add(-31 * 24 * time.Hour).Format(time.RFC3339))
	ids := listEnvelopes(t, srv, "from_date="+from+"&count=40")
	if len(ids) != 333 {
		t.Fatalf("%d envelopes, want 333", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("envelope %s listed twice", id)
		}
		seen[id] = true
	}
	for _, e := range srv.Envelopes(srv.DefaultAccountID()) {
		if !seen[e.ID] {
			t.Fatalf("envelope %s missing", e.ID)
		}
	}
}

func TestEnvelopePollSeesOnlyNewStatusChanges(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(50))
	srv.Advance(time.Hour)
	since := srv.Now()
	srv.Advance(time.Minute)
	target := srv.Envelopes(srv.DefaultAccountID())[7]
	if err := srv.SetEnvelopeStatus(target.ID, "completed"); err != nil {
		t.Fatal(err)
	}
	ids := listEnvelopes(t, srv, "from_date="+url.QueryEscape(since.Format(time.RFC3339Nano)))
	if len(ids) != 1 || ids[0] != target.ID {
		t.Errorf("poll since %v found %v, want [%s]", since, ids, target.ID)
	}
	ids = listEnvelopes(t, srv, "from_date="+url.QueryEscape(since.Format(time.RFC3339Nano))+"&status=voided")
	if len(ids) != 0 {
		t.Errorf("status filter let through %v", ids)
	}
	if err := srv.SetEnvelopeStatus(target.ID, "bogus"); err == nil {
		t.Error("SetEnvelopeStatus accepted an unknown status")
	}
}

func TestEnvelopeListNeedsFromDate(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(3))
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes"
	r := get(t, srv, path, srv.AccessToken())
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "from_date") {
		t.Errorf("body %s", r.body)
	}
	wantStatus(t, get(t, srv, path+"?from_date=yesterday", srv.AccessToken()), http.StatusBadRequest)
	id := srv.Envelopes(srv.DefaultAccountID())[1].ID
	if ids := listEnvelopes(t, srv, "envelope_ids="+id); len(ids) != 1 || ids[0] != id {
		t.Errorf("envelope_ids listing = %v", ids)
	}
}
