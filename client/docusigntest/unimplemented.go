package docusigntest

import (
	"net/http"
	"strings"
)

// Honest edges: a request for an operation the fake does not implement is
// answered 501 Not Implemented with an error body in the API's shape that
// names the method and path and says the fake does not serve it, never a
// 404 that a test could take for DocuSign's "not found".

// CodeNotImplemented is the error code of the fake's 501 answers
// (lower-cased as the error on Admin, Monitor and OAuth paths).
const CodeNotImplemented = "NOT_IMPLEMENTED"

// shadowedOperations are DocuSign operations whose literal path segment
// would otherwise match one of the fake's wildcard routes (GET
// envelopes/transfer_rules looking like GET envelopes/{envelopeId}), so
// they are registered explicitly to answer 501.
var shadowedOperations = []string{
	"GET /restapi/v2.1/accounts/provisioning",
	"GET /restapi/v2.1/accounts/{accountId}/envelopes/transfer_rules",
	"PUT /restapi/v2.1/accounts/{accountId}/envelopes/transfer_rules",
	"PUT /restapi/v2.1/accounts/{accountId}/envelopes/status",
	"PUT /restapi/v2.1/accounts/{accountId}/users/profile",
	"PUT /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/recipients/document_visibility",
	"GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/{documentId}/pages",
	"GET /restapi/v2.1/accounts/{accountId}/connect/logs",
	"DELETE /restapi/v2.1/accounts/{accountId}/connect/logs",
	// Operations from SDK 10.0.0 (see gen/esignature/SDK-MERGE.md).
	"GET /restapi/v2.1/accounts/{accountId}/envelopes/shared",
	"GET /restapi/v2.1/accounts/{accountId}/connect/mobile_notifiers",
	"DELETE /restapi/v2.1/accounts/{accountId}/connect/mobile_notifiers",
	"GET /restapi/v2.1/accounts/{accountId}/connect/oauth",
	"DELETE /restapi/v2.1/accounts/{accountId}/connect/oauth",
	"GET /restapi/v2.1/accounts/{accountId}/connect/secret",
}

func (s *Server) unimplementedRoutes(m *http.ServeMux) {
	for _, p := range shadowedOperations {
		m.HandleFunc(p, s.handleNotImplemented)
	}
	m.HandleFunc("/", s.handleNotImplemented)
}

// handleNotImplemented answers 501 for an operation the fake does not
// serve.
func (s *Server) handleNotImplemented(w http.ResponseWriter, r *http.Request) {
	writeAPIError(w, apiOf(r.URL.Path), http.StatusNotImplemented, CodeNotImplemented,
		"docusigntest does not serve "+r.Method+" "+r.URL.Path+
			": the fake implements only the operations listed in its package documentation; register a handler with Server.Handle to serve this one in a test")
}

// Handle serves pattern (http.ServeMux syntax, a full path on the fake,
// e.g. "GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/lock")
// with h, in front of the fake's own handler for it if any. A handler
// under /restapi, /management or /api runs behind the fake's
// authentication (eSignature needs the signature scope, Monitor
// impersonation, Admin a valid token) and rate limits; every handler
// runs behind fault injection and the request log. CallerOf tells h who
// called. Handle panics on an invalid or duplicate pattern, as
// http.ServeMux does.
func (s *Server) Handle(pattern string, h http.Handler) {
	_, path, _ := strings.Cut(pattern, " ")
	if !strings.Contains(pattern, " ") {
		path = pattern
	}
	if i := strings.IndexByte(path, '/'); i > 0 {
		path = path[i:] // a host in the pattern
	}
	wrapped := h.ServeHTTP
	switch apiOf(path) {
	case apiESignature:
		wrapped = s.esign(func(w http.ResponseWriter, r *http.Request, _ *caller) { h.ServeHTTP(w, r) })
	case apiAdmin:
		wrapped = s.authorized(apiAdmin, "", func(w http.ResponseWriter, r *http.Request, _ *caller) { h.ServeHTTP(w, r) })
	case apiMonitor:
		wrapped = s.authorized(apiMonitor, "impersonation", func(w http.ResponseWriter, r *http.Request, _ *caller) { h.ServeHTTP(w, r) })
	}
	s.userMux.HandleFunc(pattern, wrapped)
	s.userPats.Add(1)
}

// HandleFunc is Handle for a function.
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.Handle(pattern, http.HandlerFunc(h))
}

// Caller is who made an authenticated API request.
type Caller struct {
	// User is the token's user.
	User User
	// AccountID is the eSignature account in the path (eSignature only).
	AccountID string
	// Scopes are the token's scopes.
	Scopes []string
}

type callerKey struct{}

// CallerOf returns the authenticated caller of a request a Handle handler
// serves; ok is false outside an API path.
func CallerOf(r *http.Request) (c Caller, ok bool) {
	v, _ := r.Context().Value(callerKey{}).(*caller)
	if v == nil {
		return Caller{}, false
	}
	c = Caller{User: v.user.clone(), Scopes: append([]string(nil), v.token.scopes...)}
	if v.account != nil {
		c.AccountID = v.account.ID
	}
	return c, true
}
