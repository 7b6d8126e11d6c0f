package docusigntest

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

type esignUserPage struct {
	Users         []esignUser
	ResultSetSize string
	TotalSetSize  string
	StartPosition string
	EndPosition   string
	NextURI       string
	PreviousURI   string
}

func TestESignUsersPagingReturnsEveryMemberExactlyOnce(t *testing.T) {
	srv := newTestServer(t, WithUsers(730), WithAccounts(2))
	tok := srv.AccessToken()
	acct := srv.DefaultAccountID()
	want := srv.AccountUsers(acct)

	seen := map[string]int{}
	var order []string
	next := "/v2.1/accounts/" + acct + "/users?count=70&status=Active,ActivationSent,Closed,Disabled"
	pages := 0
	for next != "" {
		r := get(t, srv, "/restapi"+next, tok)
		wantStatus(t, r, http.StatusOK)
		var p esignUserPage
		r.decode(t, &p)
		if p.TotalSetSize != "365" {
			t.Fatalf("totalSetSize %q, want 365", p.TotalSetSize)
		}
		for _, u := range p.Users {
			seen[u.UserID]++
			order = append(order, u.UserID)
		}
		if pages > 0 && p.PreviousURI == "" {
			t.Errorf("page %d has no previousUri", pages)
		}
		next = p.NextURI
		pages++
	}
	if pages != 6 {
		t.Errorf("%d pages, want 6", pages)
	}
	if len(order) != len(want) {
		t.Fatalf("got %d users, want %d", len(order), len(want))
	}
	for i, u := range want {
		if order[i] != u.ID || seen[u.ID] != 1 {
			t.Fatalf("user %d: got %s (seen %d times), want %s", i, order[i], seen[u.ID], u.ID)
		}
	}
}

func TestESignUsersPageFieldsAreDocuSignStrings(t *testing.T) {
	srv := newTestServer(t, WithUsers(250), WithAccounts(1))
	r := get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/users?start_position=100&count=500", srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var p esignUserPage
	r.decode(t, &p)
	// count is clamped to 100.
	if p.ResultSetSize != "100" || p.StartPosition != "100" || p.EndPosition != "199" || p.TotalSetSize != "250" {
		t.Errorf("paging %+v", p)
	}
	wantNext := "/v2.1/accounts/" + srv.DefaultAccountID() + "/users?count=100&start_position=200"
	if p.NextURI != wantNext {
		t.Errorf("nextUri %q, want %q", p.NextURI, wantNext)
	}

	r = get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/users?start_position=200", srv.AccessToken())
	p = esignUserPage{}
	r.decode(t, &p)
	if p.NextURI != "" || len(p.Users) != 50 {
		t.Errorf("last page: %d users, nextUri %q", len(p.Users), p.NextURI)
	}
	r = get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/users?count=abc", srv.AccessToken())
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "INVALID_REQUEST_PARAMETER") {
		t.Errorf("bad count: %s", r.body)
	}
}

func TestESignUsersFilters(t *testing.T) {
	srv := newTestServer(t, WithUsers(200), WithAccounts(1))
	u := srv.Users()[42]
	tests := []struct {
		name, query string
		want        func(User) bool
	}{
		{"by exact email", "email=" + strings.ToUpper(u.Email), func(x User) bool { return x.ID == u.ID }},
		{"by email substring", "email_substring=.4", func(x User) bool { return strings.Contains(x.Email, ".4") }},
		{"by status", "status=closed", func(x User) bool { return x.Status == StatusClosed }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/users?"+tt.query, srv.AccessToken())
			wantStatus(t, r, http.StatusOK)
			var p esignUserPage
			r.decode(t, &p)
			n := 0
			for _, x := range srv.Users() {
				if tt.want(x) {
					n++
				}
			}
			if n == 0 || len(p.Users) != n {
				t.Errorf("%d users, want %d", len(p.Users), n)
			}
		})
	}
}

func TestESignUserDetailUsesDocuSignDateForms(t *testing.T) {
	srv := newTestServer(t)
	u := srv.Users()[3]
	r := get(t, srv, "/restapi/v2.1/accounts/"+u.AccountIDs[0]+"/users/"+u.ID, srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var got esignUser
	r.decode(t, &got)
	if got.UserID != u.ID || got.UserName != u.UserName || got.Email != u.Email || got.UserStatus != u.Status ||
		got.PermissionProfileName != u.PermissionProfileName {
		t.Errorf("user %+v does not match %+v", got, u)
	}
	if got.UserSettings == nil || !regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$`).MatchString(got.UserSettings.ModifiedDate) {
		t.Fatalf("userSettings.modifiedDate in %s", r.body)
	}
	mod, err := time.Parse(layoutUS, got.UserSettings.ModifiedDate)
	if err != nil || !mod.Equal(u.Modified.Truncate(time.Second)) {
		t.Errorf("modifiedDate %q, want %v", got.UserSettings.ModifiedDate, u.Modified)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`).MatchString(got.CreatedDateTime) {
		t.Errorf("createdDateTime %q", got.CreatedDateTime)
	}

	r = get(t, srv, "/restapi/v2.1/accounts/"+u.AccountIDs[0]+"/users/00000000-0000-4000-8000-000000000000", srv.AccessToken())
	wantStatus(t, r, http.StatusNotFound)
}

func TestAccountEndpointsAcceptIDOrNumberAndRejectForeignAccounts(t *testing.T) {
	srv := newTestServer(t, WithAccounts(2))
	a := srv.Accounts()[1]
	tok := srv.AccessToken()
	for _, key := range []string{a.ID, strings.ToUpper(a.ID), a.Number} {
		r := get(t, srv, "/restapi/v2.1/accounts/"+key+"?include_account_settings=true", tok)
		wantStatus(t, r, http.StatusOK)
		var info struct {
			AccountIDGUID   string            `json:"accountIdGuid"`
			AccountName     string            `json:"accountName"`
			AccountSettings map[string]string `json:"accountSettings"`
		}
		r.decode(t, &info)
		if info.AccountIDGUID != a.ID || info.AccountName != a.Name || info.AccountSettings["allowBulkSend"] != "true" {
			t.Errorf("account %s: %s", key, r.body)
		}
	}
	r := get(t, srv, "/restapi/v2.1/accounts/"+a.ID+"/settings", tok)
	wantStatus(t, r, http.StatusOK)
	var settings map[string]any
	r.decode(t, &settings)
	for k, v := range settings {
		if _, ok := v.(string); !ok {
			t.Errorf("setting %s = %v (%T), want a string", k, v, v)
		}
	}

	// A user of account 1 only is not a member of account 0.
	member := srv.AccountUsers(a.ID)[1]
	r = get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/users", srv.IssueToken(member.ID))
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT") {
		t.Errorf("foreign account: %s", r.body)
	}
	wantStatus(t, get(t, srv, "/restapi/v2.1/accounts/12345/users", tok), http.StatusBadRequest)
}
