package gen_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/accounts"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
	"github.com/dsgo/docusign/gen/esignature/users"
	"github.com/dsgo/docusign/gen/monitor"
)

// recorded is what the test server saw.
type recorded struct {
	method, path string
	query        url.Values
	rawQuery     string
	contentType  string
	body         []byte
}

// serve starts a server under a non-root base path (so a client that drops
// the path prefix fails) that records the request and answers with reply.
func serve(t *testing.T, prefix string, status int, reply string) (base string, got *recorded) {
	t.Helper()
	got = &recorded{}
	mux := http.NewServeMux()
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = recorded{r.Method, strings.TrimPrefix(r.URL.Path, prefix), r.URL.Query(), r.URL.RawQuery, r.Header.Get("Content-Type"), b}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, reply)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + prefix, got
}

func ptr[T any](v T) *T { return &v }

func TestCreateEnvelopePostsTheJSONBody(t *testing.T) {
	base, got := serve(t, "/restapi", 201, `{"envelopeId":"e-1","status":"sent"}`)
	c, err := envelopes.NewClientWithResponses(base)
	if err != nil {
		t.Fatal(err)
	}
	def := models.EnvelopeDefinition{
		EmailSubject: ptr("Please sign"),
		Status:       ptr("sent"),
		Documents:    []models.Document{{DocumentID: ptr("1"), Name: ptr("a.pdf"), DocumentBase64: ptr("JVBERi0=")}},
	}
	resp, err := c.CreateEnvelopeWithResponse(context.Background(), "acct-1", nil, def)
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "POST" || got.path != "/v2.1/accounts/acct-1/envelopes" || got.rawQuery != "" {
		t.Errorf("request %s %s?%s", got.method, got.path, got.rawQuery)
	}
	if got.contentType != "application/json" {
		t.Errorf("content type %q", got.contentType)
	}
	var sent map[string]any
	if err := json.Unmarshal(got.body, &sent); err != nil {
		t.Fatal(err)
	}
	docs, _ := sent["documents"].([]any)
	if sent["emailSubject"] != "Please sign" || sent["status"] != "sent" || len(docs) != 1 {
		t.Errorf("body %s", got.body)
	}
	if _, hasRecipients := sent["recipients"]; hasRecipients {
		t.Errorf("unset fields must be omitted: %s", got.body)
	}
	if resp.StatusCode() != 201 || resp.JSON201 == nil || *resp.JSON201.EnvelopeID != "e-1" {
		t.Errorf("decoded %+v", resp.JSON201)
	}
}

func TestListAccountUsersSendsOnlyTheSetQueryOptions(t *testing.T) {
	base, got := serve(t, "/restapi", 200, `{"users":[{"userId":"u1"}],"resultSetSize":"1","totalSetSize":"1"}`)
	c, _ := users.NewClientWithResponses(base)
	resp, err := c.ListUsersWithResponse(context.Background(), "acct-1", &users.ListUsersParams{Count: ptr("100"), StartPosition: ptr("200"), Status: ptr("Active")})
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "GET" || got.path != "/v2.1/accounts/acct-1/users" {
		t.Errorf("request %s %s", got.method, got.path)
	}
	want := url.Values{"count": {"100"}, "start_position": {"200"}, "status": {"Active"}}
	if got.query.Encode() != want.Encode() {
		t.Errorf("query %q, want %q", got.rawQuery, want.Encode())
	}
	if resp.JSON200 == nil || len(resp.JSON200.Users) != 1 || *resp.JSON200.TotalSetSize != "1" {
		t.Errorf("decoded %+v", resp.JSON200)
	}
}

func TestAccountSettingsDecode(t *testing.T) {
	base, got := serve(t, "/restapi", 200, `{"allowBulkSend":"true","allowSigningGroups":"true","maximumSigningGroups":"50","unknownFutureSetting":"x"}`)
	c, _ := accounts.NewClientWithResponses(base)
	resp, err := c.ListSettingsWithResponse(context.Background(), "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "GET" || got.path != "/v2.1/accounts/acct-1/settings" {
		t.Errorf("request %s %s", got.method, got.path)
	}
	s := resp.JSON200
	if s == nil || s.AllowBulkSend == nil || *s.AllowBulkSend != "true" || *s.MaximumSigningGroups != "50" {
		t.Fatalf("decoded %+v", s)
	}
}

func TestAdminOrganizationUsersPageWithStartAndTake(t *testing.T) {
	base, got := serve(t, "/management", 200, `{"users":[{"id":"8f6b2a4e-0000-4000-8000-000000000001","email":"a@example.com"}],
	 "paging":{"result_set_size":1,"total_set_size":3,"next":"https://x/management/v2/organizations/o/users?start=1&take=1"}}`)
	c, _ := admin.NewClientWithResponses(base)
	org := "9e1d1b5c-0000-4000-8000-00000000000a" // ids are strings: no UUID package needed
	resp, err := c.GetUsersWithResponse(context.Background(), org, &admin.GetUsersParams{Start: ptr(int32(0)), Take: ptr(int32(250))})
	if err != nil {
		t.Fatal(err)
	}
	if got.path != "/v2/organizations/9e1d1b5c-0000-4000-8000-00000000000a/users" || got.query.Encode() != "start=0&take=250" {
		t.Errorf("request %s?%s", got.path, got.rawQuery)
	}
	if resp.JSON200 == nil || len(resp.JSON200.Users) != 1 || resp.JSON200.Paging.Next == nil {
		t.Fatalf("decoded %+v", resp.JSON200)
	}
}

func TestMonitorStreamWithCursorAndLimit(t *testing.T) {
	base, got := serve(t, "/lens", 200, `{"endCursor":"c2","data":[{"eventId":"1"},{"eventId":"2"}]}`)
	c, _ := monitor.NewClientWithResponses(base)
	resp, err := c.GetStreamWithResponse(context.Background(), &monitor.GetStreamParams{Cursor: ptr("c1"), Limit: ptr(int32(2000))})
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "GET" || got.path != "/api/v2.0/datasets/monitor/stream" || got.query.Encode() != "cursor=c1&limit=2000" {
		t.Errorf("request %s %s?%s", got.method, got.path, got.rawQuery)
	}
	if resp.JSON200 == nil || *resp.JSON200.EndCursor != "c2" || len(resp.JSON200.Data) != 2 {
		t.Fatalf("decoded %+v", resp.JSON200)
	}
}

func TestUnsetOptionalQueryParametersAreAbsent(t *testing.T) {
	base, got := serve(t, "/lens", 200, `{"endCursor":"c","data":[]}`)
	c, _ := monitor.NewClientWithResponses(base)
	if _, err := c.GetStreamWithResponse(context.Background(), &monitor.GetStreamParams{Limit: ptr(int32(10))}); err != nil {
		t.Fatal(err)
	}
	if got.rawQuery != "limit=10" {
		t.Errorf("query %q: an unset cursor must not be sent (not even as cursor=)", got.rawQuery)
	}
	if _, err := c.GetStreamWithResponse(context.Background(), &monitor.GetStreamParams{}); err != nil {
		t.Fatal(err)
	}
	if got.rawQuery != "" {
		t.Errorf("query %q, want none", got.rawQuery)
	}
}

func TestCallerHTTPClientAndRequestEditorsAreUsed(t *testing.T) {
	base, _ := serve(t, "/lens", 200, `{"endCursor":"c","data":[]}`)
	var seen []string
	doer := doerFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("X-Test"))
		return http.DefaultClient.Do(r)
	})
	c, _ := monitor.NewClientWithResponses(base, monitor.WithHTTPClient(doer),
		monitor.WithRequestEditorFn(func(_ context.Context, r *http.Request) error { r.Header.Set("X-Test", "yes"); return nil }))
	if _, err := c.GetStreamWithResponse(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "yes" {
		t.Errorf("doer saw %v", seen)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
