package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAdmin serves GET /management/v2/organizations/{org}/users with
// start/take paging and absolute paging.next links, like the Admin API.
type fakeAdmin struct {
	mu       sync.Mutex
	org      string
	users    []string // raw JSON objects
	faults   []string // one per request: "429", "500", "truncate", "evilnext", "samenext", "firstnext", "titlecase"
	requests []url.Values
	srv      *httptest.Server
}

func testOrgUserJSON(n int) string {
	return fmt.Sprintf(`{"id":"%08x-2222-4222-8222-%012x","user_name":"User %d","first_name":"User","last_name":"N%d",`+
		`"user_status":"active","membership_status":"active","email":"user%d@example.com","created_on":"2019-08-15T20:48:08.233",`+
		`"membership_created_on":"2020-01-02T03:04:05.6Z","is_managed_by_scim":%t,"future_field":{"x":[%d]}}`, n, n, n, n, n, n%2 == 0, n)
}

func newFakeAdmin(t testing.TB, n int) *fakeAdmin {
	f := &fakeAdmin{org: "org-1"}
	for i := 0; i < n; i++ {
		f.users = append(f.users, testOrgUserJSON(i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /management/v2/organizations/{org}/users", f.serve)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAdmin) conn() adminConn {
	return adminConn{
		do: f.srv.Client(), baseURL: f.srv.URL + "/management",
		org:     func(context.Context) (string, error) { return f.org, nil },
		account: func(context.Context) (string, error) { return "acct-default", nil },
	}
}

func (f *fakeAdmin) fault(faults ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

func (f *fakeAdmin) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	f.requests = append(f.requests, q)
	fault := ""
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	switch fault {
	case "429", "500":
		code, _ := strconv.Atoi(fault)
		http.Error(w, `{"error":"fault"}`, code)
		return
	}
	if r.PathValue("org") != f.org {
		http.Error(w, `{"error":"unknown org"}`, http.StatusNotFound)
		return
	}
	if q.Get("account_id") == "" && q.Get("email") == "" {
		http.Error(w, `{"error":"account_id or email required"}`, http.StatusBadRequest)
		return
	}
	start, _ := strconv.Atoi(q.Get("start"))
	take, _ := strconv.Atoi(q.Get("take"))
	if take == 0 {
		take = 20
	}
	end := min(start+take, len(f.users))
	start = min(start, end)
	paging := map[string]any{"result_set_size": end - start, "result_set_start_position": start,
		"result_set_end_position": max(end-1, 0), "total_set_size": len(f.users)}
	if end < len(f.users) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("start", strconv.Itoa(end))
		next := f.srv.URL + r.URL.Path + "?" + nq.Encode()
		switch fault {
		case "evilnext":
			next = "https://evil.example" + r.URL.Path + "?" + nq.Encode()
		case "samenext":
			next = f.srv.URL + r.URL.RequestURI()
		case "firstnext": // back to the first page: A -> B -> A -> ...
			nq.Set("start", "0")
			next = f.srv.URL + r.URL.Path + "?" + nq.Encode()
		}
		paging["next"] = next
	}
	if start > 0 {
		paging["previous"] = f.srv.URL + r.URL.Path + "?start=0"
	}
	pj, _ := json.Marshal(paging)
	body := `{"users":[` + strings.Join(f.users[start:end], ",") + `],"paging":` + string(pj) + `}`
	if fault == "titlecase" { // member names spelt in another case, which encoding/json accepts
		body = `{"Users":[` + strings.Join(f.users[start:end], ",") + `],"Paging":` + strings.Replace(string(pj), `"next"`, `"Next"`, 1) + `}`
	}
	if fault == "truncate" {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body[:len(body)/2])) // a complete HTTP response whose JSON ends early
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

func testOrgUsersPager(t testing.TB, c adminConn, o OrgUsersOptions) *Pager[OrgUser] {
	t.Helper()
	p, err := newOrgUsersPager(c, o)
	if err != nil {
		t.Fatal(err)
	}
	p.src.(*listSource[OrgUser]).g.retryWait = time.Millisecond
	return p
}

func userSeq(t testing.TB, u OrgUser) int { t.Helper(); return idSeq(t, u.ID) }

func collectUsers(t testing.TB, p *Pager[OrgUser]) []int {
	t.Helper()
	return collectSeqs(t, p, func(u OrgUser) string { return u.ID })
}

func TestOrgUsersYieldsEveryUserExactlyOnce(t *testing.T) {
	const take = 6
	for _, n := range []int{0, 1, take - 1, take, take + 1, 10 * take} {
		t.Run(fmt.Sprintf("%d users", n), func(t *testing.T) {
			f := newFakeAdmin(t, n)
			p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: take})
			checkExactlyOnce(t, collectUsers(t, p), n)
			cp := p.Checkpoint()
			if !cp.Done() {
				t.Fatalf("checkpoint after the last page = %v, want done", cp)
			}
			// Resuming a finished listing yields nothing and sends nothing.
			before := len(f.requests)
			if rest := collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{Checkpoint: cp})); len(rest) != 0 {
				t.Fatalf("a done checkpoint yielded %v", rest)
			}
			if len(f.requests) != before {
				t.Fatal("a done checkpoint sent requests")
			}
		})
	}
}

func TestOrgUsersFollowsNextWithItsQuery(t *testing.T) {
	f := newFakeAdmin(t, 12)
	since := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Status: "active", LastModifiedSince: since, Take: 5})
	checkExactlyOnce(t, collectUsers(t, p), 12)
	if len(f.requests) != 3 {
		t.Fatalf("%d requests, want 3", len(f.requests))
	}
	for i, q := range f.requests {
		if q.Get("account_id") != "acct-1" || q.Get("status") != "active" || q.Get("last_modified_since") != "2024-05-01T00:00:00Z" || q.Get("take") != "5" {
			t.Errorf("request %d lost filters: %v", i, q)
		}
	}
}

func TestOrgUsersDefaultsToTheClientsAccount(t *testing.T) {
	f := newFakeAdmin(t, 3)
	checkExactlyOnce(t, collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{})), 3)
	if got := f.requests[0].Get("account_id"); got != "acct-default" {
		t.Fatalf("account_id = %q, want the client's account", got)
	}
	f.requests = nil
	collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{Email: "user1@example.com"}))
	if f.requests[0].Has("account_id") {
		t.Fatal("account_id was added although Email selects the users")
	}
}

func TestOrgUsersResumesAtEveryOffsetWithoutLossOrRepeat(t *testing.T) {
	const take, n = 4, 11
	f := newFakeAdmin(t, n)
	for k := 0; k <= n; k++ {
		p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: take})
		first, saved := processThenCheckpoint(t, p, k, func(u OrgUser) string { return u.ID })
		cp, err := ParseCheckpoint(saved.String())
		if err != nil {
			t.Fatalf("k=%d: %v", k, err)
		}
		// The caller repeats its options with the checkpoint, as a collector does.
		rest := collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: take, Checkpoint: cp}))
		checkExactlyOnce(t, append(first, rest...), n)
	}
}

func TestOrgUsersFaultsBetweenPagesLoseAndRepeatNothing(t *testing.T) {
	for _, fault := range []string{"429", "500", "truncate"} {
		t.Run(fault, func(t *testing.T) {
			f := newFakeAdmin(t, 17)
			p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: 5})
			var got []int
			errs := 0
			for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
				for u, err := range p.All(context.Background()) {
					if err != nil {
						errs++
						break
					}
					got = append(got, userSeq(t, u))
					if len(got) == 5 {
						f.fault(fault)
					}
				}
			}
			checkExactlyOnce(t, got, 17)
			if want := map[bool]int{true: 0, false: 1}[fault == "truncate"]; errs != want {
				t.Fatalf("%d errors, want %d", errs, want)
			}
		})
	}
}

func TestOrgUsersRefusesBadNextLinks(t *testing.T) {
	for fault, want := range map[string]string{
		"evilnext": "leaves the API base URL",
		"samenext": "repeats the page just read",
	} {
		t.Run(fault, func(t *testing.T) {
			f := newFakeAdmin(t, 10)
			f.fault(fault)
			p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: 5})
			before := p.Checkpoint()
			_, err := p.NextPage(context.Background())
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v, want %q", err, want)
			}
			if p.Checkpoint().String() != before.String() {
				t.Fatal("a refused page moved the checkpoint")
			}
		})
	}
}

func TestOrgUsersRefusesANextLinkBackToAPageAlreadyRead(t *testing.T) {
	f := newFakeAdmin(t, 15)
	f.fault("", "firstnext", "firstnext")
	p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: 5})
	first, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before := p.Checkpoint()
	// The second page links back to the first: following it would loop
	// over the first two pages forever.
	for try := 1; try <= 2; try++ {
		pg, err := p.NextPage(context.Background())
		if err == nil {
			pg2, err2 := p.NextPage(context.Background())
			if err2 == nil && len(pg2.Items) > 0 && userSeq(t, pg2.Items[0]) == userSeq(t, first.Items[0]) {
				t.Fatalf("try %d: the pager followed paging.next back to the first page after %d users: the listing loops", try, len(pg.Items))
			}
			t.Fatalf("try %d: a next link back to a page already read was accepted (then %v)", try, err2)
		}
		if !errors.Is(err, ErrCursorStuck) || !strings.Contains(err.Error(), "already read") {
			t.Fatalf("try %d: error = %v, want ErrCursorStuck saying the page was already read", try, err)
		}
		if p.Checkpoint().String() != before.String() {
			t.Fatal("a refused page moved the checkpoint")
		}
	}
	// Once the server links forward again, nothing is lost or repeated.
	got := []int{}
	for _, u := range first.Items {
		got = append(got, userSeq(t, u))
	}
	got = append(got, collectUsers(t, p)...)
	slices.Sort(got)
	if want := 15; len(got) != want || got[0] != 0 || got[len(got)-1] != want-1 || len(slices.Compact(slices.Clone(got))) != want {
		t.Fatalf("users %v, want each of 0..%d once", got, want-1)
	}
}

func TestOrgUserDecodingKeepsEveryField(t *testing.T) {
	raw := testOrgUserJSON(2)
	var u OrgUser
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	if u.UserName != "User 2" || u.Email != "user2@example.com" || !u.IsManagedBySCIM || u.MembershipStatus != "active" {
		t.Fatalf("typed fields: %+v", u)
	}
	if !u.CreatedOn.Equal(time.Date(2019, 8, 15, 20, 48, 8, 233000000, time.UTC)) {
		t.Errorf("CreatedOn without a zone = %v, want it read as UTC", u.CreatedOn)
	}
	if !u.MembershipCreatedOn.Equal(time.Date(2020, 1, 2, 3, 4, 5, 600000000, time.UTC)) {
		t.Errorf("MembershipCreatedOn = %v", u.MembershipCreatedOn)
	}
	out, _ := json.Marshal(u)
	if string(out) != raw {
		t.Fatalf("json.Marshal(user) = %s, want the bytes received", out)
	}
}

func TestOrgUsersOptionsAreValidatedTogether(t *testing.T) {
	cp := Checkpoint{kind: CheckpointOrgUsers, page: "/v2/organizations/org-1/users?account_id=acct-1&start=5&take=5"}
	tests := []struct {
		name string
		conn adminConn
		opts OrgUsersOptions
		want []string
	}{
		{"take too large", adminConn{baseURL: "https://x/management", org: staticOrg("o")}, OrgUsersOptions{Take: 251}, []string{"OrgUsersOptions.Take 251"}},
		{"negative start", adminConn{baseURL: "https://x/management", org: staticOrg("o")}, OrgUsersOptions{Start: -1}, []string{"OrgUsersOptions.Start -1"}},
		{"no organization", adminConn{baseURL: "https://x/management"}, OrgUsersOptions{}, []string{"OrganizationID is empty"}},
		{"no admin URL", adminConn{org: staticOrg("o")}, OrgUsersOptions{}, []string{"AdminURL"}},
		{"start with checkpoint", adminConn{baseURL: "https://x/management", org: staticOrg("org-1")}, OrgUsersOptions{Start: 3, Checkpoint: cp}, []string{"Start and OrgUsersOptions.Checkpoint are mutually exclusive"}},
		{"filter differs from checkpoint", adminConn{baseURL: "https://x/management", org: staticOrg("org-1")}, OrgUsersOptions{AccountID: "acct-2", Checkpoint: cp}, []string{`OrgUsersOptions.AccountID "acct-2" differs from the checkpoint's account_id="acct-1"`}},
		{"organization differs from checkpoint", adminConn{baseURL: "https://x/management", org: staticOrg("org-1")}, OrgUsersOptions{OrganizationID: "org-2", Checkpoint: cp}, []string{"OrganizationID \"org-2\" differs"}},
		{"monitor checkpoint", adminConn{baseURL: "https://x/management", org: staticOrg("o")}, OrgUsersOptions{Checkpoint: Checkpoint{kind: CheckpointMonitor}}, []string{"OrgUsersOptions.Checkpoint", "monitor listing, not orgusers"}},
		{"all at once", adminConn{}, OrgUsersOptions{Take: -2, Start: -1}, []string{"AdminURL", "OrganizationID", "Take -2", "Start -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newOrgUsersPager(tt.conn, tt.opts)
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
}

func TestRelativeLink(t *testing.T) {
	base := "https://api-d.docusign.net/management"
	cur := "/v2/organizations/o/users?start=0&take=5"
	tests := []struct {
		link, want, err string
	}{
		{"https://api-d.docusign.net/management/v2/organizations/o/users?start=5&take=5", "/v2/organizations/o/users?start=5&take=5", ""},
		{"HTTPS://API-D.docusign.net/management/v2/organizations/o/users?start=5", "/v2/organizations/o/users?start=5", ""},
		{"/management/v2/organizations/o/users?start=10", "/v2/organizations/o/users?start=10", ""},
		{"users?start=15", "/v2/organizations/o/users?start=15", ""},
		{"https://api.docusign.net/management/v2/organizations/o/users?start=5", "", "leaves the API base URL"},
		{"http://api-d.docusign.net/management/v2/organizations/o/users?start=5", "", "leaves the API base URL"},
		{"https://api-d.docusign.net/other/v2/users", "", "leaves the API base URL"},
		{"https://api-d.docusign.net/managementx/v2/users", "", "leaves the API base URL"},
	}
	for _, tt := range tests {
		got, err := relativeLink(base, cur, tt.link)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("relativeLink(%q) = %q, %v; want error %q", tt.link, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("relativeLink(%q) = %q, %v; want %q", tt.link, got, err, tt.want)
		}
	}
}

func TestOrgUsersPageCheckpointAfterWholePageSkipsIt(t *testing.T) {
	f := newFakeAdmin(t, 9)
	p := testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: 4})
	page, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for _, u := range page.Items {
		seen = append(seen, userSeq(t, u))
	}
	rest := collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{Checkpoint: page.Checkpoint(len(page.Items))}))
	checkExactlyOnce(t, append(seen, rest...), 9)
	if !slices.Equal(seen, []int{0, 1, 2, 3}) {
		t.Fatalf("first page = %v", seen)
	}
}

func TestOrgUsersFollowsPagingSpeltInAnotherCase(t *testing.T) {
	f := newFakeAdmin(t, 9)
	f.fault("titlecase", "titlecase", "titlecase")
	got := collectUsers(t, testOrgUsersPager(t, f.conn(), OrgUsersOptions{AccountID: "acct-1", Take: 4}))
	checkExactlyOnce(t, got, 9)
}

func staticOrg(id string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return id, nil }
}

func TestOrgUserWithAnOddlyTypedFieldKeepsTheRest(t *testing.T) {
	raw := `{"id":"u1","email":42,"user_name":"Ann","is_managed_by_scim":"yes"}`
	var u OrgUser
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatalf("a mistyped field stalls decoding: %v", err)
	}
	// A number in a string field keeps its text, as in the generated
	// models; "yes" is no boolean, so the field stays false (Raw keeps it).
	if u.ID != "u1" || u.UserName != "Ann" || u.Email != "42" || u.IsManagedBySCIM || string(u.Raw) != raw {
		t.Fatalf("decoded %+v", u)
	}
}

// FuzzScanOrgUserMatchesEncodingJSON checks the Admin pager's fast record
// decoder against the exact one: whenever scanOrgUser accepts a record, the
// user and the id it returns equal OrgUser.UnmarshalJSON's and recordID's.
func FuzzScanOrgUserMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":"0b7e3d0c-1111-4111-8111-000000000001","user_name":"Ada Lovelace","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","user_status":"active","membership_status":"active","membership_id":"m1","is_managed_by_scim":false,"is_membership_managed_by_scim":true,"license_type":"full","subscription_id":"s","plan_name":"p","created_on":"2024-06-30T07:08:06.31","membership_created_on":"2024-06-30T07:08:06Z","closed_on":null,"ds_groups":[{"ds_group_id":"g"}],"extra":{"a":[1,2]}}`,
		`{}`,
		`{"id":"a","id":null}`,
		`{"id":null,"id":"b"}`,
		`{"ID":"a"}`,
		`{"Email":"x@y"}`,
		`{"email":"x\u0040y","first_name":"caf\u00e9"}`,
		`{"id":5}`,
		`{"ds_groups":null}`,
		`{"is_managed_by_scim":"yes"}`,
		`{"created_on":12,"created_on":"2024-01-02T03:04:05Z"}`,
		`{"ſtatus":"x","user_ſtatus":"y"}`,
		"{\"first_name\":\"\xff\"}",
		`[1]`,
		`{ "id" : "a" , "email" : "b" }`,
		`{"id":"a","id":null,"email":"e","email":null}`,
		`{"created_on":"2024-01-02T03:04:05Z","created_on":null,"closed_on":"2024-01-02T03:04:05Z","closed_on":7}`,
		`{"is_managed_by_scim":true,"is_managed_by_scim":null,"CREATED_ON":"2024-01-02T03:04:05Z"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		data = bytes.TrimSpace(data)
		got, id, ok := scanOrgUser(data, string(data))
		if !ok {
			return
		}
		want, err := decodeRecord[OrgUser](data)
		if err != nil {
			t.Fatalf("scanOrgUser accepted %s, which OrgUser.UnmarshalJSON rejects: %v", data, err)
		}
		wantID := stringMembers(data, "id")[0]
		if id != wantID {
			t.Errorf("id = %q, want %q", id, wantID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("scanOrgUser(%s)\n got %+v\nwant %+v", data, got, want)
		}
	})
}

func TestScanOrgUserDecodesATypicalUserWithoutFallingBack(t *testing.T) {
	raw := []byte(`{"id":"u1","email":"a@example.com","is_managed_by_scim":true,"created_on":"2024-06-30T07:08:06Z","extra":[1]}`)
	u, id, ok := scanOrgUser(raw, string(raw))
	if !ok || id != "u1" || u.ID != "u1" || u.Email != "a@example.com" || !u.IsManagedBySCIM ||
		!u.CreatedOn.Equal(time.Date(2024, 6, 30, 7, 8, 6, 0, time.UTC)) || string(u.Raw) != string(raw) {
		t.Fatalf("scanOrgUser = %+v, %q, %v", u, id, ok)
	}
	if _, _, ok := scanOrgUser([]byte(`{"ID":"u1"}`), `{"ID":"u1"}`); ok {
		t.Fatal("a key matching a field only case-insensitively was decoded by the fast path")
	}
}

// FuzzStringMembersMatchesEncodingJSON checks the member reader behind the
// records' timestamps and identities against encoding/json decoding into
// string fields: case-insensitive keys, repeated keys, null, mistyped
// members and nested objects that repeat (and merge).
func FuzzStringMembersMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","settings":{"modified":"m"}}`, `{"ID":"a","Settings":{"MODIFIED":"m"}}`,
		`{"id":"a","id":null,"id":7}`, `{"settings":{"modified":"m"},"settings":{"other":1},"settings":null}`,
		`{"settings":"x","\u0069d":"b"}`, `{"ſettings":{"modified":"m"}}`, `[1]`, `null`, `"s"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want struct {
			ID       string `json:"id"`
			Settings struct {
				Modified string `json:"modified"`
			} `json:"settings"`
		}
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal(data, &want); err != nil && !errors.As(err, &te) {
			return
		}
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return // not an object: stringMembers reports nothing, as encoding/json sets nothing
		}
		got := stringMembers(data, "id", "settings.modified")
		if got[0] != want.ID || got[1] != want.Settings.Modified {
			t.Fatalf("stringMembers(%s) = %q, encoding/json says %q, %q", data, got, want.ID, want.Settings.Modified)
		}
	})
}
