package docusigntest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dsgo/docusign/client"
)

// Server is an in-memory DocuSign: the OAuth account server, eSignature,
// Admin and Monitor APIs on one loopback HTTP server. All methods are safe
// for concurrent use, including while requests are being served.
type Server struct {
	cfg   config
	seed  uint64
	clock *clock
	ts    *httptest.Server
	mux   *http.ServeMux

	closeOnce sync.Once
	closing   chan struct{}

	// Immutable after NewServer.
	accounts      []*Account
	accountByKey  map[string]*Account // lower-case ID and external number
	orgID         string
	defaultUserID string
	consentUser   string

	mu             sync.Mutex // guards the fields below
	users          []*User
	usersByID      map[string]*User
	integrations   map[string]*integration
	integrationSeq int
	consents       map[consentKey]map[string]bool
	tokens         map[string]*token
	acg            authCodeState // authcode.go: codes and refresh tokens
	envelopes      []*Envelope
	envelopesByID  map[string]*Envelope
	templates      []*Template
	templatesByID  map[string]*Template
	views          map[string]*view
	imports        []*userImport
	idSeq          uint64 // recipient, tab and other generated IDs

	hooks    hookSet
	userMux  *http.ServeMux // handlers added with Handle, tried first
	userPats atomic.Int32   // how many; 0 skips the lookup

	events  *eventStore
	connect *connectState
	limiter *rateLimiter
	faults  faultSet
	log     requestLog

	traceSeq atomic.Uint64
}

// NewServer starts a fake DocuSign on a loopback port. It panics if an
// option is invalid, listing every problem. Close it when done (t.Cleanup).
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.err(); err != nil {
		panic(err)
	}
	s := &Server{
		cfg:           cfg,
		seed:          cfg.seed,
		clock:         newClock(&cfg),
		closing:       make(chan struct{}),
		accountByKey:  map[string]*Account{},
		usersByID:     map[string]*User{},
		integrations:  map[string]*integration{},
		consents:      map[consentKey]map[string]bool{},
		tokens:        map[string]*token{},
		envelopesByID: map[string]*Envelope{},
		templatesByID: map[string]*Template{},
		views:         map[string]*view{},
		userMux:       http.NewServeMux(),
		limiter:       newRateLimiter(cfg.hourly, cfg.burst, cfg.throttle),
		connect:       newConnectState(&cfg),
	}
	s.log.limit = cfg.logLimit
	s.mux = s.routes()

	// Seed everything before serving; only the listener's address is needed.
	s.ts = httptest.NewUnstartedServer(s)
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	baseURL := "http://" + s.ts.Listener.Addr().String()
	if cfg.tls {
		baseURL = "https://" + s.ts.Listener.Addr().String()
	}

	s.orgID = guid(s.seed, domOrg, 0)
	s.accounts = seedAccounts(s.seed, cfg.accounts, baseURL)
	for _, a := range s.accounts {
		s.accountByKey[a.ID] = a
		s.accountByKey[a.Number] = a
	}
	s.users = seedUsers(s.seed, cfg.users, s.accounts)
	for _, u := range s.users {
		s.usersByID[u.ID] = u
	}
	s.defaultUserID = s.users[0].ID
	s.consentUser = s.defaultUserID
	if cfg.consentUser != "" {
		u, ok := s.usersByID[strings.ToLower(cfg.consentUser)]
		if !ok {
			s.ts.Listener.Close()
			panic(fmt.Sprintf("docusigntest: WithConsentUser(%q): no such user; pick one from Users()", cfg.consentUser))
		}
		s.consentUser = u.ID
	}
	start := s.Now()
	s.seedEnvelopes(cfg.envelopes, start)
	end := cfg.eventsEnd
	if end.IsZero() {
		end = start
	}
	s.events = newEventStore(s.seed, s.orgID, s.users, cfg.events, end)

	if cfg.tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	if s.ts.URL != baseURL {
		s.ts.Close()
		panic("docusigntest: server URL " + s.ts.URL + " differs from the listener address " + baseURL)
	}
	return s
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.ts.URL }

// OAuthHost is the JWT audience the token endpoint expects: the server's
// host:port without scheme. WithAudience adds more.
func (s *Server) OAuthHost() string { return s.ts.Listener.Addr().String() }

// Environment points a client at this server: OAuth at URL, eSignature at
// URL/restapi, Admin at URL/management, Monitor at URL.
func (s *Server) Environment() client.Environment {
	u := s.URL()
	return client.Environment{
		Name:          "docusigntest",
		OAuthURL:      u,
		ESignatureURL: u + "/restapi",
		AdminURL:      u + "/management",
		MonitorURL:    u,
		// The fake plays the developer environment: Go-Live counts here.
		Sandbox: true,
		// Without WithTLS the accounts' base_uri is this http URL.
		AllowHTTP: strings.HasPrefix(u, "http://"),
	}
}

// Client returns an HTTP client for the server; with WithTLS it trusts the
// server's certificate.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down, cutting short any injected delays, and waits
// for outstanding requests. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// account resolves an account ID GUID (any case) or external account number.
func (s *Server) account(key string) *Account { return s.accountByKey[strings.ToLower(key)] }

func errorf(format string, args ...any) error {
	return fmt.Errorf("docusigntest: "+format, args...)
}

// api identifies which DocuSign API a path belongs to; each has its own
// error body shape.
type api int

const (
	apiOAuth api = iota
	apiESignature
	apiAdmin
	apiMonitor
)

func apiOf(path string) api {
	switch {
	case strings.HasPrefix(path, "/restapi/"):
		return apiESignature
	case strings.HasPrefix(path, "/management/"):
		return apiAdmin
	case strings.HasPrefix(path, "/api/"):
		return apiMonitor
	}
	return apiOAuth
}

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("POST /oauth/token", s.handleToken)
	m.HandleFunc("GET /oauth/auth", s.handleConsent)
	m.HandleFunc("GET /oauth/userinfo", s.handleUserinfo)
	m.HandleFunc("GET /signing/{kind}", s.handleSigningPage)

	for _, rt := range append(s.apiRoutes(), s.connectRoutes()...) {
		m.HandleFunc(rt.pattern, rt.handler)
	}
	s.unimplementedRoutes(m)
	return m
}

// route is one API operation the fake serves.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// apiRoutes lists every API operation the fake implements (the package
// documentation lists the same).
func (s *Server) apiRoutes() []route {
	const (
		es  = "/restapi/v2.1/accounts/{accountId}"
		env = es + "/envelopes/{envelopeId}"
		adm = "/management/v2/organizations/{organizationId}"
	)
	return []route{
		{"GET " + es, s.esign(s.handleAccount)},
		{"GET " + es + "/settings", s.esign(s.handleAccountSettings)},
		{"GET " + es + "/users", s.esign(s.handleESignUsers)},
		{"POST " + es + "/users", s.esign(s.handleCreateESignUsers)},
		{"PUT " + es + "/users", s.esign(s.handleUpdateESignUsers)},
		{"DELETE " + es + "/users", s.esign(s.handleCloseESignUsers)},
		{"GET " + es + "/users/{userId}", s.esign(s.handleESignUser)},
		{"PUT " + es + "/users/{userId}", s.esign(s.handleUpdateESignUser)},

		{"POST " + es + "/envelopes", s.esign(s.handleCreateEnvelope)},
		{"GET " + es + "/envelopes", s.esign(s.handleListEnvelopes)},
		{"GET " + env, s.esign(s.handleGetEnvelope)},
		{"PUT " + env, s.esign(s.handleUpdateEnvelope)},
		{"GET " + env + "/recipients", s.esign(s.handleListRecipients)},
		{"POST " + env + "/recipients", s.esign(s.handleCreateRecipients)},
		{"PUT " + env + "/recipients", s.esign(s.handleUpdateRecipients)},
		{"DELETE " + env + "/recipients", s.esign(s.handleDeleteRecipients)},
		{"DELETE " + env + "/recipients/{recipientId}", s.esign(s.handleDeleteRecipients)},
		{"GET " + env + "/recipients/{recipientId}/tabs", s.esign(s.handleListTabs)},
		{"GET " + env + "/documents", s.esign(s.handleListDocuments)},
		{"PUT " + env + "/documents", s.esign(s.handleUpdateDocuments)},
		{"DELETE " + env + "/documents", s.esign(s.handleDeleteDocuments)},
		{"GET " + env + "/documents/{documentId}", s.esign(s.handleGetDocument)},
		{"PUT " + env + "/documents/{documentId}", s.esign(s.handleUpdateDocument)},
		{"POST " + env + "/views/recipient", s.esign(s.handleRecipientView)},
		{"POST " + env + "/views/sender", s.esign(s.handleEnvelopeView("sender"))},
		{"POST " + env + "/views/correct", s.esign(s.handleEnvelopeView("correct"))},

		{"POST " + es + "/templates", s.esign(s.handleCreateTemplate)},
		{"GET " + es + "/templates", s.esign(s.handleListTemplates)},
		{"GET " + es + "/templates/{templateId}", s.esign(s.handleGetTemplate)},

		{"GET /management/v2/organizations/{orgId}/users", s.authorized(apiAdmin, "user_read", s.handleAdminUsers)},
		{"GET " + adm + "/users/profile", s.authorized(apiAdmin, "user_read", s.handleAdminProfiles)},
		{"GET /management/v2.1/organizations/{organizationId}/users/dsprofile", s.authorized(apiAdmin, "user_read", s.handleAdminDSProfiles)},
		{"POST " + adm + "/imports/bulk_users/add", s.authorized(apiAdmin, "user_write", s.handleBulkImportAdd)},
		{"GET " + adm + "/imports/bulk_users", s.authorized(apiAdmin, "user_read", s.handleBulkImports)},
		{"GET " + adm + "/imports/bulk_users/{importId}", s.authorized(apiAdmin, "user_read", s.handleBulkImport)},
		{"GET " + adm + "/imports/bulk_users/{importId}/results_csv", s.authorized(apiAdmin, "user_read", s.handleBulkImportCSV)},

		{"GET /api/v2.0/datasets/{dataset}/stream", s.authorized(apiMonitor, "impersonation", s.handleMonitorStream)},
	}
}

// caller is the authenticated identity of an API request.
type caller struct {
	tokenValue string
	token      *token
	user       User
	account    *Account // eSignature: the account in the path
}

// authorized wraps an API handler with authentication, the scope check and
// rate limiting.
func (s *Server) authorized(kind api, scope string, h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, problem := s.authenticate(r)
		if t == nil {
			writeUnauthorized(w, kind, string(problem))
			return
		}
		u, ok := s.User(t.userID)
		if !ok {
			writeUnauthorized(w, kind, "the token's user does not exist")
			return
		}
		if scope != "" && !t.hasScope(scope) {
			if kind == apiESignature {
				writeESignError(w, http.StatusUnauthorized, "USER_AUTHENTICATION_FAILED", "the access token lacks the "+scope+" scope")
			} else {
				writeJSON(w, http.StatusForbidden, &oauthError{Code: "insufficient_scope", Description: "the access token lacks the " + scope + " scope"})
			}
			return
		}
		c := &caller{tokenValue: strings.TrimSpace(r.Header.Get("Authorization")[len("Bearer"):]), token: t, user: u}
		budget := u.AccountIDs[0]
		if kind == apiESignature {
			if a := s.account(r.PathValue("accountId")); a != nil && u.memberOf(a.ID) {
				c.account = a
				budget = a.ID
			}
		}
		if !s.limiter.admit(w, s.Now(), kind, budget, c.tokenValue) {
			return
		}
		if kind == apiESignature && c.account == nil {
			writeESignError(w, http.StatusBadRequest, "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT",
				fmt.Sprintf("The specified User is not a member of account %s.", r.PathValue("accountId")))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)), c)
	}
}

func (s *Server) esign(h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return s.authorized(apiESignature, "signature", h)
}

// writeJSON writes v as a JSON response with a Content-Length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("docusigntest: encoding response: " + err.Error())
	}
	writeBody(w, status, "application/json; charset=utf-8", b)
}

func writeBody(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// esignError is eSignature's error body.
type esignError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

func writeESignError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, esignError{ErrorCode: code, Message: message})
}

// writeAPIError writes an error in the body shape of the API: eSignature's
// errorCode/message, or the error/error_description the account server,
// Admin and Monitor use (code lower-cased there).
func writeAPIError(w http.ResponseWriter, kind api, status int, code, message string) {
	if kind == apiESignature {
		writeESignError(w, status, code, message)
		return
	}
	writeJSON(w, status, &oauthError{Code: strings.ToLower(code), Description: message})
}

func writeUnauthorized(w http.ResponseWriter, kind api, problem string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	if kind == apiESignature {
		writeESignError(w, http.StatusUnauthorized, "USER_AUTHENTICATION_FAILED", "The access token is missing, invalid or expired: "+problem+".")
		return
	}
	writeJSON(w, http.StatusUnauthorized, &oauthError{Code: "invalid_token", Description: problem})
}

// ServeHTTP serves one request: trace header, request log, injected
// faults, then the route. Server is an http.Handler so it can also be
// mounted in a caller's own test server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-DocuSign-TraceToken", s.traceToken())
	entry := s.log.begin(r, s.Now())
	entry.tokenRequest = r.URL.Path == "/oauth/token"
	sw := &statusWriter{ResponseWriter: w, log: &s.log, entry: entry}
	defer sw.finish()
	if f := s.faults.take(r); f != nil {
		entry.fault = true
		s.applyFault(w, sw, r, f)
		return
	}
	s.serve(sw, r)
}

// serve routes r: a handler added with Handle first, then the fake's own.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.userPats.Load() > 0 {
		if _, pattern := s.userMux.Handler(r); pattern != "" {
			s.userMux.ServeHTTP(w, r) // sets the path values
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) traceToken() string {
	n := s.traceSeq.Add(1)
	return string(appendGUID(make([]byte, 0, 36), rnd(s.seed, domTrace, n, 0), rnd(s.seed, domTrace, n, 1)))
}

// statusWriter logs the request when the response status is decided, before
// any byte reaches the client, so a test that has read a response always
// finds its request in the log.
type statusWriter struct {
	http.ResponseWriter
	log    *requestLog
	entry  *logEntry
	status int
	logged bool
}

func (w *statusWriter) record(status int) {
	if !w.logged {
		w.logged = true
		w.status = status
		w.log.end(w.entry, status)
	}
}

// drop records a request whose connection is closed without a response.
func (w *statusWriter) drop() { w.record(0) }

// finish records a request whose handler wrote nothing (net/http then
// sends an empty 200) or panicked.
func (w *statusWriter) finish() { w.record(http.StatusOK) }

func (w *statusWriter) WriteHeader(code int) {
	w.record(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// peekBody reads up to n bytes of a request body for the log and puts
// them back in front of the rest, so the handler still reads the whole body
// while the log never holds more than it keeps.
func peekBody(r *http.Request, n int64) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, n))
	rest := io.Reader(r.Body)
	if err != nil {
		rest = errReader{err}
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), r.Body}
	return b
}

// errReader fails every read with err: a body whose reading the log cut short.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
