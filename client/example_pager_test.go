package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// exampleClient starts a fake DocuSign and a Client for it. A real program
// builds its Client with client.New and its own environment and key.
func exampleClient(opts ...docusigntest.Option) (*docusigntest.Server, *client.Client) {
	return exampleClientWith(opts)
}

// exampleClientWith is exampleClient with client options added.
func exampleClientWith(srvOpts []docusigntest.Option, opts ...client.Option) (*docusigntest.Server, *client.Client) {
	srv := docusigntest.NewServer(srvOpts...)
	in := srv.NewIntegration()
	c, err := client.New(append([]client.Option{
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()),
		client.WithScopes(in.Scopes...),
		client.WithOrganizationID(srv.OrgID()),
	}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

// Read every Monitor audit event available now (drain mode). With Follow
// set, the loop would keep polling until ctx is cancelled.
func ExampleClient_MonitorEvents() {
	srv, c := exampleClient(docusigntest.WithEvents(4500))
	defer srv.Close()

	n := 0
	for ev, err := range c.MonitorEvents(context.Background(), client.MonitorEventsOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		_ = ev.Raw // forward the event exactly as DocuSign sent it
		n++
	}
	fmt.Println(n, "events")
	// Output: 4500 events
}

// A collector that runs every minute: it resumes from the checkpoint saved
// by the previous run, processes page by page, and saves the checkpoint
// after each page. A crash between processing and saving repeats at most
// that page; Page.Checkpoint(k) narrows that to a single event. Pages reads
// the next page ahead while the loop body processes one (WithReadAhead).
func ExampleClient_MonitorEventsPager() {
	srv, c := exampleClient(docusigntest.WithEvents(3000))
	defer srv.Close()
	ctx := context.Background()

	saved := "" // in real life: a file, a database row, a KV entry
	run := func() int {
		cp, err := client.ParseCheckpoint(saved)
		if err != nil {
			log.Fatal(err)
		}
		p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: cp})
		if err != nil {
			log.Fatal(err)
		}
		n := 0
		for page, err := range p.Pages(ctx) {
			if err != nil {
				log.Fatal(err) // the next run retries from the saved checkpoint
			}
			n += len(page.Items) // process (e.g. send to the SIEM)
			saved = p.Checkpoint().String()
		}
		return n
	}

	fmt.Println("first run:", run())
	srv.Advance(time.Minute)
	srv.AppendEvents(250)
	fmt.Println("second run:", run())
	fmt.Println("third run:", run())
	// Output:
	// first run: 3000
	// second run: 250
	// third run: 0
}

// Stop in the middle of a page and resume exactly after the last event
// processed.
func ExamplePager_Checkpoint() {
	srv, c := exampleClient(docusigntest.WithEvents(10))
	defer srv.Close()
	ctx := context.Background()

	p, _ := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 4})
	var first []string
	for ev, err := range p.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		first = append(first, ev.EventID)
		if len(first) == 6 {
			break // e.g. the process is told to stop
		}
	}
	cp := p.Checkpoint() // includes the sixth event

	p2, _ := c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: cp, Limit: 4})
	rest := 0
	for _, err := range p2.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		rest++
	}
	fmt.Printf("%d + %d events, offset %d in the page\n", len(first), rest, cp.Offset())
	// Output: 6 + 4 events, offset 2 in the page
}

// List the users of the organization who belong to an account.
func ExampleClient_OrgUsers() {
	srv, c := exampleClient(docusigntest.WithUsers(600), docusigntest.WithAccounts(1))
	defer srv.Close()

	n := 0
	for _, err := range c.OrgUsers(context.Background(), client.OrgUsersOptions{AccountID: srv.DefaultAccountID()}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "users")
	// Output: 600 users
}

// Add each Admin user's eSignature details, a page at a time, so the
// page's checkpoint stays the unit of progress.
func ExampleClient_EnrichOrgUsers() {
	srv, c := exampleClient(docusigntest.WithUsers(40), docusigntest.WithAccounts(1))
	defer srv.Close()
	ctx := context.Background()

	p, err := c.OrgUsersPager(client.OrgUsersOptions{Take: 25})
	if err != nil {
		log.Fatal(err)
	}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			log.Fatal(err)
		}
		users, err := c.EnrichOrgUsers(ctx, page.Items, client.EnrichOptions{Concurrency: 4})
		if err != nil {
			log.Fatal(err)
		}
		withDetails := 0
		for _, u := range users {
			if u.ESign != nil && !u.ModifiedDate().IsZero() {
				withDetails++
			}
		}
		fmt.Printf("page of %d users, %d with eSignature details\n", len(users), withDetails)
	}
	// Output:
	// page of 25 users, 25 with eSignature details
	// page of 15 users, 15 with eSignature details
}

// List the users of the eSignature account, 100 per request.
func ExampleClient_AccountUsers() {
	srv, c := exampleClient(docusigntest.WithUsers(230), docusigntest.WithAccounts(1))
	defer srv.Close()

	n := 0
	for u, err := range c.AccountUsers(context.Background(), client.AccountUsersOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		_ = u.Email
		n++
	}
	fmt.Println(n, "users")
	// Output: 230 users
}

// Envelopes whose status changed in a window. Passing this run's ToDate as
// the next run's FromDate leaves no gap.
func ExampleClient_EnvelopeStatusChanges() {
	srv, c := exampleClient(docusigntest.WithEnvelopes(120))
	defer srv.Close()

	to := srv.Now()
	opts := client.EnvelopeStatusChangesOptions{FromDate: to.AddDate(-1, 0, 0), ToDate: to, Status: []string{"any"}}
	n := 0
	for _, err := range c.EnvelopeStatusChanges(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "envelopes")
	// Output: 120 envelopes
}

// Page through any start_position/count list with a record type of your
// own; here the account's users, decoded into a two-field struct.
func ExampleESignatureList() {
	srv, c := exampleClient(docusigntest.WithUsers(30), docusigntest.WithAccounts(1))
	defer srv.Close()

	type user struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	}
	p, err := client.ESignatureList[user](c, client.ESignatureListRequest{
		Kind:     "myusers",
		Path:     "/v2.1/accounts/{accountId}/users",
		ItemsKey: "users",
		IDKey:    "userId",
		Count:    10,
	})
	if err != nil {
		log.Fatal(err)
	}
	pages := 0
	for p.HasMorePages() {
		if _, err := p.NextPage(context.Background()); err != nil {
			log.Fatal(err)
		}
		pages++
	}
	fmt.Println(pages, "pages;", p.Checkpoint().Done())
	// Output: 3 pages; true
}

// A checkpoint from another listing, another library or a newer version is
// refused with a typed error rather than misread.
func ExampleParseCheckpoint() {
	_, err := client.ParseCheckpoint("dsgo2.monitor.eyJjdXJzb3IiOiJ4In0")
	fmt.Println(errors.Is(err, client.ErrInvalidCheckpoint))
	fmt.Println(err)
	// Output:
	// true
	// docusign: invalid checkpoint: version 2 is not supported (this library reads version 1)
}

// Read two pages ahead while each page is written somewhere slow; pages
// arrive in order, and the checkpoint after each page is exact.
func ExampleWithReadAhead() {
	srv, c := exampleClientWith([]docusigntest.Option{docusigntest.WithUsers(600)},
		client.WithReadAhead(2)) // 0 turns read-ahead off; the default is 1
	defer srv.Close()
	p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: srv.DefaultAccountID(), Take: 100})
	if err != nil {
		log.Fatal(err)
	}
	pages, users := 0, 0
	for page, err := range p.Pages(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		pages++
		users += len(page.Items) // write them downstream, then save p.Checkpoint()
	}
	fmt.Println(users > 0, pages > 1, p.Checkpoint().Done())
	// Output: true true true
}
