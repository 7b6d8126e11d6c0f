package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeESignList serves one start_position/count list under
// /restapi/v2.1/accounts/{accountId}/{collection}, with counts as JSON
// strings and a relative nextUri, like eSignature.
type fakeESignList struct {
	mu         sync.Mutex
	collection string   // "users", "envelopes", "templates"
	itemsKey   string   // member holding the records
	records    []string // raw JSON objects
	noTotal    bool     // omit totalSetSize (rely on nextUri)
	noNextURI  bool     // omit nextUri (rely on totalSetSize)
	faults     []string // "500", "truncate"
	requests   []url.Values
	srv        *httptest.Server
}

func newFakeESignList(t testing.TB, collection, itemsKey string, records []string) *fakeESignList {
	f := &fakeESignList{collection: collection, itemsKey: itemsKey, records: records}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /restapi/v2.1/accounts/{account}/"+collection, f.serve)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// fault queues faults for the next requests (safe while a pager reads
// ahead).
func (f *fakeESignList) fault(faults ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

func (f *fakeESignList) conn() esignConn {
	return esignConn{
		do:      f.srv.Client(),
		base:    func(context.Context) (string, error) { return f.srv.URL + "/restapi", nil },
		account: func(context.Context) (string, error) { return "acct-1", nil },
	}
}

func (f *fakeESignList) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	f.requests = append(f.requests, q)
	fault := ""
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	if fault == "500" {
		http.Error(w, `{"errorCode":"UNSPECIFIED_ERROR","message":"boom"}`, 500)
		return
	}
	if r.PathValue("account") != "acct-1" {
		http.Error(w, `{"errorCode":"ACCOUNT_NOT_FOUND"}`, 404)
		return
	}
	start, _ := strconv.Atoi(q.Get("start_position"))
	count, _ := strconv.Atoi(q.Get("count"))
	end := min(start+count, len(f.records))
	start = min(start, end)
	resp := map[string]any{
		f.itemsKey:      json.RawMessage("[" + strings.Join(f.records[start:end], ",") + "]"),
		"resultSetSize": strconv.Itoa(end - start),
		"startPosition": strconv.Itoa(start),
		"endPosition":   strconv.Itoa(max(end-1, 0)),
	}
	if !f.noTotal {
		resp["totalSetSize"] = strconv.Itoa(len(f.records))
	}
	if end < len(f.records) && !f.noNextURI {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("start_position", strconv.Itoa(end))
		resp["nextUri"] = "/accounts/acct-1/" + f.collection + "?" + nq.Encode()
	}
	body, _ := json.Marshal(resp)
	if fault == "truncate" {
		body = body[:len(body)-3]
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func testESignUserJSON(n int) string {
	return fmt.Sprintf(`{"userName":"User %d","userId":"%08x-3333-4333-8333-%012x","userType":"CompanyUser","isAdmin":"False",`+
		`"userStatus":"Active","email":"u%d@example.com","createdDateTime":"2021-03-04T05:06:07.1230000Z",`+
		`"userSettings":{"modifiedDate":"2/8/2023 3:38:20 PM","locale":"en"},"extra":[%d]}`, n, n, n, n, n)
}

func esignUserSeq(t testing.TB, id string) int { t.Helper(); return idSeq(t, id) }

func collectESignUsers(t testing.TB, p *Pager[ESignatureUser]) []int {
	t.Helper()
	return collectSeqs(t, p, func(u ESignatureUser) string { return u.UserID })
}

func testAccountUsers(t testing.TB, c esignConn, o AccountUsersOptions) *Pager[ESignatureUser] {
	t.Helper()
	p, err := newAccountUsersPager(c, o)
	if err != nil {
		t.Fatal(err)
	}
	p.src.(*listSource[ESignatureUser]).g.retryWait = time.Millisecond
	return p
}

func esignUsers(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, testESignUserJSON(i))
	}
	return out
}

func TestAccountUsersYieldsEveryUserExactlyOnce(t *testing.T) {
	const count = 5
	for _, mode := range []string{"total and nextUri", "nextUri only", "total only"} {
		for _, n := range []int{0, 1, count - 1, count, count + 1, 10 * count} {
			t.Run(fmt.Sprintf("%s/%d users", mode, n), func(t *testing.T) {
				f := newFakeESignList(t, "users", "users", esignUsers(n))
				f.noTotal = mode == "nextUri only"
				f.noNextURI = mode == "total only"
				p := testAccountUsers(t, f.conn(), AccountUsersOptions{Count: count, Status: "Active"})
				checkExactlyOnce(t, collectESignUsers(t, p), n)
				if !p.Checkpoint().Done() {
					t.Fatal("the checkpoint after the last page is not done")
				}
				for i, q := range f.requests {
					if q.Get("status") != "Active" || q.Get("count") != "5" {
						t.Errorf("request %d: %v", i, q)
					}
				}
				// Pages needed: ceil(n/count), plus one empty page when the
				// server gives no total and the last page is full.
				want := max((n+count-1)/count, 1)
				if mode == "nextUri only" && n > 0 && n%count == 0 {
					want = n / count // nextUri is absent on the last page
				}
				if len(f.requests) != want {
					t.Errorf("%d requests, want %d", len(f.requests), want)
				}
			})
		}
	}
}

func TestAccountUsersResumesAtEveryOffset(t *testing.T) {
	const count, n = 4, 10
	f := newFakeESignList(t, "users", "users", esignUsers(n))
	for k := 0; k <= n; k++ {
		p := testAccountUsers(t, f.conn(), AccountUsersOptions{Count: count})
		first, saved := processThenCheckpoint(t, p, k, func(u ESignatureUser) string { return u.UserID })
		js, _ := json.Marshal(saved)
		var cp Checkpoint
		if err := json.Unmarshal(js, &cp); err != nil {
			t.Fatal(err)
		}
		rest := collectESignUsers(t, testAccountUsers(t, f.conn(), AccountUsersOptions{Count: count, Checkpoint: cp}))
		checkExactlyOnce(t, append(first, rest...), n)
	}
}

func TestAccountUsersFaultsLoseAndRepeatNothing(t *testing.T) {
	f := newFakeESignList(t, "users", "users", esignUsers(13))
	p := testAccountUsers(t, f.conn(), AccountUsersOptions{Count: 4})
	var got []int
	errs := 0
	for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
		for u, err := range p.All(context.Background()) {
			if err != nil {
				errs++
				break
			}
			got = append(got, esignUserSeq(t, u.UserID))
			switch len(got) {
			case 4:
				f.fault("500")
			case 8:
				f.fault("truncate")
			}
		}
	}
	checkExactlyOnce(t, got, 13)
	if errs != 1 {
		t.Fatalf("%d errors, want 1 (the 500; the truncated body is refetched)", errs)
	}
}

func TestESignUserDecoding(t *testing.T) {
	var u ESignatureUser
	raw := testESignUserJSON(3)
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	if u.UserName != "User 3" || u.IsAdmin != "False" || u.UserStatus != "Active" {
		t.Fatalf("typed fields: %+v", u)
	}
	if !u.ModifiedDate.Equal(time.Date(2023, 2, 8, 15, 38, 20, 0, time.UTC)) {
		t.Errorf("ModifiedDate = %v", u.ModifiedDate)
	}
	if !u.CreatedDateTime.Equal(time.Date(2021, 3, 4, 5, 6, 7, 123000000, time.UTC)) {
		t.Errorf("CreatedDateTime = %v", u.CreatedDateTime)
	}
	if out, _ := json.Marshal(u); string(out) != raw {
		t.Errorf("json.Marshal = %s", out)
	}
}

func TestEnvelopeChangesUseAFixedWindow(t *testing.T) {
	var envs []string
	for i := 0; i < 7; i++ {
		envs = append(envs, fmt.Sprintf(`{"envelopeId":"env-%d","status":"completed","statusChangedDateTime":"2024-06-0%dT10:00:00.0000000Z","emailSubject":"S%d"}`, i, i+1, i))
	}
	f := newFakeESignList(t, "envelopes", "envelopes", envs)
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC)
	p, err := newEnvelopeChangesPager(f.conn(), EnvelopeStatusChangesOptions{FromDate: from, Status: []string{"completed", "voided"}, Count: 3}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for e, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.EnvelopeID)
		if e.Status != "completed" || e.StatusChangedDateTime.IsZero() || len(e.Raw) == 0 {
			t.Fatalf("decoded %+v", e)
		}
	}
	if strings.Join(ids, ",") != "env-0,env-1,env-2,env-3,env-4,env-5,env-6" {
		t.Fatalf("ids = %v", ids)
	}
	for i, q := range f.requests {
		if q.Get("from_date") != "2024-06-01T00:00:00Z" || q.Get("to_date") != "2024-06-30T12:00:00Z" || q.Get("status") != "completed,voided" {
			t.Errorf("request %d: %v", i, q)
		}
	}
}

func TestEnvelopeChangesOptionsAreValidated(t *testing.T) {
	c := esignConn{}
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	cp := Checkpoint{kind: CheckpointEnvelopeChanges, page: "/v2.1/accounts/a/envelopes?count=3&from_date=2024-06-01T00%3A00%3A00Z&start_position=3&to_date=2024-06-30T00%3A00%3A00Z"}
	tests := []struct {
		name string
		opts EnvelopeStatusChangesOptions
		want []string
	}{
		{"no from date", EnvelopeStatusChangesOptions{}, []string{"EnvelopeStatusChangesOptions.FromDate is required"}},
		{"window backwards", EnvelopeStatusChangesOptions{FromDate: from, ToDate: from.Add(-time.Hour)}, []string{"ToDate 2024-05-31T23:00:00Z is before FromDate"}},
		{"count too large", EnvelopeStatusChangesOptions{FromDate: from, Count: 1001}, []string{"EnvelopeStatusChangesOptions.Count 1001"}},
		{"different window than checkpoint", EnvelopeStatusChangesOptions{FromDate: from.Add(time.Hour), Checkpoint: cp}, []string{`EnvelopeStatusChangesOptions.FromDate "2024-06-01T01:00:00Z" differs from the checkpoint's from_date`}},
		{"account users checkpoint", EnvelopeStatusChangesOptions{Checkpoint: Checkpoint{kind: CheckpointAccountUsers, page: "/x"}}, []string{"accountusers listing, not envelopes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newEnvelopeChangesPager(c, tt.opts, time.Now)
			if err == nil {
				t.Fatal("invalid options accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// Resuming with the same FromDate (and no ToDate) is fine.
	if _, err := newEnvelopeChangesPager(c, EnvelopeStatusChangesOptions{FromDate: from, Count: 3, Checkpoint: cp}, time.Now); err != nil {
		t.Fatalf("resume with matching options: %v", err)
	}
}

func TestAccountUsersOptionsNameTheTypedOption(t *testing.T) {
	cp := Checkpoint{kind: CheckpointAccountUsers, page: "/v2.1/accounts/acct-1/users?count=5&start_position=5&status=Active"}
	_, err := newAccountUsersPager(esignConn{}, AccountUsersOptions{Status: "Closed", Checkpoint: cp, Count: 101})
	if err == nil {
		t.Fatal("invalid options accepted")
	}
	for _, w := range []string{`AccountUsersOptions.Status "Closed" differs`, "AccountUsersOptions.Count 101"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// template is a caller-defined record type for ESignatureList.
type template struct {
	TemplateID string `json:"templateId"`
	Name       string `json:"name"`
}

func TestESignListPagesAnyStartPositionList(t *testing.T) {
	var recs []string
	for i := 0; i < 9; i++ {
		recs = append(recs, fmt.Sprintf(`{"templateId":"t%d","name":"Template %d"}`, i, i))
	}
	f := newFakeESignList(t, "templates", "envelopeTemplates", recs)
	req := ESignatureListRequest{Kind: "templates", Path: "/v2.1/accounts/{accountId}/templates", ItemsKey: "envelopeTemplates", IDKey: "templateId", Count: 4, Query: url.Values{"order": {"asc"}}}
	p, err := newESignListPager(f.conn(), req, "ESignatureListRequest.", decodeRecord[template])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tpl, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tpl.TemplateID)
		if len(names) == 6 {
			break
		}
	}
	cp := p.Checkpoint()
	if cp.Kind() != "templates" || cp.Offset() != 2 {
		t.Fatalf("checkpoint = %v", cp)
	}
	req.Checkpoint = cp
	p2, err := newESignListPager(f.conn(), req, "ESignatureListRequest.", decodeRecord[template])
	if err != nil {
		t.Fatal(err)
	}
	for tpl, err := range p2.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tpl.TemplateID)
	}
	if strings.Join(names, ",") != "t0,t1,t2,t3,t4,t5,t6,t7,t8" {
		t.Fatalf("got %v", names)
	}
	bad := ESignatureListRequest{Kind: "Bad Kind", Path: "v2.1/x?y", Query: url.Values{"count": {"5"}}, Count: -1}
	_, err = newESignListPager(f.conn(), bad, "ESignatureListRequest.", decodeRecord[template])
	for _, w := range []string{"ESignatureListRequest.Kind", "ESignatureListRequest.Path", "ESignatureListRequest.ItemsKey", "ESignatureListRequest.Count -1", `ESignatureListRequest.Query sets "count"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
}

func TestESignListResumesWithAMultiValuedQuery(t *testing.T) {
	var recs []string
	for i := 0; i < 6; i++ {
		recs = append(recs, fmt.Sprintf(`{"templateId":"t%d"}`, i))
	}
	f := newFakeESignList(t, "templates", "envelopeTemplates", recs)
	req := ESignatureListRequest{Kind: "templates", Path: "/v2.1/accounts/{accountId}/templates", ItemsKey: "envelopeTemplates",
		IDKey: "templateId", Count: 4, Query: url.Values{"folder_ids": {"f1", "f2"}, "order": {"asc"}}}
	p, err := newESignListPager(f.conn(), req, "ESignatureListRequest.", decodeRecord[template])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.NextPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	req.Checkpoint = p.Checkpoint()
	if _, err := newESignListPager(f.conn(), req, "ESignatureListRequest.", decodeRecord[template]); err != nil {
		t.Fatalf("resuming with the same multi-valued Query: %v", err)
	}
	for name, q := range map[string]url.Values{
		"a value fewer":  {"folder_ids": {"f1"}, "order": {"asc"}},
		"another order":  {"folder_ids": {"f2", "f1"}, "order": {"asc"}},
		"a value more":   {"folder_ids": {"f1", "f2", "f3"}, "order": {"asc"}},
		"a joined value": {"folder_ids": {"f1,f2"}, "order": {"asc"}},
	} {
		req.Query = q
		_, err := newESignListPager(f.conn(), req, "ESignatureListRequest.", decodeRecord[template])
		if err == nil || !strings.Contains(err.Error(), `ESignatureListRequest.Query["folder_ids"]`) {
			t.Errorf("%s: resuming with Query %v: error = %v, want one naming the differing parameter", name, q, err)
		}
	}
}

// List records read members as the generated models do (package jsonx).
func TestESignatureUserReadsLikeTheModels(t *testing.T) {
	var u ESignatureUser
	in := `{"USERID":"u1","userName":12,"isAdmin":true,"createdDateTime":"2024-01-02T03:04:05.1","jobTitle":{"odd":1}}`
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	if u.UserID != "u1" || u.UserName != "12" || u.IsAdmin != "true" || u.JobTitle != "" || string(u.Raw) != in {
		t.Errorf("decoded %+v", u)
	}
	if !u.CreatedDateTime.Equal(time.Date(2024, 1, 2, 3, 4, 5, 100000000, time.UTC)) {
		t.Errorf("createdDateTime = %v", u.CreatedDateTime)
	}
}
