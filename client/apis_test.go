package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/users"
	"github.com/dsgo/docusign/gen/monitor"
)

func TestGeneratedClientsAreBoundToTheEnvironmentAndAuthenticated(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := staticTokenClient(t, srv.URL)
	ctx := context.Background()
	u, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.ListUsersWithResponse(ctx, "acct", nil); err != nil {
		t.Fatal(err)
	}
	a, err := client.Admin(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetOrganizationsWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	m, err := client.Monitor(ctx, c, monitor.NewClientWithResponses, monitor.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.GetStreamWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/restapi/v2.1/accounts/acct/users Bearer tok",
		"/management/v2/organizations Bearer tok",
		"/api/v2.0/datasets/monitor/stream Bearer tok",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestAMissingAPIURLIsAClearError(t *testing.T) {
	env := client.Environment{Name: "partial", OAuthURL: "https://account-d.docusign.com"}
	c, err := client.New(client.WithEnvironment(env),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)})))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Admin(context.Background(), c, admin.NewClientWithResponses, admin.WithHTTPClient)
	if err == nil || !strings.Contains(err.Error(), "no Admin URL") {
		t.Fatalf("got %v", err)
	}
}

func TestBindingAPackageOfAnotherAPIIsRefused(t *testing.T) {
	env := client.Environment{Name: "test", OAuthURL: "https://o.example", ESignatureURL: "https://e.example/restapi", AdminURL: "https://a.example/management", MonitorURL: "https://m.example"}
	c, err := client.New(client.WithEnvironment(env),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)})))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["eSignature package to Admin"] = client.Admin(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	_, checks["Monitor package to Admin"] = client.Admin(ctx, c, monitor.NewClientWithResponses, monitor.WithHTTPClient)
	_, checks["Admin package to eSignature"] = client.ESignature(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
	_, checks["Admin package to Monitor"] = client.Monitor(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
	for name, err := range checks {
		if !errors.Is(err, client.ErrWrongAPI) {
			t.Errorf("%s: got %v, want ErrWrongAPI", name, err)
		}
	}
}

func TestClientRateReflectsTheLatestResponse(t *testing.T) {
	srv := docusigntest.NewServer(docusigntest.WithRateLimit(1000, 50))
	defer srv.Close()
	in := srv.NewIntegration()
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID), client.WithPrivateKey(in.PrivateKeyPEM()))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Rate().IsZero() {
		t.Fatalf("rate before any call: %v", c.Rate())
	}
	ctx := context.Background()
	u, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := c.AccountID(ctx)
	for i := 0; i < 3; i++ {
		if _, err := u.ListUsersWithResponse(ctx, acct, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := c.Rate()
	if r.Limit != 1000 || r.Remaining != 997 || r.BurstLimit != 50 {
		t.Errorf("rate after three calls: %+v", r)
	}
}

func TestGeneratedClientsRefuseAnOversizedJSONAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"users":[` + strings.Repeat(`{"userName":"xxxxxxxxxxxxxxxx"},`, 200) + `{}]}`))
	}))
	defer srv.Close()
	c := staticTokenClient(t, srv.URL, client.WithMaxJSONBody(1000))
	ctx := context.Background()
	u, err := client.ESignature(ctx, c, users.NewClientWithResponses, users.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.ListUsersWithResponse(ctx, "acct", nil)
	var de *client.DecodeError
	if !errors.Is(err, client.ErrBodyTooLarge) || !errors.As(err, &de) {
		t.Fatalf("ListUsersWithResponse error %v, want a *DecodeError matching ErrBodyTooLarge", err)
	}
}

// staticTokenClient is a Client for a test server at base (OAuth at base,
// eSignature at base/restapi, Admin at base/management, Monitor at base)
// that sends the fixed token "tok".
func staticTokenClient(t *testing.T, base string, opts ...client.Option) *client.Client {
	t.Helper()
	env := client.Environment{Name: "test", OAuthURL: base, ESignatureURL: base + "/restapi", AdminURL: base + "/management", MonitorURL: base}
	c, err := client.New(append([]client.Option{client.WithEnvironment(env),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "tok", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
