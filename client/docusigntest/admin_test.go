package docusigntest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type adminPage struct {
	Users  []adminUser
	Paging adminPaging
}

// listAdminUsers follows paging.next (absolute URLs) and returns every user
// in order.
func listAdminUsers(t *testing.T, srv *Server, query string) []adminUser {
	t.Helper()
	var out []adminUser
	next := srv.URL() + "/management/v2/organizations/" + srv.OrgID() + "/users?" + query
	for pages := 0; next != ""; pages++ {
		if !strings.HasPrefix(next, srv.URL()+"/management/") {
			t.Fatalf("paging.next %q is not an absolute URL of the server", next)
		}
		r := get(t, srv, next, srv.AccessToken())
		wantStatus(t, r, http.StatusOK)
		var p adminPage
		r.decode(t, &p)
		if p.Paging.ResultSetSize != len(p.Users) || p.Paging.TotalSetSize < len(p.Users) {
			t.Fatalf("paging %+v for %d users", p.Paging, len(p.Users))
		}
		if pages > 0 && p.Paging.Previous == "" {
			t.Errorf("page %d has no paging.previous", pages)
		}
		out = append(out, p.Users...)
		next = p.Paging.Next
	}
	return out
}

func TestAdminUsersPagingWithFiltersReturnsEveryMatchExactlyOnce(t *testing.T) {
	srv := newTestServer(t, WithUsers(1100), WithAccounts(3))
	acct := srv.Accounts()[2]
	cutoff := srv.Users()[500].Modified
	tests := []struct {
		name  string
		query string
		want  func(User) bool
	}{
		{"the whole organization", "take=250", func(User) bool { return true }},
		{"the default page size", "", func(User) bool { return true }},
		{"one account", "take=77&account_id=" + acct.ID, func(u User) bool { return u.memberOf(acct.ID) }},
		{"active users of one account", "take=50&status=active&account_id=" + acct.ID, func(u User) bool {
			return u.memberOf(acct.ID) && u.Status == StatusActive
		}},
		{"users modified since a time", "take=100&account_id=" + acct.ID + "&last_modified_since=" + url.QueryEscape(cutoff.Format(time.RFC3339Nano)),
			func(u User) bool { return u.memberOf(acct.ID) && !u.Modified.Before(cutoff) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := listAdminUsers(t, srv, tt.query)
			var want []User
			for _, u := range srv.Users() {
				if tt.want(u) {
					want = append(want, u)
				}
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("got %d users, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID {
					t.Fatalf("user %d is %s, want %s", i, got[i].ID, want[i].ID)
				}
			}
		})
	}
}

func TestAdminUsersNextKeepsFiltersAndClampsTake(t *testing.T) {
	srv := newTestServer(t, WithUsers(600))
	r := get(t, srv, "/management/v2/organizations/"+srv.OrgID()+"/users?take=1000&status=active&account_id="+srv.DefaultAccountID(), srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var p adminPage
	r.decode(t, &p)
	if len(p.Users) != 250 || p.Paging.ResultSetEndPosition != 249 {
		t.Fatalf("take=1000 returned %d users (paging %+v), want 250", len(p.Users), p.Paging)
	}
	next, err := url.Parse(p.Paging.Next)
	if err != nil || !next.IsAbs() {
		t.Fatalf("paging.next %q is not absolute", p.Paging.Next)
	}
	q := next.Query()
	if q.Get("start") != "250" || q.Get("take") != "250" || q.Get("status") != "active" || q.Get("account_id") != srv.DefaultAccountID() {
		t.Errorf("paging.next %q lost the query", p.Paging.Next)
	}
}

func TestAdminUsersFieldsFollowTheAdminAPI(t *testing.T) {
	srv := newTestServer(t, WithUsers(30))
	u := srv.Users()[22] // i%11 == 0: activation sent
	r := get(t, srv, "/management/v2/organizations/"+srv.OrgID()+"/users?email="+url.QueryEscape(u.Email), srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var p adminPage
	r.decode(t, &p)
	if len(p.Users) != 1 {
		t.Fatalf("email filter returned %d users", len(p.Users))
	}
	got := p.Users[0]
	if got.ID != u.ID || got.UserName != u.UserName || got.Email != u.Email || got.UserStatus != "activation_sent" ||
		got.DefaultAccountID != u.AccountIDs[0] || got.MembershipID == "" {
		t.Errorf("admin user %+v for %+v", got, u)
	}
	if _, err := time.Parse(time.RFC3339, got.CreatedOn); err != nil {
		t.Errorf("created_on %q: %v", got.CreatedOn, err)
	}
}

func TestAdminUsersRejectsBadRequests(t *testing.T) {
	srv := newTestServer(t, WithUsers(10), WithStrictAdminFilters())
	base := "/management/v2/organizations/" + srv.OrgID() + "/users"
	tests := []struct {
		name, path string
		status     int
	}{
		{"another organization is forbidden", "/management/v2/organizations/00000000-0000-4000-8000-000000000000/users?account_id=" + srv.DefaultAccountID(), 403},
		{"strict mode needs a filter", base, 400},
		{"strict mode needs account_id with last_modified_since", base + "?email=a@example.com&last_modified_since=2024-01-01", 400},
		{"an unknown account is rejected", base + "?account_id=nope", 400},
		{"a negative start is rejected", base + "?start=-1&account_id=" + srv.DefaultAccountID(), 400},
		{"take=0 is rejected", base + "?take=0&account_id=" + srv.DefaultAccountID(), 400},
		{"a bad date is rejected", base + "?account_id=" + srv.DefaultAccountID() + "&last_modified_since=soon", 400},
		{"a filtered request succeeds", base + "?account_id=" + srv.DefaultAccountID(), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, srv.AccessToken())
			wantStatus(t, r, tt.status)
			if tt.status != 200 && !strings.Contains(string(r.body), `"error_description"`) {
				t.Errorf("body %s lacks error_description", r.body)
			}
		})
	}
}

func TestUpdatedUsersShowUpInIncrementalSync(t *testing.T) {
	srv := newTestServer(t, WithUsers(100))
	since := srv.Now()
	target := srv.AccountUsers(srv.DefaultAccountID())[5]
	srv.Advance(time.Second)
	if err := srv.UpdateUser(target.ID, func(u *User) { u.JobTitle = "Director" }); err != nil {
		t.Fatal(err)
	}
	added, err := srv.AddUser(User{FirstName: "New", LastName: "Hire", Email: "new.hire@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	got := listAdminUsers(t, srv, "account_id="+srv.DefaultAccountID()+"&last_modified_since="+url.QueryEscape(since.Format(time.RFC3339Nano)))
	if len(got) != 2 || got[0].ID != target.ID || got[1].ID != added.ID {
		t.Errorf("incremental sync returned %+v, want %s and %s", got, target.ID, added.ID)
	}
	if _, err := srv.AddUser(User{ID: added.ID}); err == nil {
		t.Error("AddUser accepted a duplicate ID")
	}
	if err := srv.UpdateUser("nope", func(*User) {}); err == nil {
		t.Error("UpdateUser accepted an unknown ID")
	}
}
