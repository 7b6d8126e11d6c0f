package docusigntest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// testKeyCount is how many distinct cached keys TestKey offers.
const testKeyCount = 4

var testKeys [testKeyCount]struct {
	once sync.Once
	key  *rsa.PrivateKey
}

// TestKey returns the n-th (0 <= n < 4) process-wide 2048-bit RSA key,
// generated on first use and cached, so a test binary pays for key
// generation at most once per key. NewIntegration uses key 0; sign with
// another to test a wrong-key rejection.
func TestKey(n int) *rsa.PrivateKey {
	if n < 0 || n >= testKeyCount {
		panic(fmt.Sprintf("docusigntest: TestKey(%d): n must be 0..%d", n, testKeyCount-1))
	}
	k := &testKeys[n]
	k.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("docusigntest: generating RSA key: " + err.Error())
		}
		k.key = key
	})
	return k.key
}

// Integration is an integration key registered with the fake, with the RSA
// key pair whose public half the fake verifies assertions against.
// Its String, GoString and LogValue redact the private key.
type Integration struct {
	// Key is the integration key: the OAuth client_id and the JWT iss.
	Key string
	// UserID is the user consent was granted for (the default user unless
	// changed by an IntegrationOption): a valid JWT sub.
	UserID string
	// AccountID is that user's default account.
	AccountID string
	// Scopes lists the scopes consent was granted for; empty when created
	// WithoutConsent.
	Scopes []string
	// PrivateKey signs assertions. Keep it out of logs.
	PrivateKey *rsa.PrivateKey
	// Secret is the secret key of a confidential application (set with
	// WithClientSecret); empty for a public one. Keep it out of logs.
	Secret string
}

// PrivateKeyPEM returns the private key as a PKCS #1 "RSA PRIVATE KEY" PEM
// block, the form DocuSign's admin console hands out.
func (in Integration) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(in.PrivateKey)})
}

// PKCS8PEM returns the private key as a PKCS #8 "PRIVATE KEY" PEM block.
func (in Integration) PKCS8PEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(in.PrivateKey)
	if err != nil {
		panic("docusigntest: PKCS8PEM: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// String describes the integration without its private key.
func (in Integration) String() string {
	secret := ""
	if in.Secret != "" {
		secret = " Secret:[REDACTED]"
	}
	return fmt.Sprintf("Integration{Key:%s UserID:%s AccountID:%s Scopes:%v PrivateKey:[REDACTED]%s}", in.Key, in.UserID, in.AccountID, in.Scopes, secret)
}

// GoString is String, so %#v does not print the key either.
func (in Integration) GoString() string { return "docusigntest." + in.String() }

// LogValue lets slog log the integration without its private key.
func (in Integration) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("key", in.Key),
		slog.String("user_id", in.UserID),
		slog.String("private_key", "[REDACTED]"),
	)
}

// Claims are the JWT grant claims an assertion carries. Zero times are left
// out of the token, so tests can build assertions missing a claim.
type Claims struct {
	Issuer    string    // iss: the integration key
	Subject   string    // sub: the user ID
	Audience  string    // aud: the OAuth host without scheme
	Scope     string    // scope: space-separated
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
}

// SignAssertion signs c with RS256 using the integration's private key.
func (in Integration) SignAssertion(c Claims) string {
	return SignJWT(in.PrivateKey, c)
}

// SignJWT signs c with RS256 using key: a JWT grant assertion built by hand
// so tests can sign any claims, valid or not.
func SignJWT(key *rsa.PrivateKey, c Claims) string {
	payload := map[string]any{}
	if c.Issuer != "" {
		payload["iss"] = c.Issuer
	}
	if c.Subject != "" {
		payload["sub"] = c.Subject
	}
	if c.Audience != "" {
		payload["aud"] = c.Audience
	}
	if c.Scope != "" {
		payload["scope"] = c.Scope
	}
	if !c.IssuedAt.IsZero() {
		payload["iat"] = c.IssuedAt.Unix()
	}
	if !c.ExpiresAt.IsZero() {
		payload["exp"] = c.ExpiresAt.Unix()
	}
	return signJWT(key, map[string]any{"alg": "RS256", "typ": "JWT"}, payload)
}

func signJWT(key *rsa.PrivateKey, header, payload map[string]any) string {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(payload)
	signing := b64(h) + "." + b64(p)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("docusigntest: signing JWT: " + err.Error())
	}
	return signing + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// IntegrationOption configures NewIntegration.
type IntegrationOption func(*integrationConfig)

type integrationConfig struct {
	key      *rsa.PrivateKey
	userID   string
	scopes   []string
	consent  bool
	redirect []string
	secret   string
}

// AllScopes are the scopes NewIntegration grants consent for by default:
// what eSignature, Monitor and the Admin users API need.
var AllScopes = []string{"signature", "impersonation", "organization_read", "user_read"}

// WithSigningKey registers key's public half instead of TestKey(0).
func WithSigningKey(key *rsa.PrivateKey) IntegrationOption {
	return func(c *integrationConfig) { c.key = key }
}

// WithoutConsent registers the integration without granting any consent,
// so token requests fail with consent_required until GrantConsent or the
// consent page records it.
func WithoutConsent() IntegrationOption {
	return func(c *integrationConfig) { c.consent = false }
}

// WithConsentScopes grants consent for exactly these scopes instead of
// AllScopes.
func WithConsentScopes(scopes ...string) IntegrationOption {
	return func(c *integrationConfig) { c.scopes = append([]string(nil), scopes...) }
}

// ForUser grants consent for userID instead of the default user.
func ForUser(userID string) IntegrationOption {
	return func(c *integrationConfig) { c.userID = userID }
}

// WithRedirectURIs registers redirect URIs; the consent page then accepts
// only these. Without any, it accepts every absolute http(s) URL.
func WithRedirectURIs(uris ...string) IntegrationOption {
	return func(c *integrationConfig) { c.redirect = append(c.redirect, uris...) }
}

// integration is the server-side record of an integration key.
type integration struct {
	key      string
	pubs     []*rsa.PublicKey
	redirect []string
	secret   string // confidential application; "" for public (PKCE)
}

// NewIntegration registers a new integration key with an RSA key pair and,
// unless WithoutConsent, grants consent for the default user and AllScopes.
// It panics on an unknown ForUser ID, as that is a bug in the test.
func (s *Server) NewIntegration(opts ...IntegrationOption) Integration {
	cfg := integrationConfig{userID: s.defaultUserID, scopes: AllScopes, consent: true}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.key == nil {
		cfg.key = TestKey(0)
	}
	u, ok := s.User(cfg.userID)
	if !ok {
		panic(fmt.Sprintf("docusigntest: NewIntegration: ForUser(%q): no such user", cfg.userID))
	}
	s.mu.Lock()
	s.integrationSeq++
	key := guid(s.seed, domIntegration, uint64(s.integrationSeq))
	s.integrations[key] = &integration{key: key, pubs: []*rsa.PublicKey{&cfg.key.PublicKey}, redirect: cfg.redirect, secret: cfg.secret}
	s.mu.Unlock()
	in := Integration{Key: key, UserID: u.ID, AccountID: u.AccountIDs[0], PrivateKey: cfg.key, Secret: cfg.secret}
	if cfg.consent && len(cfg.scopes) > 0 {
		s.GrantConsent(key, u.ID, cfg.scopes...)
		in.Scopes = append([]string(nil), cfg.scopes...)
	}
	return in
}

// AddPublicKey registers another public key for an integration key (DocuSign
// allows several key pairs per integration), e.g. to test key rotation. It
// registers the integration key itself if it is new.
func (s *Server) AddPublicKey(integrationKey string, pub *rsa.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.integrations[integrationKey]
	if in == nil {
		in = &integration{key: integrationKey}
		s.integrations[integrationKey] = in
	}
	in.pubs = append(in.pubs, pub)
}

// NewAssertion returns a valid assertion for in: iss in.Key, sub in.UserID,
// aud OAuthHost, iat now and exp an hour later by the server's clock, and
// the given scopes (default "signature impersonation").
func (s *Server) NewAssertion(in Integration, scopes ...string) string {
	if len(scopes) == 0 {
		scopes = []string{"signature", "impersonation"}
	}
	now := s.Now()
	return in.SignAssertion(Claims{
		Issuer:    in.Key,
		Subject:   in.UserID,
		Audience:  s.OAuthHost(),
		Scope:     strings.Join(scopes, " "),
		IssuedAt:  now,
		ExpiresAt: now.Add(time.Hour),
	})
}
