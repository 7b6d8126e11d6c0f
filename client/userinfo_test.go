package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const userInfoJSON = `{
  "sub": "11111111-2222-4333-8444-555555555555",
  "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
  "email": "ada@example.com", "created": "2020-01-01T00:00:00.000Z",
  "accounts": [
    {"account_id": "aaaaaaaa-0000-4000-8000-000000000001", "is_default": false, "account_name": "Sales",
     "base_uri": "https://na3.docusign.net"},
    {"account_id": "aaaaaaaa-0000-4000-8000-000000000002", "is_default": "true", "account_name": "Legal",
     "base_uri": "https://eu.docusign.net/",
     "organization": {"organization_id": "bbbbbbbb-0000-4000-8000-000000000009",
       "links": [{"rel": "self", "href": "https://api.docusign.net/management/v2/organizations/bbbbbbbb-0000-4000-8000-000000000009"}]}}
  ]
}`

func parseUserInfo(t *testing.T, s string) *UserInfo {
	t.Helper()
	var ui UserInfo
	if err := json.Unmarshal([]byte(s), &ui); err != nil {
		t.Fatal(err)
	}
	return &ui
}

func TestUserInfoDecodesAccountsAndTheDefaultFlagInEitherForm(t *testing.T) {
	ui := parseUserInfo(t, userInfoJSON)
	if ui.Sub != testUser || ui.Email != "ada@example.com" || len(ui.Accounts) != 2 {
		t.Fatalf("decoded %+v", ui)
	}
	if ui.Accounts[0].IsDefault || !ui.Accounts[1].IsDefault {
		t.Errorf("is_default decoded as %v, %v", ui.Accounts[0].IsDefault, ui.Accounts[1].IsDefault)
	}
	if org := ui.Accounts[1].Organization; org == nil || org.OrganizationID != "bbbbbbbb-0000-4000-8000-000000000009" || len(org.Links) != 1 {
		t.Errorf("organization = %+v", org)
	}
	if got := ui.Accounts[1].ESignatureURL(); got != "https://eu.docusign.net/restapi" {
		t.Errorf("ESignatureURL = %s", got)
	}
	// Round trip keeps is_default.
	js, _ := json.Marshal(ui.Accounts[1])
	if !strings.Contains(string(js), `"is_default":true`) {
		t.Errorf("marshalled account %s", js)
	}
	var bad UserInfo
	if err := json.Unmarshal([]byte(`{"accounts":[{"account_id":"x","is_default":"maybe"}]}`), &bad); err == nil {
		t.Error("is_default \"maybe\" accepted")
	}
}

func TestAccountSelection(t *testing.T) {
	ui := parseUserInfo(t, userInfoJSON)
	tests := []struct {
		name      string
		accountID string
		want      string
	}{
		{"no configured account picks the default", "", "aaaaaaaa-0000-4000-8000-000000000002"},
		{"a configured account is picked", "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000001"},
		{"account IDs compare case-insensitively", "AAAAAAAA-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000001"},
	}
	for _, tt := range tests {
		a, err := ui.selectAccount(tt.accountID)
		if err != nil || a.AccountID != tt.want {
			t.Errorf("%s: got %v, %v", tt.name, a, err)
		}
	}
	noDefault := parseUserInfo(t, `{"sub":"s","accounts":[{"account_id":"first","base_uri":"https://a.docusign.net"},{"account_id":"second","base_uri":"https://b.docusign.net"}]}`)
	if a, _ := noDefault.selectAccount(""); a.AccountID != "first" {
		t.Errorf("without a default flag got %s, want the first account", a.AccountID)
	}
}

func TestAnUnknownAccountListsTheUsersAccounts(t *testing.T) {
	ui := parseUserInfo(t, userInfoJSON)
	_, err := ui.selectAccount("cccccccc-0000-4000-8000-000000000000")
	var anf *AccountNotFoundError
	if !errors.As(err, &anf) || !errors.Is(err, ErrAccountNotFound) {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"cccccccc-0000-4000-8000-000000000000", "aaaaaaaa-0000-4000-8000-000000000001 (Sales)", "aaaaaaaa-0000-4000-8000-000000000002 (Legal) [default]", "WithAccountID"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
}

func TestAccountSelectionRejectsAUserWithoutAccountsOrABadBaseURI(t *testing.T) {
	if _, err := parseUserInfo(t, `{"sub":"s","accounts":[]}`).selectAccount(""); err == nil || !strings.Contains(err.Error(), "no eSignature accounts") {
		t.Errorf("no accounts: %v", err)
	}
	if _, err := parseUserInfo(t, `{"sub":"s","accounts":[{"account_id":"a","is_default":true,"base_uri":"na3.docusign.net"}]}`).selectAccount(""); err == nil || !strings.Contains(err.Error(), "base_uri") {
		t.Errorf("bad base_uri: %v", err)
	}
}

func TestUserInfoCloneIsIndependent(t *testing.T) {
	ui := parseUserInfo(t, userInfoJSON)
	c := ui.clone()
	c.Accounts[1].Organization.OrganizationID = "changed"
	c.Accounts[0].AccountID = "changed"
	if ui.Accounts[1].Organization.OrganizationID == "changed" || ui.Accounts[0].AccountID == "changed" {
		t.Error("changing the clone changed the original")
	}
}

// gatedUserInfo serves /oauth/userinfo, answering request N (from 1) with
// name "call-N" once gate N is opened.
type gatedUserInfo struct {
	started chan int
	gates   [3]chan struct{}
	calls   atomic.Int64
	srv     *httptest.Server
}

func newGatedUserInfo(t *testing.T) *gatedUserInfo {
	g := &gatedUserInfo{started: make(chan int, 3)}
	for i := range g.gates {
		g.gates[i] = make(chan struct{})
	}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(g.calls.Add(1))
		g.started <- n
		<-g.gates[n-1]
		fmt.Fprintf(w, `{"sub":"11111111-2222-4333-8444-555555555555","name":"call-%d","accounts":[{"account_id":"aaaaaaaa-0000-4000-8000-000000000001","is_default":true,"base_uri":%q}]}`, n, g.srv.URL)
	}))
	t.Cleanup(func() {
		for _, ch := range g.gates {
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
		g.srv.Close()
	})
	return g
}

func TestResetTokenDetachesTheUserInfoRequestInFlight(t *testing.T) {
	g := newGatedUserInfo(t)
	c, err := New(WithEnvironment(Environment{Name: "test", OAuthURL: g.srv.URL}),
		WithTokenSource(StaticTokenSource(&Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)})))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	attached := func() *userInfoCall {
		c.uiMu.Lock()
		defer c.uiMu.Unlock()
		return c.uiCall
	}
	first := make(chan *UserInfo, 1)
	go func() { ui, _ := c.UserInfo(ctx); first <- ui }()
	<-g.started
	if err := c.ResetToken(); err != nil {
		t.Fatal(err)
	}
	if attached() != nil {
		close(g.gates[0])
		t.Fatal("after ResetToken the userinfo request begun before it is still the one new callers join")
	}
	second := make(chan *UserInfo, 1)
	go func() { ui, _ := c.UserInfo(ctx); second <- ui }()
	<-g.started
	call2 := attached()
	close(g.gates[0])
	if ui := <-first; ui == nil || ui.Name != "call-1" {
		t.Fatalf("the caller before ResetToken got %+v", ui)
	}
	if got := attached(); got != call2 {
		close(g.gates[1])
		t.Fatal("the request from before ResetToken, finishing, detached the newer request")
	}
	close(g.gates[1])
	if ui := <-second; ui == nil || ui.Name != "call-2" {
		t.Fatalf("the caller after ResetToken got %+v, want call-2", ui)
	}
	if ui, err := c.UserInfo(ctx); err != nil || ui.Name != "call-2" {
		t.Fatalf("cached user info = %+v, %v; want call-2 (the answer from before ResetToken must not be kept)", ui, err)
	}
}
