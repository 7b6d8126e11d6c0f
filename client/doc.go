// Package client is the hand-written layer over the generated DocuSign
// clients under gen/: environments and Go-Live switching, JWT grant
// authentication and consent, the Authorization Code Grant with PKCE and
// refresh tokens (WithAuthorizationCode, Client.Login, AuthCodeFlow),
// token caching, account discovery, typed
// errors, retries and rate limits, and resumable iterators over Monitor
// events, Admin organization users and eSignature lists.
//
// One Client serves every API. Build it once and share it:
//
//	c, err := client.New(
//		client.WithEnvironment(client.Developer()), // client.Production() after Go-Live
//		client.WithIntegrationKey(key),
//		client.WithUserID(userID),
//		client.WithPrivateKeyFile("private.pem"),
//		client.WithTokenCacheDir(dir), // reuse tokens across runs
//	)
//
// New checks every option before any network call and reports all problems
// together (errors.Join); each is an *OptionError whose Option names the
// option or field at fault ("WithUserID", "MonitorEventsOptions.Limit"), as
// are the problems the pagers find in their options. errors.As finds the
// first; OptionErrors lists them all.
//
// Generated clients are bound to it in one line, for example
// client.ESignature(ctx, c, envelopes.NewClientWithResponses,
// envelopes.WithHTTPClient); their calls carry the token, retries and
// rate-limit handling, and every non-2xx answer comes back as *APIError
// (or *AuthError from the OAuth server), classifiable with errors.Is
// against ErrNotFound, ErrThrottled, ErrUnauthorized, ErrConsentRequired.
//
// Collectors read with iterators that never lose or repeat a record across
// pages, retries, restarts or token expiry (and stop with ErrCursorStuck
// rather than loop when the server's paging does not advance):
//
//	p, err := c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: saved})
//	for page, err := range p.Pages(ctx) {
//		// ... handle page.Items, then persist p.Checkpoint().String()
//	}
//
// The iterators (Pager.All, Pager.Pages) fetch the next page while the loop
// body handles the current one (WithReadAhead), without changing what is
// handed out, the errors or the checkpoints.
//
// Requests pass one pipeline of http.RoundTripper layers, built in New:
// user middleware, errors, logging (log/slog, silent by default), retry and
// rate limits, authentication (applied per attempt), then the base
// transport (proxy from the environment or WithProxy, timeouts).
// Secrets (keys, tokens, assertions, codes, verifiers, client secrets)
// never appear in logs, errors or %v.
//
// Package client/docusigntest is an in-memory fake DocuSign for tests.
package client
