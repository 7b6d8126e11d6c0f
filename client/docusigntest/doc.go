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
// # What is served
//
// OAuth: POST /oauth/token (JWT, authorization code and refresh token
// grants), GET /oauth/auth (consent and login), GET /oauth/userinfo.
//
// eSignature (under /restapi/v2.1/accounts/{accountId}):
//
//	GET    ""                                   account (include_account_settings)
//	GET    /settings
//	GET    /users                               list (status, email, email_substring, user_name_substring, paging)
//	POST   /users                               create (newUsers; per-user errorDetails)
//	PUT    /users                               update several
//	DELETE /users                               close
//	GET    /users/{userId}
//	PUT    /users/{userId}                      update one
//	POST   /envelopes                           create: JSON (documentBase64), multipart (JSON part + document parts),
//	                                            templateId + templateRoles, compositeTemplates; status created or sent
//	GET    /envelopes                           status changes (from_date, to_date, from_to_status, status, envelope_ids,
//	                                            include, order, start_position, count)
//	GET    /envelopes/{envelopeId}              (include=recipients,tabs,documents)
//	PUT    /envelopes/{envelopeId}              send a draft (status sent), void (status voided + voidedReason),
//	                                            resend (resend_envelope=true), change subject and message
//	GET    /envelopes/{envelopeId}/recipients   (include_tabs)
//	POST   /envelopes/{envelopeId}/recipients   add
//	PUT    /envelopes/{envelopeId}/recipients   correct (resend_envelope)
//	DELETE /envelopes/{envelopeId}/recipients   and DELETE .../recipients/{recipientId}
//	GET    /envelopes/{envelopeId}/recipients/{recipientId}/tabs
//	GET    /envelopes/{envelopeId}/documents    list (with the certificate once sent)
//	PUT    /envelopes/{envelopeId}/documents    add or replace (documentBase64)
//	DELETE /envelopes/{envelopeId}/documents    from a draft
//	GET    /envelopes/{envelopeId}/documents/{documentId}   a document, combined (certificate=true), archive (zip),
//	                                            certificate, portfolio; encoding=base64
//	PUT    /envelopes/{envelopeId}/documents/{documentId}   replace with the raw bytes (or JSON documentBase64)
//	POST   /envelopes/{envelopeId}/views/recipient, /views/sender, /views/correct
//	POST   /templates, GET /templates, GET /templates/{templateId}
//	GET    /connect, POST /connect, PUT /connect      Connect configurations (list, create, update)
//	GET    /connect/{connectId}, DELETE /connect/{connectId}
//	GET    /connect/failures, DELETE /connect/failures/{failureId}   the failure log
//	PUT    /connect/envelopes/retry_queue, PUT /connect/envelopes/{envelopeId}/retry_queue
//
// Admin (under /management): GET /v2/organizations/{orgId}/users (the
// organization's users), GET .../users/profile?email= and GET
// /v2.1/organizations/{orgId}/users/dsprofile?email= (profiles), POST
// .../imports/bulk_users/add (multipart CSV, part file.csv; columns
// AccountID, UserEmail, FirstName, LastName, UserName, UserTitle,
// eSignPermissionProfile), GET .../imports/bulk_users, GET
// .../imports/bulk_users/{importId}, GET .../{importId}/results_csv.
//
// Monitor: GET /api/v2.0/datasets/monitor/stream.
//
// Every other DocuSign operation answers 501 with errorCode
// NOT_IMPLEMENTED (error not_implemented outside eSignature) and a message
// naming the method and path: a test that expects "not found" never passes
// because the fake lacks a route. Handle and HandleFunc add routes (or
// replace the fake's), behind its authentication, rate limits, fault
// injection and request log; CallerOf tells a handler who called.
//
// # Envelopes
//
// Documents keep the bytes uploaded; a download returns them when they are
// a whole PDF and otherwise a generated one-page PDF naming the document.
// combined is one generated page per document (name, size, SHA-256 of the
// upload, who signed), the certificate lists the envelope's and each
// recipient's steps, archive is a zip of the documents and Summary.pdf.
// SamplePDF makes a small valid PDF to upload; CheckPDF checks the fake's
// downloads.
//
// Recipients follow their routing order: sending gives the envelope to the
// lowest order; when all who must act there have finished, the next order
// gets it; when everyone has, the envelope completes (carbon copies
// complete with it). A recipient declining declines the envelope. A
// recipient view URL (for recipients with a clientUserId) delivers the
// envelope when opened; adding action=sign or action=decline signs or
// declines and redirects to the returnUrl with event=signing_complete or
// decline, as embedded signing does.
//
// DeliverRecipient, SignRecipient, DeclineRecipient, CompleteEnvelope and
// VoidEnvelope move envelopes along from a test, stamped with the fake's
// clock; SetEnvelopeStatus forces a status. AddTemplate stores a server
// template fixture. OnEnvelopeEvent observes every lifecycle step (Connect's
// event names: envelope-sent, recipient-completed, ...), whatever caused
// it.
//
// # One world
//
// What clients and tests do shows up in the Monitor stream, after the
// generated events: envelopes sent, completed, declined, voided, corrected
// and resent (object Envelope) and users created and
// closed through the eSignature users API or an Admin bulk import (object
// User). RecordedEvents lists them.
//
// # Connect
//
// Account-level Connect configurations and an envelope's
// eventNotification(s) receive JSON SIM messages for the lifecycle steps
// they subscribe to (events, or the legacy envelopeEvents and
// recipientEvents status names): every OnEnvelopeEvent step, and any
// other envelope or recipient event NotifyConnect publishes. The envelope
// summary is included when eventData.includeData asks for data
// (recipients, documents, ...). Messages to configurations or
// notifications with includeHMAC carry one X-DocuSign-Signature-N per key
// set with SetConnectHMACKeys; a configuration's userName and password go
// out as Basic auth. A delivery answered non-2xx (or not answered) is
// retried with retryCount incremented and the same generatedDateTime,
// after delays doubling from WithConnectRetry's first delay on the
// server's clock, and is listed by the failure log meanwhile;
// requireAcknowledgment "false" disables retries. WaitConnectIdle waits
// until every message is delivered or given up; ConnectAttempts lists what
// was sent.
//
// # Control
//
// Time is the server's own (Now, Advance, WithClock, WithStartTime).
// InjectFault fails exactly the next Count matching requests with a status,
// latency, a truncated or malformed body, an HTML proxy page or a dropped
// connection. Requests, RequestsTo and the counters (TokenRequests,
// ESignatureRequests, ...) record what clients sent.
package docusigntest
