package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultEnrichConcurrency is how many user lookups EnrichOrgUsers runs
	// at once when EnrichOptions.Concurrency is 0.
	DefaultEnrichConcurrency = 4
	maxEnrichConcurrency     = 16
	// DefaultEnrichLowRemaining is the hourly budget left
	// (X-RateLimit-Remaining) below which EnrichOrgUsers paces its requests.
	DefaultEnrichLowRemaining = 100
)

// EnrichOptions configures EnrichOrgUsers.
type EnrichOptions struct {
	// AccountID is the eSignature account to look users up in; empty means
	// the client's account.
	AccountID string
	// Concurrency is the number of lookups in flight, 1 to 16; 0 means
	// DefaultEnrichConcurrency.
	Concurrency int
	// LowRemaining is the hourly budget left below which requests are
	// spread evenly until the budget resets (and, unless the client paces
	// bursts itself with WithPacing, the burst budget is respected
	// likewise); 0 means DefaultEnrichLowRemaining, negative disables
	// pacing. The budget is the one DocuSign reported to the client.
	LowRemaining int
}

func (o EnrichOptions) validate() error {
	if o.Concurrency < 0 || o.Concurrency > maxEnrichConcurrency {
		return fieldErr("EnrichOptions.Concurrency", "%d is out of range: use 1 to %d, or 0 for %d", o.Concurrency, maxEnrichConcurrency, DefaultEnrichConcurrency)
	}
	return nil
}

// EnrichedUser is an Admin organization user with the user's eSignature
// details in one account.
type EnrichedUser struct {
	// User is the Admin record.
	User OrgUser
	// ESign holds the eSignature details, nil when the user is not a
	// member of the account or the lookup failed.
	ESign *ESignatureUser
	// Err is the lookup's failure; nil when found or not a member.
	Err error
}

// ModifiedDate is userSettings.modifiedDate from the eSignature details
// (zero without them): the last change to the user's settings.
func (e EnrichedUser) ModifiedDate() time.Time {
	if e.ESign == nil {
		return time.Time{}
	}
	return e.ESign.ModifiedDate
}

// EnrichOrgUsers looks up the eSignature details (user settings,
// permission profile, userSettings.modifiedDate, ...) of each Admin user,
// typically one page from OrgUsersPager at a time so the page's checkpoint
// stays valid. Lookups run concurrently (EnrichOptions.Concurrency) and slow
// down when DocuSign's rate headers say the budget is low. Results keep the
// order of users; a user who is not a member of the account gets a nil
// ESign and no error. The returned error joins the failed lookups, or is
// ctx's error if it ended first.
func (c *Client) EnrichOrgUsers(ctx context.Context, users []OrgUser, opts EnrichOptions) ([]EnrichedUser, error) {
	return enrichOrgUsers(ctx, c.esignConn(), users, opts)
}

// ESignatureUser fetches one user's eSignature details in an account (empty
// accountID: the client's account).
func (c *Client) ESignatureUser(ctx context.Context, accountID, userID string) (ESignatureUser, error) {
	if accountID == "" {
		var err error
		if accountID, err = c.AccountID(ctx); err != nil {
			return ESignatureUser{}, err
		}
	}
	base, err := c.ESignatureURL(ctx)
	if err != nil {
		return ESignatureUser{}, err
	}
	return lookupESignUser(ctx, &pageGetter{do: c}, base, accountID, userID)
}

// enrichOrgUsers looks up every user's eSignature details with bounded
// concurrency, pacing itself by the client's rate state (c.rates) when the
// budget runs low. Results are in the order of users. The error joins
// every failed lookup (a user who is not a member of the account is not a
// failure), or is the context's error when ctx ends first.
func enrichOrgUsers(ctx context.Context, c esignConn, users []OrgUser, o EnrichOptions) ([]EnrichedUser, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	workers := o.Concurrency
	if workers == 0 {
		workers = DefaultEnrichConcurrency
	}
	low := o.LowRemaining
	if low == 0 {
		low = DefaultEnrichLowRemaining
	}
	acct := o.AccountID
	if acct == "" {
		var err error
		if acct, err = c.account(ctx); err != nil {
			return nil, fmt.Errorf("docusign: EnrichOptions.AccountID defaults to the client's account: %w", err)
		}
	}
	base, err := c.base(ctx)
	if err != nil {
		return nil, err
	}
	var host string // the rate state is kept per host
	if u, err := url.Parse(base); err == nil {
		host = u.Host
	}
	out := make([]EnrichedUser, len(users))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(users), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := pageGetter{do: c.do}
			for i := range jobs {
				out[i].User = users[i]
				if low > 0 {
					if err := c.rates.awaitBudget(ctx, host, low); err != nil {
						out[i].Err = err
						continue
					}
				}
				u, err := lookupESignUser(ctx, &g, base, acct, users[i].ID)
				switch {
				case err == nil:
					out[i].ESign = &u
				case !isUserNotFound(err):
					out[i].Err = err
				}
			}
		}()
	}
	var ctxErr error
dispatch:
	for i := range users {
		select {
		case jobs <- i:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			for j := i; j < len(users); j++ {
				out[j] = EnrichedUser{User: users[j], Err: ctxErr}
			}
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
	if ctxErr == nil {
		ctxErr = ctx.Err() // ended while the last lookups were in flight
	}
	if ctxErr != nil {
		return out, ctxErr
	}
	var errs []error
	for _, r := range out {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("user %s: %w", r.User.ID, r.Err))
		}
	}
	return out, errors.Join(errs...)
}

// lookupESignUser fetches GET {base}/v2.1/accounts/{acct}/users/{id}.
func lookupESignUser(ctx context.Context, g *pageGetter, base, acct, id string) (ESignatureUser, error) {
	if id == "" {
		return ESignatureUser{}, errors.New("docusign: user has no id")
	}
	u := strings.TrimRight(base, "/") + "/v2.1/accounts/" + url.PathEscape(acct) + "/users/" + url.PathEscape(id)
	var user ESignatureUser
	err := g.getPage(ctx, u, func(body []byte, _ bodyMeta) error { return json.Unmarshal(body, &user) })
	if err != nil {
		return ESignatureUser{}, fmt.Errorf("docusign: eSignature user %s in account %s: %w", id, acct, err)
	}
	return user, nil
}

// isUserNotFound reports a lookup of a user who is not in the account: HTTP
// 404, or eSignature's USER_DOES_NOT_EXIST_IN_SYSTEM / USER_NOT_FOUND codes
// (which it may send with a 400).
func isUserNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Code {
		case "USER_DOES_NOT_EXIST_IN_SYSTEM", "USER_NOT_FOUND":
			return true
		}
	}
	return false
}
