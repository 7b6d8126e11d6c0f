// Package docusigntest is an in-memory fake of DocuSign for tests, demos
// and benchmarks, in the spirit of net/http/httptest and pstest: one
// loopback HTTP server playing the OAuth account server, the eSignature
// REST API v2.1, the Admin API and the Monitor API.
//
//	srv := docusigntest.NewServer()     // 1200 users, 2 accounts, 5000 events
//	t.Cleanup(srv.Close)
//	env := srv.Environment()            // a client.Environment for the client
//	in := srv.NewIntegration()          // integration key + RSA key, consent granted
//	// configure the client with env, in.Key, in.UserID and in.PrivateKeyPEM()
//
// # Behaviour
//
// The token endpoint verifies JWT grant assertions as DocuSign does (RS256
// signature against the integration's registered public keys, iss, sub,
// aud = OAuthHost, iat/exp at most an hour apart with a small clock skew,
// consent for every requested scope) and answers DocuSign's OAuth errors:
// issuer_not_found, no_valid_keys_or_signatures, user_not_found,
// invalid_grant, consent_required. The Authorization Code Grant works as
// well: /oauth/auth records consent for the consenting user and redirects
// with a single-use code (bound to the client, redirect URI and PKCE
// challenge) and the state; /oauth/token exchanges it (HTTP Basic for apps
// WithClientSecret, client_id and an S256 code_verifier for public ones),
// issues 8-hour access tokens and 30-day refresh tokens that rotate on use
// and expire on the server's clock, and answers invalid_grant,
// invalid_client and access_denied (DenyLogins). Browser plays the user's
// browser for a headless login. Access tokens are opaque, kept
// server-side with their user, scopes and expiry; IssueToken mints one
// directly for tests that are not about authentication.
//
// API calls need a valid bearer token: eSignature answers 401
// USER_AUTHENTICATION_FAILED, Admin and Monitor 401 invalid_token. Scopes:
// eSignature needs signature, Monitor impersonation, the Admin users list
// user_read; a missing scope is 401 on eSignature and 403 insufficient_scope
// elsewhere. eSignature errors are {"errorCode","message"}; OAuth, Admin
// and Monitor errors are {"error","error_description"}. Throttled requests
// carry HOURLY_APIINVOCATION_LIMIT_EXCEEDED or
// BURST_APIINVOCATION_LIMIT_EXCEEDED in that shape (as the errorCode on
// eSignature, lower-cased as the error on Admin and Monitor).
//
// Seeded data (accounts, thousands of users, envelopes) is a pure function
// of WithSeed and the counts; Monitor events are generated on demand, so a
// stream of millions costs no memory, and AppendEvents adds more while a
// collector follows. Cursors are opaque endCursor values or ISO 8601 times;
// an empty page keeps the cursor.
//
// Every API response carries X-RateLimit-Limit, X-RateLimit-Remaining,
// X-RateLimit-Reset, X-BurstLimit-Limit and X-BurstLimit-Remaining; the
// budgets are effectively unlimited unless WithRateLimit sets them. Every
// response carries X-DocuSign-TraceToken.
//
// # Control
//
// Time is the server's own (Now, Advance, WithClock, WithStartTime).
// InjectFault fails exactly the next Count matching requests with a status,
// latency, a truncated or malformed body, an HTML proxy page or a dropped
// connection. Requests, RequestsTo and the counters (TokenRequests,
// ESignatureRequests, ...) record what clients sent.
package docusigntest
