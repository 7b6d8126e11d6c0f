package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/gen/esignature/users"
)

// maxIdleConnsPerHost matches the library's own transport default, so the
// client given with WithHTTPClient (needed only to trust the fake's
// certificate) keeps connections the way the library would.
const maxIdleConnsPerHost = 16

// clientOptions are added to every Client the worker builds (-serial turns
// the pagers' read-ahead off).
var clientOptions []client.Option

// adminScopes are the scopes the Admin workload asks for, as worker.js does.
var adminScopes = []string{client.ScopeSignature, client.ScopeImpersonation, client.ScopeOrganizationRead, client.ScopeUserRead}

// Run runs one workload against the servers s names and returns its
// result.
func Run(ctx context.Context, workload string, s benchenv.Settings) (benchenv.Result, error) {
	switch workload {
	case benchenv.Monitor:
		return runMonitor(ctx, s)
	case benchenv.Admin:
		return runAdmin(ctx, s)
	case benchenv.Auth:
		return runAuth(ctx, s)
	case benchenv.ESign:
		return runESign(ctx, s)
	}
	return benchenv.Result{}, fmt.Errorf("unknown workload %q: want one of %v", workload, benchenv.Workloads)
}

// httpClient returns an HTTP client trusting the certificate in caFile (the
// system roots when caFile is empty).
func httpClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = maxIdleConnsPerHost
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: tr}, nil
}

// newClient builds a Client for the JWT grant as the README shows, with
// the in-memory token cache (the default) so every run starts with no
// token.
func newClient(s benchenv.Settings, scopes ...string) (*client.Client, error) {
	hc, err := httpClient(s.CAFile)
	if err != nil {
		return nil, err
	}
	env := client.Environment{
		Name:          "bench-fake",
		OAuthURL:      "https://" + s.OAuthHost,
		ESignatureURL: s.ESignURL,
		AdminURL:      s.AdminURL,
		MonitorURL:    s.MonitorURL,
		Sandbox:       true,
	}
	opts := []client.Option{
		client.WithEnvironment(env),
		client.WithIntegrationKey(s.IntegrationKey),
		client.WithUserID(s.UserID),
		client.WithPrivateKeyFile(s.PrivateKeyFile),
		client.WithAccountID(s.AccountID),
		client.WithOrganizationID(s.OrgID),
		client.WithHTTPClient(hc),
	}
	if len(scopes) > 0 {
		opts = append(opts, client.WithScopes(scopes...))
	}
	return client.New(append(opts, clientOptions...)...)
}

// runMonitor drains the stream (N pages of 2000 events, then the empty page
// that ends a drain) with MonitorEventsPager's Pages, every event decoded
// into client.Event with its raw JSON kept, spending s.Work after each page
// with events. The token is fetched before the clock starts, as worker.js
// does.
func runMonitor(ctx context.Context, s benchenv.Settings) (benchenv.Result, error) {
	c, err := newClient(s)
	if err != nil {
		return benchenv.Result{}, err
	}
	if _, err := c.Token(ctx); err != nil {
		return benchenv.Result{}, err
	}
	p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Limit: benchenv.MonitorPageSize})
	if err != nil {
		return benchenv.Result{}, err
	}
	res := benchenv.Result{Workload: benchenv.Monitor}
	start := time.Now()
	for pg, err := range p.Pages(ctx) {
		if err != nil {
			return res, err
		}
		res.Requests++
		for i := range pg.Items {
			if err := checkEvent(&pg.Items[i]); err != nil {
				return res, fmt.Errorf("page %d, event %d: %w", res.Requests, i, err)
			}
		}
		res.Events += len(pg.Items)
		consume(len(pg.Items), s.Work)
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(res.Events) / res.Seconds
	return res, nil
}

// checkEvent makes sure an event really was decoded: typed fields set and
// the raw JSON kept.
func checkEvent(e *client.Event) error {
	switch {
	case e.EventID == "":
		return errors.New("no EventID")
	case e.Timestamp.IsZero():
		return errors.New("no Timestamp")
	case len(e.Raw) < 2 || e.Raw[0] != '{' || e.Raw[len(e.Raw)-1] != '}':
		return errors.New("Raw does not hold the event object")
	}
	return nil
}

// consume stands for the collector's work on a page of n records: waiting
// work (a write to a SIEM or a queue) after each page that has records.
func consume(n int, work time.Duration) {
	if n > 0 && work > 0 {
		time.Sleep(work)
	}
}

// runAdmin lists the organization's users with OrgUsersPager's Pages, 250 a
// page, spending s.Work after each page.
func runAdmin(ctx context.Context, s benchenv.Settings) (benchenv.Result, error) {
	c, err := newClient(s, adminScopes...)
	if err != nil {
		return benchenv.Result{}, err
	}
	if _, err := c.Token(ctx); err != nil {
		return benchenv.Result{}, err
	}
	p, err := c.OrgUsersPager(client.OrgUsersOptions{OrganizationID: s.OrgID, AccountID: s.AccountID, Take: benchenv.AdminPageSize})
	if err != nil {
		return benchenv.Result{}, err
	}
	res := benchenv.Result{Workload: benchenv.Admin}
	start := time.Now()
	for pg, err := range p.Pages(ctx) {
		if err != nil {
			return res, err
		}
		res.Requests++
		for i := range pg.Items {
			if pg.Items[i].ID == "" || len(pg.Items[i].Raw) == 0 {
				return res, fmt.Errorf("page %d, user %d was not decoded", res.Requests, i)
			}
		}
		res.Users += len(pg.Items)
		consume(len(pg.Items), s.Work)
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(res.Users) / res.Seconds
	return res, nil
}

// runAuth makes N concurrent eSignature get-user calls through one Client
// that has no token yet: the clock includes getting the token.
func runAuth(ctx context.Context, s benchenv.Settings) (benchenv.Result, error) {
	c, err := newClient(s)
	if err != nil {
		return benchenv.Result{}, err
	}
	uc, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	if err != nil {
		return benchenv.Result{}, err
	}
	res := benchenv.Result{Workload: benchenv.Auth, Calls: s.N}
	errs := make([]error, s.N)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range s.N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = getUser(ctx, uc, s)
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(s.N) / res.Seconds
	return res, errors.Join(errs...)
}

// runESign makes N sequential eSignature get-user calls.
func runESign(ctx context.Context, s benchenv.Settings) (benchenv.Result, error) {
	c, err := newClient(s)
	if err != nil {
		return benchenv.Result{}, err
	}
	uc, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	if err != nil {
		return benchenv.Result{}, err
	}
	if _, err := c.Token(ctx); err != nil {
		return benchenv.Result{}, err
	}
	res := benchenv.Result{Workload: benchenv.ESign, Calls: s.N}
	start := time.Now()
	for range s.N {
		if err := getUser(ctx, uc, s); err != nil {
			return res, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(s.N) / res.Seconds
	return res, nil
}

// getUser is one eSignature Users:getInformation call, decoded into the
// generated model.
func getUser(ctx context.Context, uc *users.ClientWithResponses, s benchenv.Settings) error {
	resp, err := uc.GetInformationWithResponse(ctx, s.AccountID, s.UserID, nil)
	if err != nil {
		return err
	}
	if resp.JSON200 == nil {
		return fmt.Errorf("get user: HTTP %d without a decoded body", resp.StatusCode())
	}
	return nil
}
