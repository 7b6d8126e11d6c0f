package docusigntest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/enveloperecipients"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// newScenarioClient starts a fake and a client for it, as a user's test
// would.
func newScenarioClient(t *testing.T, opts ...docusigntest.Option) (*docusigntest.Server, *client.Client) {
	t.Helper()
	srv := docusigntest.NewServer(append([]docusigntest.Option{docusigntest.WithUsers(50), docusigntest.WithEvents(100), docusigntest.WithEnvelopes(0)}, opts...)...)
	t.Cleanup(srv.Close)
	scopes := append(slices.Clone(docusigntest.AllScopes), "user_write")
	in := srv.NewIntegration(docusigntest.WithConsentScopes(scopes...))
	c, err := client.New(
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()),
		client.WithScopes(scopes...),
		client.WithOrganizationID(srv.OrgID()),
	)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func ptr[T any](v T) *T { return &v }

func b64PDF(t *testing.T, title string) *string {
	t.Helper()
	return ptr(base64.StdEncoding.EncodeToString(docusigntest.SamplePDF(title)))
}

// TestEnvelopeLifeThroughGeneratedClients drives an envelope from creation
// to its certificate through client.New and the generated clients only,
// then checks that the status-change iterator and the Monitor stream saw
// what happened.
func TestEnvelopeLifeThroughGeneratedClients(t *testing.T) {
	srv, c := newScenarioClient(t)
	ctx := context.Background()
	start := srv.Now()
	acct, err := c.AccountID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	recips, err := client.ESignature(ctx, c, enveloperecipients.NewClientWithResponses, enveloperecipients.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := client.ESignature(ctx, c, envelopedocuments.NewClientWithResponses, envelopedocuments.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}

	// Create with two signers and two PDFs.
	signHere := func(doc string) *models.Tabs {
		return &models.Tabs{SignHereTabs: []models.SignHere{{DocumentID: ptr(doc), PageNumber: ptr("1"), XPosition: ptr("100"), YPosition: ptr("600")}}}
	}
	created, err := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: ptr("Please sign the agreement"),
		Status:       ptr("sent"),
		Documents: []models.Document{
			{DocumentID: ptr("1"), Name: ptr("agreement.pdf"), DocumentBase64: b64PDF(t, "Agreement")},
			{DocumentID: ptr("2"), Name: ptr("annex.pdf"), DocumentBase64: b64PDF(t, "Annex")},
		},
		Recipients: &models.Recipients{Signers: []models.Signer{
			{RecipientID: ptr("1"), RoutingOrder: ptr("1"), Name: ptr("Ada Signer"), Email: ptr("ada@example.com"), ClientUserID: ptr("ada-1"), Tabs: signHere("1")},
			{RecipientID: ptr("2"), RoutingOrder: ptr("2"), Name: ptr("Ben Signer"), Email: ptr("ben@example.com"), Tabs: signHere("2")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.JSON201 == nil || *created.JSON201.Status != "sent" {
		t.Fatalf("create answered %d %s", created.StatusCode(), created.Body)
	}
	envID := *created.JSON201.EnvelopeID
	// statusNow polls the status-change iterator as a collector would.
	statusNow := func() []string {
		var out []string
		for e, err := range c.EnvelopeStatusChanges(ctx, client.EnvelopeStatusChangesOptions{FromDate: start, ToDate: srv.Now()}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e.EnvelopeID+" "+e.Status)
		}
		return out
	}
	if got := statusNow(); !slices.Equal(got, []string{envID + " sent"}) {
		t.Fatalf("status changes after sending: %v", got)
	}

	// Recipients with their tabs: signer 1 has it, signer 2 waits.
	list, err := recips.ListRecipientsWithResponse(ctx, acct, envID, &enveloperecipients.ListRecipientsParams{IncludeTabs: ptr("true")})
	if err != nil {
		t.Fatal(err)
	}
	signers := list.JSON200.Signers
	if len(signers) != 2 || *signers[0].Status != "sent" || *signers[1].Status != "created" {
		t.Fatalf("signers %s", list.Body)
	}
	if signers[0].Tabs == nil || len(signers[0].Tabs.SignHereTabs) != 1 || signers[0].Tabs.SignHereTabs[0].TabID == nil {
		t.Fatalf("signer 1 tabs missing or without tabId: %s", list.Body)
	}

	// The combined PDF is a valid PDF with a page per document.
	combined, err := docs.GetDocumentWithResponse(ctx, acct, envID, "combined", nil)
	if err != nil {
		t.Fatal(err)
	}
	if pages, err := docusigntest.CheckPDF(combined.Body); err != nil || pages != 2 {
		t.Fatalf("combined PDF: %d pages, %v", pages, err)
	}

	// Replace document 1 with a raw PDF body.
	replacement := docusigntest.SamplePDF("Agreement v2")
	upd, err := docs.UpdateDocumentWithBodyWithResponse(ctx, acct, envID, "1", "application/pdf", bytes.NewReader(replacement))
	if err != nil {
		t.Fatal(err)
	}
	if upd.JSON200 == nil || *upd.JSON200.DocumentID != "1" || *upd.JSON200.Name != "agreement.pdf" {
		t.Fatalf("replace answered %s", upd.Body)
	}
	doc1, err := docs.GetDocumentWithResponse(ctx, acct, envID, "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc1.Body, replacement) {
		t.Fatal("document 1 does not download as the replacement")
	}

	// Embedded signing URL for signer 1.
	view, err := recips.CreateRecipientViewWithResponse(ctx, acct, envID, models.RecipientViewRequest{
		ReturnURL: ptr("https://app.example.com/done"), AuthenticationMethod: ptr("none"),
		UserName: ptr("Ada Signer"), Email: ptr("ada@example.com"), ClientUserID: ptr("ada-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(*view.JSON201.URL)
	if err != nil || !strings.HasPrefix(u.String(), srv.URL()) {
		t.Fatalf("recipient view URL %q: %v", *view.JSON201.URL, err)
	}

	// Signer 1 signs, then signer 2: the envelope completes.
	srv.Advance(time.Minute)
	if err := srv.SignRecipient(envID, "1"); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Minute)
	if err := srv.SignRecipient(envID, "2"); err != nil {
		t.Fatal(err)
	}
	got, err := envs.GetEnvelopeWithResponse(ctx, acct, envID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.JSON200.Status != "completed" || got.JSON200.CompletedDateTime == nil {
		t.Fatalf("envelope after both signed: %s", got.Body)
	}

	// The certificate of completion.
	cert, err := docs.GetDocumentWithResponse(ctx, acct, envID, "certificate", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := docusigntest.CheckPDF(cert.Body); err != nil || !bytes.Contains(cert.Body, []byte(envID)) {
		t.Fatalf("certificate: %v", err)
	}

	// The status-change iterator shows the envelope completed.
	if got := statusNow(); !slices.Equal(got, []string{envID + " completed"}) {
		t.Fatalf("status changes after completion: %v", got)
	}
	var changes []client.EnvelopeStatus
	for e, err := range c.EnvelopeStatusChanges(ctx, client.EnvelopeStatusChangesOptions{FromDate: start, ToDate: srv.Now()}) {
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, e)
	}
	if len(changes) != 1 || changes[0].EnvelopeID != envID || changes[0].Status != "completed" || changes[0].CompletedDateTime.IsZero() {
		t.Fatalf("status changes %+v", changes)
	}

	// The Monitor stream collected the envelope's Sent and Completed.
	var actions []string
	for ev, err := range c.MonitorEvents(ctx, client.MonitorEventsOptions{Since: start}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Object == "Envelope" && bytes.Contains(ev.Data, []byte(envID)) {
			actions = append(actions, ev.Action)
		}
	}
	if !slices.Equal(actions, []string{"Sent", "Corrected", "Completed"}) {
		t.Fatalf("Monitor actions for the envelope %v, want Sent, Corrected, Completed", actions)
	}
}

// TestDeclineAndVoidThroughGeneratedClients: a declined envelope stays
// declined; another is voided with its reason; both show in the stream.
func TestDeclineAndVoidThroughGeneratedClients(t *testing.T) {
	srv, c := newScenarioClient(t)
	ctx := context.Background()
	start := srv.Now()
	acct, _ := c.AccountID(ctx)
	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	create := func() string {
		r, err := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
			EmailSubject: ptr("Sign"), Status: ptr("sent"),
			Documents:  []models.Document{{DocumentID: ptr("1"), Name: ptr("a.pdf"), DocumentBase64: b64PDF(t, "A")}},
			Recipients: &models.Recipients{Signers: []models.Signer{{RecipientID: ptr("1"), Name: ptr("Ada"), Email: ptr("ada@example.com")}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return *r.JSON201.EnvelopeID
	}
	declined, voided := create(), create()
	if err := srv.DeclineRecipient(declined, "1", "Wrong amount"); err != nil {
		t.Fatal(err)
	}
	if _, err := envs.UpdateEnvelopeWithResponse(ctx, acct, voided, nil, models.Envelope{Status: ptr("voided"), VoidedReason: ptr("Sent by mistake")}); err != nil {
		t.Fatal(err)
	}
	g, err := envs.GetEnvelopeWithResponse(ctx, acct, voided, nil)
	if err != nil || *g.JSON200.Status != "voided" || *g.JSON200.VoidedReason != "Sent by mistake" {
		t.Fatalf("voided envelope %s: %v", g.Body, err)
	}
	// Voiding it again is DocuSign's error, typed.
	_, err = envs.UpdateEnvelopeWithResponse(ctx, acct, voided, nil, models.Envelope{Status: ptr("voided"), VoidedReason: ptr("again")})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "ENVELOPE_CANNOT_VOID_INVALID_STATE" {
		t.Fatalf("second void: %v", err)
	}
	if err := srv.SignRecipient(declined, "1"); err == nil {
		t.Fatal("signing a declined envelope succeeded")
	}
	seen := map[string]string{}
	for ev, err := range c.MonitorEvents(ctx, client.MonitorEventsOptions{Since: start}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{declined, voided} {
			if bytes.Contains(ev.Data, []byte(id)) {
				seen[id] += ev.Action + " "
			}
		}
	}
	if seen[declined] != "Sent Declined " || seen[voided] != "Sent Voided " {
		t.Fatalf("Monitor saw %q", seen)
	}
}

// TestUsersThroughGeneratedClients: a bulk import (multipart CSV) creates
// users, the import reports its counts, the Admin profile finds a user by
// email, and the Monitor stream shows the additions.
func TestUsersThroughGeneratedClients(t *testing.T) {
	srv, c := newScenarioClient(t)
	ctx := context.Background()
	start := srv.Now()
	adm, err := client.Admin(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	org := srv.OrgID()
	csv := strings.NewReader("AccountID,UserEmail,FirstName,LastName,eSignPermissionProfile\n" +
		srv.DefaultAccountID() + ",new.one@example.com,New,One,DocuSign Sender\n" +
		srv.DefaultAccountID() + ",new.two@example.com,New,Two,DocuSign Viewer\n" +
		"00000000-0000-0000-0000-000000000000,bad@example.com,Bad,Account,DocuSign Sender\n")
	imp, err := adm.AddBulkUserImportMultipartWithResponse(ctx, org, admin.MultipartFile{Name: "users.csv", ContentType: "text/csv", Content: csv})
	if err != nil {
		t.Fatal(err)
	}
	status, err := adm.GetBulkUserImportRequestWithResponse(ctx, org, imp.JSON200.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	if *status.JSON200.Status != "completed" || *status.JSON200.AddedUserCount != 2 || *status.JSON200.ErrorCount != 1 {
		t.Fatalf("import status %s", status.Body)
	}
	prof, err := adm.GetUserProfilesWithResponse(ctx, org, &admin.GetUserProfilesParams{Email: ptr("new.two@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.JSON200.Users) != 1 || *prof.JSON200.Users[0].FirstName != "New" || *prof.JSON200.Users[0].Memberships[0].PermissionProfile.Name != "DocuSign Viewer" {
		t.Fatalf("profile %s", prof.Body)
	}
	var created []string
	for ev, err := range c.MonitorEvents(ctx, client.MonitorEventsOptions{Since: start}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Object == "User" && ev.Action == "Created" {
			created = append(created, string(ev.Data))
		}
	}
	if len(created) != 2 || !strings.Contains(created[0], "new.one@example.com") {
		t.Fatalf("Monitor user additions %v", created)
	}
}
