package docusigntest

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestIntegrationPEMFormsParseBackToTheKey(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	block, _ := pem.Decode(in.PrivateKeyPEM())
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("PrivateKeyPEM block %v", block)
	}
	k1, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil || !k1.Equal(in.PrivateKey) {
		t.Fatalf("PKCS1: %v", err)
	}
	block, _ = pem.Decode(in.PKCS8PEM())
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("PKCS8PEM block %v", block)
	}
	k8, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil || !k8.(*rsa.PrivateKey).Equal(in.PrivateKey) {
		t.Fatalf("PKCS8: %v", err)
	}
	if in.PrivateKey.N.BitLen() != 2048 {
		t.Errorf("key has %d bits, want 2048", in.PrivateKey.N.BitLen())
	}
}

func TestIntegrationNeverPrintsItsPrivateKey(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	secret := in.PrivateKey.D.String()[:20]
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "integration", in)
	for _, out := range []string{fmt.Sprint(in), fmt.Sprintf("%v", &in), fmt.Sprintf("%+v", in), fmt.Sprintf("%#v", in), logged.String()} {
		if strings.Contains(out, secret) || !strings.Contains(out, "REDACTED") || !strings.Contains(out, in.Key) {
			t.Errorf("output %q leaks the key or hides the integration key", out)
		}
	}
}

func TestNewIntegrationOptions(t *testing.T) {
	srv := newTestServer(t)
	u := srv.Users()[9]
	in := srv.NewIntegration(ForUser(u.ID), WithSigningKey(TestKey(2)), WithConsentScopes("signature"))
	if in.UserID != u.ID || in.AccountID != u.AccountIDs[0] || in.PrivateKey != TestKey(2) || len(in.Scopes) != 1 {
		t.Errorf("integration %v", in)
	}
	if !srv.HasConsent(in.Key, u.ID, "signature") || srv.HasConsent(in.Key, u.ID, "impersonation") {
		t.Error("consent does not match WithConsentScopes")
	}
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(in, "signature")), 200)
	if other := srv.NewIntegration(); other.Key == in.Key {
		t.Error("two integrations share a key")
	}
}
