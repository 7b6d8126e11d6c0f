package docusigntest

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// envelopeAPI is the eSignature account path of the default account.
func envelopeAPI(srv *Server) string {
	return "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
}

// createEnvelope posts a JSON definition and returns the envelope ID.
func createEnvelope(t *testing.T, srv *Server, body string) string {
	t.Helper()
	r := do(t, srv, "POST", envelopeAPI(srv)+"/envelopes", srv.AccessToken(), strings.NewReader(body), "Content-Type", "application/json")
	wantStatus(t, r, http.StatusCreated)
	var res struct{ EnvelopeID string }
	r.decode(t, &res)
	return res.EnvelopeID
}

func pdfB64(title string) string { return base64.StdEncoding.EncodeToString(SamplePDF(title)) }

// twoSigners is a sent envelope: signer 1 (embedded), then signer 2, then a
// carbon copy.
func twoSigners() string {
	return `{"status":"sent","emailSubject":"Sign","documents":[{"documentId":"1","name":"a.pdf","documentBase64":"` + pdfB64("A") + `"}],
	"recipients":{"signers":[
		{"recipientId":"1","routingOrder":"1","name":"Ada","email":"ada@example.com","clientUserId":"u1","tabs":{"signHereTabs":[{"pageNumber":"1","xPosition":"10","yPosition":"10"}]}},
		{"recipientId":"2","routingOrder":"2","name":"Ben","email":"ben@example.com"}],
	"carbonCopies":[{"recipientId":"3","routingOrder":"3","name":"Cy","email":"cy@example.com"}]}}`
}

func recipientStatuses(t *testing.T, srv *Server, id string) string {
	t.Helper()
	e, ok := srv.Envelope(id)
	if !ok {
		t.Fatalf("no envelope %s", id)
	}
	var out []string
	for _, r := range e.Recipients {
		out = append(out, r.ID+":"+r.Status)
	}
	return e.Status + " " + strings.Join(out, " ")
}

func TestRoutingOrderMovesTheEnvelopeAlong(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0), WithClock(func() time.Time { return t0 }))
	id := createEnvelope(t, srv, twoSigners())
	if got := recipientStatuses(t, srv, id); got != "sent 1:sent 2:created 3:created" {
		t.Fatalf("after sending: %s", got)
	}
	if err := srv.SignRecipient(id, "2"); err == nil || !strings.Contains(err.Error(), "routing order 2") {
		t.Fatalf("signer 2 signed out of turn: %v", err)
	}
	srv.Advance(time.Minute)
	if err := srv.DeliverRecipient(id, "1"); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Minute)
	signed := srv.Now()
	if err := srv.SignRecipient(id, "1"); err != nil {
		t.Fatal(err)
	}
	if got := recipientStatuses(t, srv, id); got != "sent 1:completed 2:sent 3:created" {
		t.Fatalf("after signer 1: %s", got)
	}
	if err := srv.SignRecipient(id, "1"); err == nil {
		t.Fatal("signer 1 signed twice")
	}
	srv.Advance(time.Minute)
	if err := srv.SignRecipient(id, "2"); err != nil {
		t.Fatal(err)
	}
	e, _ := srv.Envelope(id)
	if got := recipientStatuses(t, srv, id); got != "completed 1:completed 2:completed 3:completed" {
		t.Fatalf("after signer 2: %s", got)
	}
	if !e.Recipients[0].Signed.Equal(signed) || !e.Completed.Equal(srv.Now()) || !e.StatusChanged.Equal(e.Completed) {
		t.Errorf("timestamps: signer 1 %v (want %v), completed %v, changed %v (want %v)", e.Recipients[0].Signed, signed, e.Completed, e.StatusChanged, srv.Now())
	}
	if err := srv.VoidEnvelope(id, "too late"); err == nil {
		t.Error("a completed envelope was voided")
	}
}

func TestDeclineDeclinesTheEnvelopeAndCompleteSignsTheRest(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	declined := createEnvelope(t, srv, twoSigners())
	if err := srv.DeclineRecipient(declined, "1", "No"); err != nil {
		t.Fatal(err)
	}
	if got := recipientStatuses(t, srv, declined); got != "declined 1:declined 2:created 3:created" {
		t.Fatalf("after decline: %s", got)
	}
	done := createEnvelope(t, srv, twoSigners())
	if err := srv.CompleteEnvelope(done); err != nil {
		t.Fatal(err)
	}
	if got := recipientStatuses(t, srv, done); got != "completed 1:completed 2:completed 3:completed" {
		t.Fatalf("after CompleteEnvelope: %s", got)
	}
	r := get(t, srv, envelopeAPI(srv)+"/envelopes/"+declined+"/recipients", srv.AccessToken())
	if !strings.Contains(string(r.body), `"declinedReason":"No"`) {
		t.Errorf("recipients of the declined envelope: %s", r.body)
	}
}

func TestObserversSeeEveryStepInOrder(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	var got []string
	var nested bool
	remove := srv.OnEnvelopeEvent(func(ev EnvelopeEvent) {
		got = append(got, string(ev.Kind)+ev.RecipientID)
		if ev.Kind == EventRecipientSent && ev.RecipientID == "2" && !nested {
			nested = true
			// An observer may call control methods: their events follow.
			if err := srv.SignRecipient(ev.Envelope.ID, "2"); err != nil {
				t.Error(err)
			}
		}
	})
	id := createEnvelope(t, srv, twoSigners())
	if err := srv.SignRecipient(id, "1"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"envelope-created", "envelope-sent", "recipient-sent1",
		"recipient-delivered1", "recipient-completed1", "recipient-sent2",
		"recipient-delivered2", "envelope-delivered", "recipient-completed2",
		"recipient-completed3", "envelope-completed",
	}
	if !slices.Equal(got, want) {
		t.Errorf("observed\n%v\nwant\n%v", got, want)
	}
	remove()
	srv.SetEnvelopeStatus(id, "voided")
	if len(got) != len(want) {
		t.Error("a removed observer was called")
	}
}

func TestRecipientViewURLDeliversSignsAndExpires(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	id := createEnvelope(t, srv, twoSigners())
	view := func(body string) response {
		return do(t, srv, "POST", envelopeAPI(srv)+"/envelopes/"+id+"/views/recipient", srv.AccessToken(), strings.NewReader(body), "Content-Type", "application/json")
	}
	r := view(`{"returnUrl":"https://app.example.com/done?x=1","authenticationMethod":"none","userName":"Ben","email":"ben@example.com"}`)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "UNKNOWN_ENVELOPE_RECIPIENT") {
		t.Errorf("view for a non-embedded recipient: %d %s", r.status, r.body)
	}
	r = view(`{"returnUrl":"https://app.example.com/done?x=1","authenticationMethod":"none","userName":"Ada","email":"ada@example.com","clientUserId":"u1"}`)
	wantStatus(t, r, http.StatusCreated)
	var v struct{ URL string }
	r.decode(t, &v)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	open := func(u string) *http.Response {
		res, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := open(v.URL); res.StatusCode != http.StatusOK {
		t.Fatalf("opening the view: %s", res.Status)
	}
	if got := recipientStatuses(t, srv, id); got != "delivered 1:delivered 2:created 3:created" && got != "sent 1:delivered 2:created 3:created" {
		t.Fatalf("after opening the view: %s", got)
	}
	res := open(v.URL + "&action=sign")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://app.example.com/done?x=1&event=signing_complete" {
		t.Fatalf("signing: %s to %q", res.Status, res.Header.Get("Location"))
	}
	if got := recipientStatuses(t, srv, id); !strings.HasPrefix(got, "sent 1:completed 2:sent") {
		t.Fatalf("after signing in the view: %s", got)
	}
	r = view(`{"returnUrl":"https://app.example.com/done","authenticationMethod":"none","recipientId":"1"}`)
	r.decode(t, &v)
	srv.Advance(6 * time.Minute)
	if res := open(v.URL); res.StatusCode != http.StatusGone {
		t.Errorf("an expired view URL answered %s", res.Status)
	}
}

func TestTemplatesAreCreatedListedAndUsed(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	tok := srv.AccessToken()
	r := do(t, srv, "POST", envelopeAPI(srv)+"/templates", tok, strings.NewReader(`{"name":"NDA","emailSubject":"Sign the NDA",
		"documents":[{"documentId":"1","name":"nda.pdf","documentBase64":"`+pdfB64("NDA")+`"}],
		"recipients":{"signers":[{"recipientId":"1","roleName":"Employee","tabs":{"signHereTabs":[{"pageNumber":"1"}]}}],"carbonCopies":[{"recipientId":"2","roleName":"HR","name":"HR Desk","email":"hr@example.com","routingOrder":"2"}]}}`),
		"Content-Type", "application/json")
	wantStatus(t, r, http.StatusCreated)
	var created struct{ TemplateID string }
	r.decode(t, &created)
	r = get(t, srv, envelopeAPI(srv)+"/templates?search_text=nd", tok)
	if !strings.Contains(string(r.body), created.TemplateID) || !strings.Contains(string(r.body), `"totalSetSize":"1"`) {
		t.Errorf("template list: %s", r.body)
	}
	r = get(t, srv, envelopeAPI(srv)+"/templates/"+created.TemplateID, tok)
	if !strings.Contains(string(r.body), `"roleName":"Employee"`) || !strings.Contains(string(r.body), `"nda.pdf"`) {
		t.Errorf("template: %s", r.body)
	}
	id := createEnvelope(t, srv, `{"status":"sent","templateId":"`+created.TemplateID+`","templateRoles":[{"roleName":"Employee","name":"Eve","email":"eve@example.com"}]}`)
	e, _ := srv.Envelope(id)
	if e.EmailSubject != "Sign the NDA" || len(e.Documents) != 1 || e.TemplateID != created.TemplateID ||
		len(e.Recipients) != 2 || e.Recipients[0].Name != "Eve" || e.Recipients[0].Status != RecipientSent || len(e.Recipients[0].Tabs["signHereTabs"]) != 1 {
		t.Errorf("envelope from the template: %+v", e)
	}
	r = do(t, srv, "POST", envelopeAPI(srv)+"/envelopes", tok, strings.NewReader(`{"status":"sent","templateId":"`+created.TemplateID+`","templateRoles":[{"roleName":"Boss","name":"B","email":"b@example.com"}]}`))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `roleName \"Boss\" is not a role`) {
		t.Errorf("unknown role: %d %s", r.status, r.body)
	}
	r = do(t, srv, "POST", envelopeAPI(srv)+"/envelopes", tok, strings.NewReader(`{"status":"sent","templateId":"`+created.TemplateID+`"}`))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "needs an email") {
		t.Errorf("sending with an unfilled role: %d %s", r.status, r.body)
	}
	// Composite: the server template's documents, the role filled inline.
	id = createEnvelope(t, srv, `{"status":"sent","emailSubject":"Composite","compositeTemplates":[{"serverTemplates":[{"sequence":"1","templateId":"`+created.TemplateID+`"}],
		"inlineTemplates":[{"sequence":"2","recipients":{"signers":[{"recipientId":"1","roleName":"Employee","name":"Fay","email":"fay@example.com"}]}}]}]}`)
	e, _ = srv.Envelope(id)
	if len(e.Documents) != 1 || e.Recipients[0].Name != "Fay" || e.EmailSubject != "Composite" {
		t.Errorf("composite envelope: %+v", e)
	}
}

func TestMultipartPartsAndDownloads(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	tok := srv.AccessToken()
	part1, part2 := SamplePDF("Part one"), SamplePDF("Part two")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	p, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json"}, "Content-Disposition": {`form-data; name="envelope_definition"`}})
	p.Write([]byte(`{"status":"sent","emailSubject":"Parts","documents":[{"documentId":"1","name":"one.pdf"}],"recipients":{"signers":[{"recipientId":"1","name":"A","email":"a@example.com"}]}}`))
	p, _ = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/pdf"}, "Content-Disposition": {`file; filename="one.pdf"; documentid=1`}})
	p.Write(part1)
	p, _ = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/pdf"}, "Content-Disposition": {`file; filename="two.pdf"; documentid=2`}})
	p.Write(part2)
	mw.Close()
	r := do(t, srv, "POST", envelopeAPI(srv)+"/envelopes", tok, &body, "Content-Type", mw.FormDataContentType())
	wantStatus(t, r, http.StatusCreated)
	var res struct{ EnvelopeID string }
	r.decode(t, &res)
	docs := envelopeAPI(srv) + "/envelopes/" + res.EnvelopeID + "/documents"
	if r := get(t, srv, docs+"/1", tok); !bytes.Equal(r.body, part1) || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("document 1 is not the uploaded part (%s)", r.header.Get("Content-Type"))
	}
	if r := get(t, srv, docs+"/2", tok); !bytes.Equal(r.body, part2) {
		t.Error("document 2 is not the uploaded part")
	}
	r = get(t, srv, docs+"/combined?certificate=true", tok)
	if pages, err := CheckPDF(r.body); err != nil || pages != 3 {
		t.Errorf("combined with certificate: %d pages, %v", pages, err)
	}
	// Replace document 2 with a raw PDF body.
	v2 := SamplePDF("Part two, v2")
	r = do(t, srv, "PUT", docs+"/2", tok, bytes.NewReader(v2), "Content-Type", "application/pdf", "Content-Disposition", `file; filename="two-v2.pdf"`)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `"name":"two-v2.pdf"`) {
		t.Errorf("replace answered %s", r.body)
	}
	r = get(t, srv, docs+"/archive", tok)
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatalf("archive is not a zip: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if _, err := CheckPDF(b); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		if f.Name == "2_two-v2.pdf" && !bytes.Equal(b, v2) {
			t.Error("the archive holds the old document 2")
		}
	}
	if fmt.Sprint(names) != "[1_one.pdf 2_two-v2.pdf Summary.pdf]" {
		t.Errorf("archive files %v", names)
	}
	r = get(t, srv, docs, tok)
	if !strings.Contains(string(r.body), `"documentId":"certificate"`) || strings.Count(string(r.body), `"type":"content"`) != 2 {
		t.Errorf("documents list: %s", r.body)
	}
	if r := get(t, srv, docs+"/9", tok); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "DOCUMENT_DOES_NOT_EXIST") {
		t.Errorf("missing document: %d %s", r.status, r.body)
	}
}

func TestVoidResendAndSendADraft(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0), WithClock(func() time.Time { return t0 }))
	tok := srv.AccessToken()
	put := func(id, query, body string) response {
		return do(t, srv, "PUT", envelopeAPI(srv)+"/envelopes/"+id+query, tok, strings.NewReader(body), "Content-Type", "application/json")
	}
	draft := createEnvelope(t, srv, strings.Replace(twoSigners(), `"status":"sent"`, `"status":"created"`, 1))
	if r := put(draft, "", `{"status":"voided","voidedReason":"x"}`); !strings.Contains(string(r.body), "ENVELOPE_CANNOT_VOID_INVALID_STATE") {
		t.Errorf("voiding a draft: %s", r.body)
	}
	wantStatus(t, put(draft, "", `{"status":"sent"}`), http.StatusOK)
	if got := recipientStatuses(t, srv, draft); got != "sent 1:sent 2:created 3:created" {
		t.Errorf("sent draft: %s", got)
	}
	srv.Advance(10 * time.Minute)
	wantStatus(t, put(draft, "?resend_envelope=true", `{}`), http.StatusOK)
	e, _ := srv.Envelope(draft)
	if !e.Recipients[0].Sent.Equal(srv.Now()) {
		t.Errorf("resend did not resend to signer 1: sent %v", e.Recipients[0].Sent)
	}
	if r := put(draft, "", `{"status":"voided"}`); !strings.Contains(string(r.body), "voidedReason is required") {
		t.Errorf("void without a reason: %s", r.body)
	}
	wantStatus(t, put(draft, "", `{"status":"voided","voidedReason":"Wrong terms"}`), http.StatusOK)
	r := get(t, srv, envelopeAPI(srv)+"/envelopes/"+draft, tok)
	if !strings.Contains(string(r.body), `"status":"voided"`) || !strings.Contains(string(r.body), `"voidedReason":"Wrong terms"`) || !strings.Contains(string(r.body), `"voidedDateTime"`) {
		t.Errorf("voided envelope: %s", r.body)
	}
	var actions []string
	for _, ev := range srv.RecordedEvents() {
		if strings.Contains(ev.Data, draft) {
			actions = append(actions, ev.Action)
		}
	}
	if fmt.Sprint(actions) != "[Sent Resent Voided]" {
		t.Errorf("Monitor actions %v", actions)
	}
}

func TestRecipientsAreAddedCorrectedAndDeleted(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	tok := srv.AccessToken()
	id := createEnvelope(t, srv, twoSigners())
	path := envelopeAPI(srv) + "/envelopes/" + id + "/recipients"
	r := do(t, srv, "POST", path, tok, strings.NewReader(`{"signers":[{"recipientId":"4","routingOrder":"1","name":"Dan","email":"dan@example.com"}]}`))
	wantStatus(t, r, http.StatusCreated)
	if got := recipientStatuses(t, srv, id); got != "sent 1:sent 4:sent 2:created 3:created" {
		t.Errorf("after adding to order 1: %s", got)
	}
	r = do(t, srv, "POST", path, tok, strings.NewReader(`{"signers":[{"recipientId":"4","name":"Dup","email":"d@example.com"}]}`))
	if !strings.Contains(string(r.body), "RECIPIENT_ALREADY_EXISTS_IN_ENVELOPE") {
		t.Errorf("duplicate recipient: %s", r.body)
	}
	r = do(t, srv, "PUT", path, tok, strings.NewReader(`{"signers":[{"recipientId":"2","email":"ben@example.org"},{"recipientId":"9","email":"x@example.com"}]}`))
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `"recipientId":"9","errorDetails":{"errorCode":"INVALID_RECIPIENT_ID"`) {
		t.Errorf("update results: %s", r.body)
	}
	if e, _ := srv.Envelope(id); e.recipient("2").Email != "ben@example.org" {
		t.Error("the correction did not change signer 2's email")
	}
	wantStatus(t, do(t, srv, "DELETE", path+"/4", tok, nil), http.StatusOK)
	if got := recipientStatuses(t, srv, id); got != "sent 1:sent 2:created 3:created" {
		t.Errorf("after deleting 4: %s", got)
	}
	r = get(t, srv, path+"/1/tabs", tok)
	if !strings.Contains(string(r.body), `"signHereTabs":[{`) || !strings.Contains(string(r.body), `"tabId"`) {
		t.Errorf("tabs: %s", r.body)
	}
	r = get(t, srv, path, tok)
	if strings.Contains(string(r.body), "signHereTabs") {
		t.Errorf("tabs listed without include_tabs: %s", r.body)
	}
}

func TestESignatureUsersAreCreatedUpdatedAndClosed(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	tok := srv.AccessToken()
	users := envelopeAPI(srv) + "/users"
	r := do(t, srv, "POST", users, tok, strings.NewReader(`{"newUsers":[{"userName":"Gil Grey","email":"gil@example.com"},{"userName":"No Mail"},{"userName":"Gil Again","email":"GIL@example.com"}]}`))
	wantStatus(t, r, http.StatusCreated)
	var res struct {
		NewUsers []struct {
			UserID       string
			ErrorDetails *errorDetailsJSON
		}
	}
	r.decode(t, &res)
	if len(res.NewUsers) != 3 || res.NewUsers[0].UserID == "" || res.NewUsers[1].ErrorDetails == nil || res.NewUsers[2].ErrorDetails == nil || res.NewUsers[2].ErrorDetails.ErrorCode != "USER_ALREADY_EXISTS_IN_ACCOUNT" {
		t.Fatalf("create answered %s", r.body)
	}
	id := res.NewUsers[0].UserID
	wantStatus(t, do(t, srv, "PUT", users+"/"+id, tok, strings.NewReader(`{"jobTitle":"Counsel"}`)), http.StatusOK)
	if u, _ := srv.User(id); u.JobTitle != "Counsel" || u.FirstName != "Gil" {
		t.Errorf("updated user %+v", u)
	}
	wantStatus(t, do(t, srv, "DELETE", users, tok, strings.NewReader(`{"users":[{"userId":"`+id+`"}]}`)), http.StatusOK)
	if u, _ := srv.User(id); u.Status != StatusClosed {
		t.Errorf("closed user has status %s", u.Status)
	}
	var got []string
	for _, ev := range srv.RecordedEvents() {
		got = append(got, ev.Object+" "+ev.Action)
	}
	if fmt.Sprint(got) != "[User Created User Closed]" {
		t.Errorf("recorded %v", got)
	}
	// Recorded events are in the stream after the generated ones, in order.
	n := srv.MonitorEventCount()
	if ev := srv.MonitorEvent(n - 1); ev.Action != "Closed" || !strings.Contains(ev.Data, id) || ev.Timestamp.After(srv.Now()) {
		t.Errorf("last stream event %+v", ev)
	}
}

func TestBulkImportReportsPerRowResults(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	tok := srv.IssueToken(srv.DefaultUserID(), "user_read", "user_write")
	base := "/management/v2/organizations/" + srv.OrgID() + "/imports/bulk_users"
	upload := func(csv string) response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file.csv", "users.csv")
		fw.Write([]byte(csv))
		mw.Close()
		return do(t, srv, "POST", base+"/add", tok, &body, "Content-Type", mw.FormDataContentType())
	}
	r := upload("FirstName,LastName\nA,B\n")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "AccountID and UserEmail") {
		t.Errorf("CSV without the required columns: %d %s", r.status, r.body)
	}
	acct := srv.Accounts()[0]
	r = upload("AccountID,UserEmail,FirstName,LastName,Shoe Size\n" +
		acct.Number + ",one@example.com,One,Person,42\n" +
		acct.ID + ",one@example.com,One,Again,43\n" +
		"nope,two@example.com,Two,Person,44\n")
	wantStatus(t, r, http.StatusOK)
	var imp importJSON
	r.decode(t, &imp)
	if imp.Status != "queued" {
		t.Errorf("POST answered status %q, want queued", imp.Status)
	}
	r = get(t, srv, base+"/"+imp.ID, tok)
	r.decode(t, &imp)
	if imp.Status != "completed" || imp.UserCount != 3 || imp.AddedUserCount != 1 || imp.ErrorCount != 2 || imp.InvalidColumnHeaders != "Shoe Size" {
		t.Errorf("import %s", r.body)
	}
	r = get(t, srv, base+"/"+imp.ID+"/results_csv", tok)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], ",Added,") || !strings.Contains(lines[2], "USER_ALREADY_EXISTS_IN_ACCOUNT") || !strings.Contains(lines[3], "not an account") {
		t.Errorf("results CSV:\n%s", r.body)
	}
	r = get(t, srv, "/management/v2.1/organizations/"+srv.OrgID()+"/users/dsprofile?email=ONE@example.com", tok)
	if !strings.Contains(string(r.body), `"first_name":"One"`) || !strings.Contains(string(r.body), `"external_account_id":"`+acct.Number+`"`) {
		t.Errorf("profile: %s", r.body)
	}
	if r := get(t, srv, base+"/00000000-0000-4000-8000-000000000000", tok); r.status != http.StatusNotFound {
		t.Errorf("unknown import: %d", r.status)
	}
	if r := get(t, srv, "/management/v2/organizations/00000000-0000-4000-8000-000000000000/imports/bulk_users", tok); r.status != http.StatusForbidden {
		t.Errorf("another organization's imports: %d", r.status)
	}
}

func TestConcurrentLifecyclesAreObservedOnceEach(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	var mu sync.Mutex
	completed := map[string]int{}
	srv.OnEnvelopeEvent(func(ev EnvelopeEvent) {
		if ev.Kind == EventEnvelopeCompleted {
			mu.Lock()
			completed[ev.Envelope.ID]++
			mu.Unlock()
		}
	})
	const n = 16
	var wg sync.WaitGroup
	ids := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := createEnvelope(t, srv, twoSigners())
			if err := srv.CompleteEnvelope(id); err != nil {
				t.Error(err)
			}
			ids <- id
		}()
	}
	wg.Wait()
	close(ids)
	mu.Lock()
	defer mu.Unlock()
	for id := range ids {
		if completed[id] != 1 {
			t.Errorf("envelope %s completed %d times in the observer", id, completed[id])
		}
	}
	var sent, done int
	for _, ev := range srv.RecordedEvents() {
		switch ev.Action {
		case "Sent":
			sent++
		case "Completed":
			done++
		}
	}
	if sent != n || done != n {
		t.Errorf("Monitor recorded %d Sent and %d Completed, want %d each", sent, done, n)
	}
}
