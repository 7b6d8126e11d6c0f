package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

const streamPath = "/api/v2.0/datasets/monitor/stream"

// fakeClient starts a fake DocuSign and a Client authenticated against it
// (JWT grant, all scopes, the fake's organization).
func fakeClient(t testing.TB, opts ...docusigntest.Option) (*docusigntest.Server, *client.Client) {
	t.Helper()
	srv := docusigntest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, fakeClientFor(t, srv)
}

// fakeClientFor is a new Client authenticated against srv (as a new process
// would be), with extra options.
func fakeClientFor(t testing.TB, srv *docusigntest.Server, extra ...client.Option) *client.Client {
	t.Helper()
	in := srv.NewIntegration()
	opts := append([]client.Option{
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()),
		client.WithScopes(in.Scopes...),
		client.WithOrganizationID(srv.OrgID()),
		// Retries of 429/503 happen without sitting out Retry-After.
		client.WithRetry(client.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}),
	}, extra...)
	c, err := client.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eventIndex maps the fake's event ids to stream positions.
func eventIndex(srv *docusigntest.Server) map[string]int {
	idx := make(map[string]int, srv.MonitorEventCount())
	for i := range srv.MonitorEventCount() {
		idx[srv.MonitorEvent(i).EventID] = i
	}
	return idx
}

// requireStream fails unless got lists positions 0..n-1 in order.
func requireStream(t testing.TB, got []int, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d events, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d is stream position %d: events lost or repeated", i, v)
		}
	}
}

func drainMonitor(t testing.TB, p *client.Pager[client.Event], idx map[string]int) []int {
	t.Helper()
	var got []int
	for e, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		i, ok := idx[e.EventID]
		if !ok {
			t.Fatalf("unknown event id %q", e.EventID)
		}
		got = append(got, i)
	}
	return got
}

func TestFakeMonitorDeliversEveryEventExactlyOnce(t *testing.T) {
	const limit = 25
	for _, n := range []int{0, 1, limit - 1, limit, limit + 1, 10 * limit} {
		t.Run(fmt.Sprintf("%d events", n), func(t *testing.T) {
			srv, c := fakeClient(t, docusigntest.WithEvents(n), docusigntest.WithUsers(20))
			p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			requireStream(t, drainMonitor(t, p, eventIndex(srv)), n)
		})
	}
}

func TestFakeMonitorTypedFieldsMatchTheServer(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEvents(30), docusigntest.WithUsers(20))
	i := 0
	for e, err := range c.MonitorEvents(context.Background(), client.MonitorEventsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		want := srv.MonitorEvent(i)
		if e.EventID != want.EventID || !e.Timestamp.Equal(want.Timestamp) || e.UserID != want.UserID ||
			e.AccountID != want.AccountID || e.OrganizationID != want.OrganizationID || e.Object != want.Object ||
			e.Action != want.Action || e.Result != want.Result || e.Source != want.Source {
			t.Fatalf("event %d = %+v\nwant %+v", i, e, want)
		}
		if len(e.Raw) == 0 || e.Raw[0] != '{' {
			t.Fatalf("event %d has no raw JSON", i)
		}
		i++
	}
	if i != 30 {
		t.Fatalf("%d events, want 30", i)
	}
}

func TestFakeMonitorResumesAtEveryOffsetOfAPage(t *testing.T) {
	const limit = 12
	srv, c := fakeClient(t, docusigntest.WithEvents(3*limit+5), docusigntest.WithUsers(20))
	idx := eventIndex(srv)
	n := srv.MonitorEventCount()
	for k := limit; k <= 2*limit; k++ { // every offset of the second page, both ends included
		p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var first []int
		var saved string
		for e, err := range p.All(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			first = append(first, idx[e.EventID])
			if len(first) == k {
				saved = p.Checkpoint().String() // a collector persists this, then dies
				break
			}
		}
		cp, err := client.ParseCheckpoint(saved)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: cp, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		requireStream(t, append(first, drainMonitor(t, p2, idx)...), n)
	}
}

func TestFakeMonitorFaultsBetweenPagesLoseAndRepeatNothing(t *testing.T) {
	faults := map[string]docusigntest.Fault{
		"429":             {Status: http.StatusTooManyRequests},
		"500":             {Status: http.StatusInternalServerError},
		"502 HTML":        {HTML: true},
		"truncated body":  {Truncate: true},
		"malformed body":  {Malformed: true},
		"dropped":         {DropConnection: true},
		"slow then fine":  {Delay: 20 * time.Millisecond},
		"token rejected":  {},
		"two 503s in row": {Status: http.StatusServiceUnavailable, Count: 2},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			srv, c := fakeClient(t, docusigntest.WithEvents(95), docusigntest.WithUsers(20))
			idx := eventIndex(srv)
			p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			var errs []error
			var injected *docusigntest.InjectedFault
			tokensBefore := srv.TokenRequests()
			for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
				for e, err := range p.All(context.Background()) {
					if err != nil {
						errs = append(errs, err)
						break
					}
					got = append(got, idx[e.EventID])
					if len(got) == 30 { // right after a page boundary
						if name == "token rejected" {
							srv.InvalidateTokens()
						} else {
							f := fault
							f.PathPrefix = streamPath
							injected = srv.InjectFault(f)
						}
					}
				}
			}
			requireStream(t, got, 95)
			// The fault must have happened for the test to mean anything.
			switch want := max(fault.Count, 1); {
			case name == "token rejected":
				if srv.TokenRequests() == tokensBefore {
					t.Error("the invalidated token was never replaced: the rejection did not happen")
				}
			case injected == nil || injected.Fired() != want:
				t.Errorf("the injected fault fired %d times, want %d", firedCount(injected), want)
			}
			t.Logf("errors surfaced and retried: %v", errs)
		})
	}
}

func TestFakeMonitorEmptyPageKeepsTheCursor(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEvents(20), docusigntest.WithUsers(20))
	idx := eventIndex(srv)
	p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	requireStream(t, drainMonitor(t, p, idx), 20)
	reqs := srv.RequestsTo(streamPath)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 2 full pages and 1 empty", len(reqs))
	}
	emptyCursor := reqs[2].Query.Get("cursor")
	if emptyCursor == "" || p.Checkpoint().Cursor() != emptyCursor {
		t.Fatalf("checkpoint cursor %q after the empty page, want the cursor it was fetched with (%q)", p.Checkpoint().Cursor(), emptyCursor)
	}
	// A minute later, the next run resumes from the same cursor and gets
	// exactly the new events.
	srv.Advance(time.Minute)
	srv.AppendEvents(7)
	p2, err := c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: p.Checkpoint(), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	idx = eventIndex(srv)
	if got := drainMonitor(t, p2, idx); !slices.Equal(got, []int{20, 21, 22, 23, 24, 25, 26}) {
		t.Fatalf("next run got %v", got)
	}
	if got := srv.RequestsTo(streamPath)[3].Query.Get("cursor"); got != emptyCursor {
		t.Fatalf("next run asked for cursor %q, want %q", got, emptyCursor)
	}
}

func TestFakeMonitorFollowPicksUpAppendedEvents(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEvents(15), docusigntest.WithUsers(20))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ids []string
	for e, err := range c.MonitorEvents(ctx, client.MonitorEventsOptions{Limit: 10, Follow: true, PollInterval: 5 * time.Millisecond}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.EventID)
		switch len(ids) {
		case 15:
			go func() {
				srv.Advance(time.Second)
				srv.AppendEvents(12)
			}()
		case 27:
			cancel()
		}
	}
	idx := eventIndex(srv)
	var got []int
	for _, id := range ids {
		got = append(got, idx[id])
	}
	requireStream(t, got, 27)
}

func TestFakeMonitorStartsAtATime(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEvents(40), docusigntest.WithUsers(20))
	since := srv.MonitorEvent(17).Timestamp
	var first string
	for e, err := range c.MonitorEvents(context.Background(), client.MonitorEventsOptions{Since: since}) {
		if err != nil {
			t.Fatal(err)
		}
		first = e.EventID
		break
	}
	if want := srv.MonitorEvent(srv.MonitorIndexAt(since)).EventID; first != want {
		t.Fatalf("first event %s, want %s (the first at or after %v)", first, want, since)
	}
}

// orgUserIDs lists, in the fake's order, the users the Admin listing of
// account returns.
func accountMembers(srv *docusigntest.Server, account string) []string {
	var ids []string
	for _, u := range srv.Users() {
		if slices.Contains(u.AccountIDs, account) {
			ids = append(ids, strings.ToLower(u.ID))
		}
	}
	return ids
}

func requireSameSet(t testing.TB, got, want []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Fatalf("%s yielded twice", id)
		}
		seen[id] = true
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for _, id := range want {
		if !seen[id] {
			t.Fatalf("%s missing", id)
		}
	}
}

func TestFakeOrgUsersListsEveryMemberExactlyOnceAcrossRestarts(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithUsers(700), docusigntest.WithAccounts(2))
	acct := srv.DefaultAccountID()
	want := accountMembers(srv, acct)
	if len(want) < 251 {
		t.Fatalf("fixture has only %d members; need more than one page", len(want))
	}
	// Stop after 3, 250, 251 and 400 users, persisting the checkpoint each time.
	var got []string
	cp := client.Checkpoint{}
	for _, stopAt := range []int{3, 250, 251, 400, -1} {
		p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: acct, Checkpoint: cp})
		if err != nil {
			t.Fatal(err)
		}
		for u, err := range p.All(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, strings.ToLower(u.ID))
			if len(got) == stopAt {
				break
			}
		}
		text, _ := p.Checkpoint().MarshalText()
		if err := cp.UnmarshalText(text); err != nil {
			t.Fatal(err)
		}
	}
	if !cp.Done() {
		t.Fatal("the final checkpoint is not done")
	}
	requireSameSet(t, got, want)
	for _, r := range srv.RequestsTo("/management/") {
		if r.Query.Get("account_id") != acct {
			t.Fatalf("request %s?%s lost the account filter", r.Path, r.RawQuery)
		}
	}
}

func TestFakeOrgUsersSurviveFaults(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithUsers(300))
	acct := srv.DefaultAccountID()
	// Pages of 20: when the faults are injected (after 40, 80 and 120
	// users) the pager has read one page ahead, and requests remain for
	// every fault to meet.
	p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: acct, Take: 20})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(accountMembers(srv, acct)); n <= 140 {
		t.Fatalf("the fixture's account has %d members; the last fault needs more than 140", n)
	}
	var got []string
	var throttled, truncated *docusigntest.InjectedFault
	tokensBefore := -1
	for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
		for u, err := range p.All(context.Background()) {
			if err != nil {
				break
			}
			got = append(got, strings.ToLower(u.ID))
			switch len(got) {
			case 40:
				throttled = srv.InjectFault(docusigntest.Fault{PathPrefix: "/management/", Status: 429})
			case 80:
				truncated = srv.InjectFault(docusigntest.Fault{PathPrefix: "/management/", Truncate: true})
			case 120:
				tokensBefore = srv.TokenRequests()
				srv.InvalidateTokens()
			}
		}
	}
	requireSameSet(t, got, accountMembers(srv, acct))
	// Each fault must have happened for the test to mean anything.
	if firedCount(throttled) != 1 || firedCount(truncated) != 1 {
		t.Errorf("the 429 fired %d times and the truncation %d, want 1 each", firedCount(throttled), firedCount(truncated))
	}
	if tokensBefore < 0 || srv.TokenRequests() == tokensBefore {
		t.Error("the invalidated token was never replaced: the rejection did not happen")
	}
}

// firedCount is how often f fired; 0 when it was never injected.
func firedCount(f *docusigntest.InjectedFault) int {
	if f == nil {
		return 0
	}
	return f.Fired()
}

func TestFakeAccountUsersAndEnrichment(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithUsers(260))
	acct := srv.DefaultAccountID()
	var got []string
	for u, err := range c.AccountUsers(context.Background(), client.AccountUsersOptions{Count: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.ToLower(u.UserID))
	}
	requireSameSet(t, got, accountMembers(srv, acct))

	p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: acct, Take: 30})
	if err != nil {
		t.Fatal(err)
	}
	page, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	enriched, err := c.EnrichOrgUsers(context.Background(), page.Items, client.EnrichOptions{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range enriched {
		u, _ := srv.User(e.User.ID)
		if e.ESign == nil || e.ESign.UserID != page.Items[i].ID {
			t.Fatalf("user %d: %+v", i, e)
		}
		if want := u.Modified.UTC().Truncate(time.Second); !e.ModifiedDate().Equal(want) {
			t.Fatalf("user %d modified %v, want %v", i, e.ModifiedDate(), want)
		}
	}
}

func TestFakeEnvelopeStatusChanges(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEnvelopes(230), docusigntest.WithUsers(20))
	acct := srv.DefaultAccountID()
	var want []string
	for _, e := range srv.Envelopes(acct) {
		want = append(want, e.ID)
	}
	var got []string
	opts := client.EnvelopeStatusChangesOptions{FromDate: srv.Now().AddDate(-5, 0, 0), ToDate: srv.Now().Add(time.Minute), Count: 100}
	for e, err := range c.EnvelopeStatusChanges(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.EnvelopeID)
	}
	requireSameSet(t, got, want)
}

func TestFakeMonitorMissingCursorIsAnError(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithEvents(5), docusigntest.WithUsers(20))
	srv.InjectFault(docusigntest.Fault{PathPrefix: streamPath, Status: 200, Body: `{"data":[{"eventId":"x"}]}`})
	var err error
	for _, err = range c.MonitorEvents(context.Background(), client.MonitorEventsOptions{}) {
		if err != nil {
			break
		}
	}
	if !errors.Is(err, client.ErrMissingEndCursor) {
		t.Fatalf("error = %v, want ErrMissingEndCursor", err)
	}
}

// BenchmarkMonitorFake measures the whole path against the fake DocuSign:
// authenticated requests, 2000-event pages rendered by the fake, decode
// into Event with Raw kept.
func BenchmarkMonitorFake(b *testing.B) {
	srv, c := fakeClient(b, docusigntest.WithEvents(100_000), docusigntest.WithUsers(50))
	newPager := func() *client.Pager[client.Event] {
		p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Follow: true, Limit: 2000, Cursor: srv.MonitorCursor(0)})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	p := newPager()
	ctx := context.Background()
	events, pos := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if pos+2000 > srv.MonitorEventCount() {
			p, pos = newPager(), 0 // start over rather than poll an exhausted stream
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		events += len(page.Items)
		pos += len(page.Items)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkOrgUsersFake measures listing organization users against the
// fake DocuSign: 250-user Admin pages requested, decoded into OrgUser with
// Raw kept, and fingerprinted.
func BenchmarkOrgUsersFake(b *testing.B) {
	srv, c := fakeClient(b, docusigntest.WithUsers(5000), docusigntest.WithAccounts(1), docusigntest.WithEvents(10))
	ctx := context.Background()
	var p *client.Pager[client.OrgUser]
	users := 0
	b.ReportAllocs()
	for b.Loop() {
		if p == nil || !p.HasMorePages() {
			var err error
			if p, err = c.OrgUsersPager(client.OrgUsersOptions{AccountID: srv.DefaultAccountID(), Take: 250}); err != nil {
				b.Fatal(err)
			}
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		users += len(page.Items)
	}
	b.ReportMetric(float64(users)/b.Elapsed().Seconds(), "users/s")
	b.ReportMetric(0, "ns/op")
}
