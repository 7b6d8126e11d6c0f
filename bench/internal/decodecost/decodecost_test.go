package decodecost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// pageSize is the Admin users page both sides ask for.
const pageSize = 250

// newFake starts a plain-HTTP fake with one page of users and a client for
// it, with a token already fetched.
func newFake(b *testing.B) (*docusigntest.Server, *client.Client) {
	b.Helper()
	srv := docusigntest.NewServer(docusigntest.WithUsers(pageSize), docusigntest.WithAccounts(1), docusigntest.WithEvents(20*2000))
	b.Cleanup(srv.Close)
	in := srv.NewIntegration()
	c, err := client.New(
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()),
		client.WithScopes(client.ScopeSignature, client.ScopeImpersonation, client.ScopeOrganizationRead, client.ScopeUserRead),
	)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	return srv, c
}

// usersPage fetches the raw body of the one page of users.
func usersPage(b *testing.B, srv *docusigntest.Server, c *client.Client) []byte {
	b.Helper()
	url := srv.Environment().AdminURL + "/v2/organizations/" + srv.OrgID() + "/users?take=250&account_id=" + srv.DefaultAccountID()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkOrgUsersPagePager is one 250-user page through OrgUsersPager:
// request, response, and the library's decoding into []client.OrgUser.
func BenchmarkOrgUsersPagePager(b *testing.B) {
	srv, c := newFake(b)
	ctx := context.Background()
	for b.Loop() {
		p, err := c.OrgUsersPager(client.OrgUsersOptions{OrganizationID: srv.OrgID(), AccountID: srv.DefaultAccountID(), Take: pageSize})
		if err != nil {
			b.Fatal(err)
		}
		pg, err := p.NextPage(ctx)
		if err != nil || len(pg.Items) != pageSize {
			b.Fatal(err, len(pg.Items))
		}
	}
	b.ReportMetric(float64(b.N*pageSize)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkOrgUsersPageTransport is the same request with the body read
// and not decoded: the pager's time minus this is decoding.
func BenchmarkOrgUsersPageTransport(b *testing.B) {
	srv, c := newFake(b)
	for b.Loop() {
		usersPage(b, srv, c)
	}
	b.ReportMetric(float64(b.N*pageSize)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkOrgUsersPageUnmarshalOnce decodes the page in a single
// json.Unmarshal into []client.OrgUser (the type's own UnmarshalJSON per
// user, Raw kept): one pass over the page instead of the pager's several.
func BenchmarkOrgUsersPageUnmarshalOnce(b *testing.B) {
	srv, c := newFake(b)
	body := usersPage(b, srv, c)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var page struct {
			Users  []client.OrgUser `json:"users"`
			Paging json.RawMessage  `json:"paging"`
		}
		if err := json.Unmarshal(body, &page); err != nil || len(page.Users) != pageSize {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*pageSize)/b.Elapsed().Seconds(), "users/s")
}

// plainUser has OrgUser's fields and no UnmarshalJSON: what encoding/json
// costs without the per-record re-validation and Raw copy.
type plainUser struct {
	ID                  string `json:"id"`
	UserName            string `json:"user_name"`
	FirstName           string `json:"first_name"`
	LastName            string `json:"last_name"`
	Email               string `json:"email"`
	UserStatus          string `json:"user_status"`
	MembershipStatus    string `json:"membership_status"`
	MembershipID        string `json:"membership_id"`
	IsManagedBySCIM     bool   `json:"is_managed_by_scim"`
	CreatedOn           string `json:"created_on"`
	ClosedOn            string `json:"closed_on"`
	MembershipCreatedOn string `json:"membership_created_on"`
	MembershipClosedOn  string `json:"membership_closed_on"`
	DefaultAccountID    string `json:"default_account_id"`
}

// BenchmarkOrgUsersPageUnmarshalPlain decodes the page into plain structs.
func BenchmarkOrgUsersPageUnmarshalPlain(b *testing.B) {
	srv, c := newFake(b)
	body := usersPage(b, srv, c)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var page struct {
			Users []plainUser `json:"users"`
		}
		if err := json.Unmarshal(body, &page); err != nil || len(page.Users) != pageSize {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*pageSize)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkMonitorPagePager is one 2000-event page through MonitorEventsPager,
// every event decoded into client.Event with Raw kept.
func BenchmarkMonitorPagePager(b *testing.B) {
	srv, c := newFake(b)
	ctx := context.Background()
	for b.Loop() {
		p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 2000, Cursor: srv.MonitorCursor(0)})
		if err != nil {
			b.Fatal(err)
		}
		pg, err := p.NextPage(ctx)
		if err != nil || len(pg.Items) != 2000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*2000)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMonitorPageTransport is the same request with the body read and
// not decoded.
func BenchmarkMonitorPageTransport(b *testing.B) {
	srv, c := newFake(b)
	url := srv.Environment().MonitorURL + "/api/v2.0/datasets/monitor/stream?limit=2000&cursor=" + srv.MonitorCursor(0)
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N*2000)/b.Elapsed().Seconds(), "events/s")
}
