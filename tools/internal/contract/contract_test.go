package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/accountmodels"
	"github.com/dsgo/docusign/gen/esignature/accounts"
	"github.com/dsgo/docusign/gen/esignature/connectconfig"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/enveloperecipients"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
	"github.com/dsgo/docusign/gen/esignature/templates"
	"github.com/dsgo/docusign/gen/esignature/users"
	"github.com/dsgo/docusign/gen/monitor"
	"github.com/dsgo/docusign/tools/internal/pipeline"
	"github.com/dsgo/docusign/tools/internal/speclock"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"
)

var root = filepath.Join("..", "..", "..")

// knownDifference is a place where DocuSign (and so the fake) is known to
// differ from its published spec. A violation matching one is reported
// in the log, not as a failure; an entry that no exchange matches fails
// the test, so the list cannot go stale.
type knownDifference struct {
	operation string // "METHOD template" of the operation
	kind      string // request or response
	contains  string // a substring of the validation error
	reason    string
}

var knownDifferences = []knownDifference{
	{
		operation: "POST /v2.1/accounts/{accountId}/envelopes", kind: "request", contains: "multipart/form-data",
		reason: "DocuSign accepts envelope creation as multipart/form-data (JSON part, then document parts), documented in its guides; the spec declares only JSON bodies",
	},
	{
		operation: "GET /v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/{documentId}", kind: "response", contains: `"application/zip"`,
		reason: "documentId archive downloads a zip (Content-Type application/zip); the spec lists only application/pdf",
	},
	{
		operation: "GET /v2/organizations/{organizationId}/imports/bulk_users/{importId}/results_csv", kind: "response", contains: "value must be an object",
		reason: "the results of a bulk import are a CSV file (text/csv); the spec declares a JSON object",
	},
}

// exchange is one recorded request and response.
type exchange struct {
	method, url string
	reqHeader   http.Header
	reqBody     []byte
	status      int
	respHeader  http.Header
	respBody    []byte
}

// recorder is client middleware that keeps every exchange.
type recorder struct {
	mu        sync.Mutex
	exchanges []exchange
}

func (rec *recorder) layer(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(rb))
		rec.mu.Lock()
		rec.exchanges = append(rec.exchanges, exchange{req.Method, req.URL.String(), req.Header.Clone(), body, resp.StatusCode, resp.Header.Clone(), rb})
		rec.mu.Unlock()
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// loadDocs converts the pinned specs with the generator's pipeline, one
// whole OpenAPI 3 document per API.
func loadDocs(t *testing.T) map[string]*openapi3.T {
	t.Helper()
	docsOnce.Do(func() { loadedDocs, docsSkip = convertSpecs(t) })
	if docsSkip != "" {
		t.Skip(docsSkip)
	}
	if loadedDocs == nil {
		t.Fatal("converting the specs failed (see the first test's failure)")
	}
	return loadedDocs
}

var (
	docsOnce   sync.Once
	loadedDocs map[string]*openapi3.T
	docsSkip   string
)

func convertSpecs(t *testing.T) (map[string]*openapi3.T, string) {
	lock, err := speclock.Read(filepath.Join(root, "api", "specs.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	loc := speclock.DefaultLocator(root)
	loc.CacheDir = "" // tests stay offline
	docs := map[string]*openapi3.T{}
	for _, s := range lock.Specs {
		if _, err := loc.Load(context.Background(), s); err != nil {
			return nil, "no spec mirror: " + err.Error()
		}
		// The documents generation uses: the spec merged with its SDK.
		res, _, err := pipeline.Convert(context.Background(), root, loc, lock, s, true)
		if err != nil {
			t.Fatal(err)
		}
		// Round-trip through the loader so that every $ref is resolved:
		// the validator skips schemas it cannot see.
		b, err := json.Marshal(res.Packages[0].Doc)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			t.Fatalf("%s: loading the converted document: %v", s.Name, err)
		}
		docs[s.Name] = doc
	}
	return docs, ""
}

func init() {
	for _, ct := range []string{"application/pdf", "application/zip", "text/csv", "application/octet-stream"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

func ptr[T any](v T) *T { return &v }

// newRecordedClient starts a fake and a client whose every exchange rec
// keeps.
func newRecordedClient(t *testing.T, opts ...docusigntest.Option) (*docusigntest.Server, *client.Client, *recorder) {
	t.Helper()
	srv := docusigntest.NewServer(opts...)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	scopes := append(slices.Clone(docusigntest.AllScopes), "user_write")
	in := srv.NewIntegration(docusigntest.WithConsentScopes(scopes...))
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID), client.WithPrivateKey(in.PrivateKeyPEM()), client.WithScopes(scopes...),
		client.WithOrganizationID(srv.OrgID()), client.WithMiddleware(rec.layer))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, rec
}

func TestFakeAnswersAsTheSpecsSay(t *testing.T) {
	docs := loadDocs(t)
	srv, c, rec := newRecordedClient(t, docusigntest.WithUsers(30), docusigntest.WithEvents(50), docusigntest.WithEnvelopes(5))
	replay(t, srv, c)
	res := validate(docs, rec.exchanges)
	for _, v := range res.violations {
		t.Error(v)
	}
	for _, l := range res.known {
		t.Log(l)
	}
	for i, k := range knownDifferences {
		if !res.used[i] {
			t.Errorf("known difference %s (%s) no longer occurs: remove it", k.operation, k.kind)
		}
	}
	t.Logf("validated %d exchanges against the specs", res.checked)
	if res.checked < 40 {
		t.Errorf("only %d exchanges validated", res.checked)
	}
}

// TestValidationCatchesAFakeThatStrays makes the fake answer with a wrong
// shape (through a handler added with Handle) and checks the contract
// check fails, so a passing run means something.
func TestValidationCatchesAFakeThatStrays(t *testing.T) {
	docs := loadDocs(t)
	srv, c, rec := newRecordedClient(t, docusigntest.WithUsers(5), docusigntest.WithEvents(0), docusigntest.WithEnvelopes(1))
	srv.HandleFunc("GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"envelopeId":"x","status":5,"recipients":{"signers":"none"}}`))
	})
	ctx := context.Background()
	acct, _ := c.AccountID(ctx)
	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	envs.GetEnvelopeWithResponse(ctx, acct, srv.Envelopes(acct)[0].ID, nil)
	res := validate(docs, rec.exchanges)
	if len(res.violations) != 1 || !strings.Contains(res.violations[0], "status") || !strings.Contains(res.violations[0], "signers") {
		t.Fatalf("violations %q, want one naming status and signers", res.violations)
	}
}

// result is what validating recorded exchanges found.
type result struct {
	violations []string
	known      []string
	used       map[int]bool
	checked    int
}

// validate checks every exchange's request and response against the
// operation's definition.
func validate(docs map[string]*openapi3.T, exchanges []exchange) result {
	routers := []*router{
		newRouter(docs["esignature"], "/restapi"),
		newRouter(docs["admin"], "/management"),
		newRouter(docs["monitor"], ""),
	}
	res := result{used: map[int]bool{}}
	ctx := context.Background()
	for _, ex := range exchanges {
		req, _ := http.NewRequest(ex.method, ex.url, bytes.NewReader(ex.reqBody))
		req.Header = ex.reqHeader.Clone()
		if strings.HasPrefix(req.URL.Path, "/oauth/") {
			continue // the account server is not in these specs
		}
		var found bool
		for _, r := range routers {
			route, params := r.find(req)
			if route == nil {
				continue
			}
			found = true
			res.checked++
			op := ex.method + " " + route.Path
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
			}
			report := func(kind string, err error) {
				if err == nil {
					return
				}
				for i, k := range knownDifferences {
					if k.operation == op && k.kind == kind && strings.Contains(err.Error(), k.contains) {
						res.used[i] = true
						res.known = append(res.known, fmt.Sprintf("known difference, %s %s: %s", kind, op, k.reason))
						return
					}
				}
				res.violations = append(res.violations, fmt.Sprintf("%s of %s (status %d) violates the spec: %v\nbody: %.600s", kind, op, ex.status, err, bodyOf(kind, ex)))
			}
			report("request", openapi3filter.ValidateRequest(ctx, in))
			// openapi3filter's RejectWhenRequestBodyNotSpecified also
			// rejects declared bodies (kin-openapi v0.142.0), so check here.
			if route.Operation.RequestBody == nil && len(ex.reqBody) > 0 {
				report("request", fmt.Errorf("request body sent (%s) but the operation declares none", ex.reqHeader.Get("Content-Type")))
			}
			in.Request = req.Clone(ctx)
			in.Request.Body = io.NopCloser(bytes.NewReader(ex.reqBody))
			report("response", openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: ex.status, Header: ex.respHeader,
				Body:    io.NopCloser(bytes.NewReader(ex.respBody)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			}))
			break
		}
		if !found {
			res.violations = append(res.violations, fmt.Sprintf("%s %s is no operation of the specs", ex.method, ex.url))
		}
	}
	return res
}

func bodyOf(kind string, ex exchange) []byte {
	if kind == "request" {
		return ex.reqBody
	}
	return ex.respBody
}

// replay drives a broad scenario through the generated clients; it checks
// little itself (the docusigntest tests do): the point is the traffic.
func replay(t *testing.T, srv *docusigntest.Server, c *client.Client) {
	ctx := context.Background()
	acct, err := c.AccountID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	must(nil, err)
	recips, err := client.ESignature(ctx, c, enveloperecipients.NewClientWithResponses, enveloperecipients.WithHTTPClient)
	must(nil, err)
	docs, err := client.ESignature(ctx, c, envelopedocuments.NewClientWithResponses, envelopedocuments.WithHTTPClient)
	must(nil, err)
	tpls, err := client.ESignature(ctx, c, templates.NewClientWithResponses, templates.WithHTTPClient)
	must(nil, err)
	usr, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	must(nil, err)
	adm, err := client.Admin(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
	must(nil, err)
	mon, err := client.Monitor(ctx, c, monitor.NewClientWithResponses, monitor.WithHTTPClient)
	must(nil, err)
	accts, err := client.ESignature(ctx, c, accounts.NewClientWithResponses, accounts.WithHTTPClient)
	must(nil, err)
	must(accts.GetAccountInformationWithResponse(ctx, acct, &accounts.GetAccountInformationParams{IncludeAccountSettings: ptr("true")}))
	must(accts.ListSettingsWithResponse(ctx, acct))
	pdf := func(s string) *string { return ptr(base64.StdEncoding.EncodeToString(docusigntest.SamplePDF(s))) }
	tabs := &models.Tabs{SignHereTabs: []models.SignHere{{DocumentID: ptr("1"), PageNumber: ptr("1"), XPosition: ptr("100"), YPosition: ptr("100")}}}

	// An envelope from JSON, sent, with two signers.
	cr, err := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: ptr("Contract"), Status: ptr("sent"),
		Documents: []models.Document{{DocumentID: ptr("1"), Name: ptr("a.pdf"), DocumentBase64: pdf("A")}, {DocumentID: ptr("2"), Name: ptr("b.pdf"), DocumentBase64: pdf("B")}},
		Recipients: &models.Recipients{
			Signers:      []models.Signer{{RecipientID: ptr("1"), Name: ptr("Ada"), Email: ptr("ada@example.com"), ClientUserID: ptr("c1"), Tabs: tabs}, {RecipientID: ptr("2"), RoutingOrder: ptr("2"), Name: ptr("Ben"), Email: ptr("ben@example.com")}},
			CarbonCopies: []models.CarbonCopy{{RecipientID: ptr("3"), RoutingOrder: ptr("3"), Name: ptr("Cy"), Email: ptr("cy@example.com")}},
		},
	})
	must(nil, err)
	env := *cr.JSON201.EnvelopeID

	// A draft from multipart: JSON part, then a document part.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	h := textproto.MIMEHeader{"Content-Type": {"application/json"}, "Content-Disposition": {`form-data; name="envelope_definition"`}}
	p, _ := mw.CreatePart(h)
	p.Write([]byte(`{"emailSubject":"Draft","documents":[{"documentId":"1","name":"d.pdf"}],"recipients":{"signers":[{"recipientId":"1","name":"Dee","email":"dee@example.com"}]}}`))
	h = textproto.MIMEHeader{"Content-Type": {"application/pdf"}, "Content-Disposition": {`file; filename="d.pdf"; documentid=1`}}
	p, _ = mw.CreatePart(h)
	p.Write(docusigntest.SamplePDF("D"))
	mw.Close()
	dr, err := envs.CreateEnvelopeWithBodyWithResponse(ctx, acct, nil, mw.FormDataContentType(), &mp)
	must(nil, err)
	draft := *dr.JSON201.EnvelopeID

	// Reads.
	must(envs.GetEnvelopeWithResponse(ctx, acct, env, &envelopes.GetEnvelopeParams{Include: ptr("recipients,documents,tabs")}))
	must(envs.ListStatusChangesWithResponse(ctx, acct, &envelopes.ListStatusChangesParams{FromDate: ptr("2020-01-01"), Include: ptr("recipients"), Count: ptr("3")}))
	must(envs.ListStatusChangesWithResponse(ctx, acct, &envelopes.ListStatusChangesParams{EnvelopeIds: ptr(env + "," + draft)}))
	must(recips.ListRecipientsWithResponse(ctx, acct, env, &enveloperecipients.ListRecipientsParams{IncludeTabs: ptr("true")}))
	must(recips.ListTabsWithResponse(ctx, acct, env, "1", nil))
	must(docs.ListDocumentsWithResponse(ctx, acct, env, nil))
	for _, id := range []string{"1", "combined", "archive", "certificate"} {
		must(docs.GetDocumentWithResponse(ctx, acct, env, id, nil))
	}

	// Changes: add, correct and delete recipients; add and replace documents.
	must(recips.CreateRecipientWithResponse(ctx, acct, env, nil, models.Recipients{Signers: []models.Signer{{RecipientID: ptr("4"), RoutingOrder: ptr("2"), Name: ptr("Di"), Email: ptr("di@example.com")}}}))
	must(recips.UpdateRecipientsWithResponse(ctx, acct, env, &enveloperecipients.UpdateRecipientsParams{ResendEnvelope: ptr("true")}, models.Recipients{Signers: []models.Signer{{RecipientID: ptr("2"), Email: ptr("ben@example.org")}}}))
	must(recips.DeleteRecipientWithResponse(ctx, acct, env, "4"))
	must(docs.UpdateDocumentsWithResponse(ctx, acct, env, models.EnvelopeDefinition{Documents: []models.Document{{DocumentID: ptr("3"), Name: ptr("c.pdf"), DocumentBase64: pdf("C")}}}))
	must(docs.UpdateDocumentWithBodyWithResponse(ctx, acct, env, "1", "application/pdf", bytes.NewReader(docusigntest.SamplePDF("A2"))))
	must(docs.DeleteDocumentsWithResponse(ctx, acct, draft, models.EnvelopeDefinition{Documents: []models.Document{{DocumentID: ptr("1")}}}))

	// Views, resend, void.
	must(recips.CreateRecipientViewWithResponse(ctx, acct, env, models.RecipientViewRequest{ReturnURL: ptr("https://example.com/r"), AuthenticationMethod: ptr("none"), UserName: ptr("Ada"), Email: ptr("ada@example.com"), ClientUserID: ptr("c1")}))
	must(recips.CreateSenderViewWithResponse(ctx, acct, draft, accountmodels.ReturnURLRequest{ReturnURL: ptr("https://example.com/s")}))
	must(recips.CreateCorrectViewWithResponse(ctx, acct, env, accountmodels.CorrectViewRequest{ReturnURL: ptr("https://example.com/c")}))
	must(envs.UpdateEnvelopeWithResponse(ctx, acct, env, &envelopes.UpdateEnvelopeParams{ResendEnvelope: ptr("true")}, models.Envelope{}))
	if err := srv.CompleteEnvelope(env); err != nil {
		t.Fatal(err)
	}
	must(docs.GetDocumentWithResponse(ctx, acct, env, "certificate", nil))
	must(envs.UpdateEnvelopeWithResponse(ctx, acct, draft, nil, models.Envelope{Status: ptr("sent")}))
	must(envs.UpdateEnvelopeWithResponse(ctx, acct, draft, nil, models.Envelope{Status: ptr("voided"), VoidedReason: ptr("Mistake")}))
	// DocuSign's errors too.
	_, _ = envs.GetEnvelopeWithResponse(ctx, acct, uuid.NewString(), nil)
	_, _ = envs.UpdateEnvelopeWithResponse(ctx, acct, draft, nil, models.Envelope{Status: ptr("voided"), VoidedReason: ptr("Again")})

	// Templates: create, list, get, use.
	tr, err := tpls.CreateTemplateWithResponse(ctx, acct, accountmodels.EnvelopeTemplate{
		Name: ptr("NDA"), EmailSubject: ptr("Please sign the NDA"),
		Documents:  []models.Document{{DocumentID: ptr("1"), Name: ptr("nda.pdf"), DocumentBase64: pdf("NDA")}},
		Recipients: &models.Recipients{Signers: []models.Signer{{RecipientID: ptr("1"), RoleName: ptr("Signer")}}},
	})
	must(nil, err)
	must(tpls.ListTemplatesWithResponse(ctx, acct, nil))
	must(tpls.GetTemplateWithResponse(ctx, acct, *tr.JSON201.TemplateID, nil))
	_, err = envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		TemplateID: tr.JSON201.TemplateID, Status: ptr("sent"),
		TemplateRoles: []models.TemplateRole{{RoleName: ptr("Signer"), Name: ptr("Eve"), Email: ptr("eve@example.com")}},
	})
	must(nil, err)

	// eSignature users.
	nu, err := usr.CreateUsersWithResponse(ctx, acct, accountmodels.NewUsersDefinition{NewUsers: []accountmodels.UserInformation{{UserName: ptr("New User"), Email: ptr("new.user@example.com")}}})
	must(nil, err)
	uid := *nu.JSON201.NewUsers[0].UserID
	must(usr.UpdateUserWithResponse(ctx, acct, uid, nil, accountmodels.UserInformation{JobTitle: ptr("Counsel")}))
	must(usr.UpdateUsersWithResponse(ctx, acct, nil, accountmodels.UserInformationList{Users: []accountmodels.UserInformation{{UserID: ptr(uid), FirstName: ptr("Newer")}}}))
	must(usr.GetInformationWithResponse(ctx, acct, uid, nil))
	must(usr.ListUsersWithResponse(ctx, acct, &users.ListUsersParams{Count: ptr("5")}))
	must(usr.DeleteUsersWithResponse(ctx, acct, nil, accountmodels.UserInfoList{Users: []models.UserInfo{{UserID: ptr(uid)}}}))

	// Admin: bulk import, its status and results, profiles.
	org := srv.OrgID()
	csv := fmt.Sprintf("AccountID,UserEmail,FirstName,LastName\n%s,bulk.one@example.com,Bulk,One\n", acct)
	ir, err := adm.AddBulkUserImportMultipartWithResponse(ctx, org, admin.MultipartFile{Name: "users.csv", ContentType: "text/csv", Content: strings.NewReader(csv)})
	must(nil, err)
	must(adm.GetBulkUserImportRequestWithResponse(ctx, org, ir.JSON200.ID.String()))
	must(adm.GetBulkUserImportRequestsWithResponse(ctx, org))
	must(adm.GetBulkUserImportCSVWithResponse(ctx, org, ir.JSON200.ID.String()))
	must(adm.GetUserProfilesWithResponse(ctx, org, &admin.GetUserProfilesParams{Email: ptr("bulk.one@example.com")}))
	must(adm.GetUserDSProfilesByEmailWithResponse(ctx, org, &admin.GetUserDSProfilesByEmailParams{Email: ptr("bulk.one@example.com")}))
	must(adm.GetUsersWithResponse(ctx, org, &admin.GetUsersParams{Take: ptr(int32(5))}))

	// Monitor: the stream, with the events all of the above recorded.
	must(mon.GetStreamWithResponse(ctx, &monitor.GetStreamParams{Limit: ptr(int32(2000))}))

	replayConnect(t, srv, c, acct, must)
}

// replayConnect drives the Connect operations: a configuration whose
// listener is down, an envelope event it fails to take, the failure log
// and the retry queue.
func replayConnect(t *testing.T, srv *docusigntest.Server, c *client.Client, acct string, must func(any, error)) {
	ctx := context.Background()
	con, err := client.ESignature(ctx, c, connectconfig.NewClientWithResponses, connectconfig.WithHTTPClient)
	must(nil, err)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer down.Close()
	cfg := accountmodels.ConnectCustomConfiguration{
		Name: ptr("listener"), URLToPublishTo: ptr(down.URL), AllUsers: ptr("true"), ConfigurationType: ptr("custom"),
		Events: []string{"envelope-voided"}, IncludeHMAC: ptr("true"), DeliveryMode: ptr("SIM"), RequiresAcknowledgement: ptr("true"),
		EventData: &models.ConnectEventData{Version: ptr("restv2.1"), Format: ptr("json"), IncludeData: []string{"recipients"}},
	}
	cr, err := con.CreateConfigurationWithResponse(ctx, acct, cfg)
	must(nil, err)
	id := *cr.JSON201.ConnectID
	must(con.ListConfigurationsWithResponse(ctx, acct))
	must(con.GetConfigurationWithResponse(ctx, acct, id))
	cfg.ConnectID, cfg.Name = ptr(id), ptr("renamed")
	must(con.UpdateConfigurationWithResponse(ctx, acct, cfg))

	envID := srv.Envelopes(acct)[0].ID
	if err := srv.SetEnvelopeStatus(envID, "voided"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(srv.ConnectAttempts()) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	fl, err := con.ListEventFailureLogsWithResponse(ctx, acct, &connectconfig.ListEventFailureLogsParams{FromDate: ptr("2020-01-01")})
	must(nil, err)
	must(con.RetryEventForEnvelopeWithResponse(ctx, acct, envID))
	must(con.RetryEventForEnvelopesWithResponse(ctx, acct, accountmodels.ConnectFailureFilter{EnvelopeIds: []string{envID}}))
	f := fl.JSON200.Failures
	if len(f) == 0 {
		t.Fatal("the failed delivery is not in the failure log")
	}
	must(con.DeleteEventFailureLogWithResponse(ctx, acct, *f[0].FailureID))
	must(con.DeleteConfigurationWithResponse(ctx, acct, id))
}
