package benchfake

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"testing"

	"github.com/dsgo/docusign/client/docusigntest"
)

func TestTheWrittenCertificateIsTrustedByAPlainClient(t *testing.T) {
	f, err := Start(t.TempDir(), 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pem, err := os.ReadFile(f.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", f.CAFile)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(f.Server.URL() + "/oauth/userinfo")
	if err != nil {
		t.Fatal(err) // a certificate error would land here
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401 (no token)", resp.StatusCode)
	}
}

func TestTheFakeIsSizedForTheWorkloads(t *testing.T) {
	f, err := Start(t.TempDir(), 4000, 300)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Server.MonitorEventCount(); got != 4000 {
		t.Errorf("%d Monitor events, want 4000", got)
	}
	if got := len(f.Server.AccountUsers(f.Server.DefaultAccountID())); got != 300 {
		t.Errorf("%d users in the default account, want all 300", got)
	}
}

func TestEachRunHasItsOwnIntegrationAndZeroedCounters(t *testing.T) {
	f, err := Start(t.TempDir(), 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, err := f.NewRun(7)
	if err != nil {
		t.Fatal(err)
	}
	f.Server.IssueToken(first.UserID)
	resp, err := f.Server.Client().Get(f.Server.URL() + "/oauth/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f.Counts().Total == 0 {
		t.Fatal("the request was not counted")
	}
	second, err := f.NewRun(7)
	if err != nil {
		t.Fatal(err)
	}
	if first.IntegrationKey == second.IntegrationKey || first.PrivateKeyFile == second.PrivateKeyFile {
		t.Errorf("runs share an integration key or key file: %s %s", first.IntegrationKey, first.PrivateKeyFile)
	}
	if got := f.Counts(); got != (Counts{}) {
		t.Errorf("counters after NewRun = %+v, want zero", got)
	}
	if second.N != 7 || second.CAFile != f.CAFile || second.OrgID != f.Server.OrgID() || second.OAuthHost != f.Server.OAuthHost() {
		t.Errorf("settings %+v do not describe the fake", second)
	}
	pem, err := os.ReadFile(second.PrivateKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := (docusigntest.Integration{PrivateKey: docusigntest.TestKey(0)}).PrivateKeyPEM(); string(pem) != string(want) {
		t.Error("the key file does not hold the integration's private key")
	}
}
