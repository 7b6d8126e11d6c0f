package docusigntest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsgo/docusign/gen/esignature/accountmodels"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// Connect delivery defaults: short, so tests of a listener's retry
// handling finish quickly. Retry delays double from the first up to
// connectMaxDelay and are measured on the server's clock (Advance moves
// them along).
const (
	DefaultConnectFirstRetry        = 100 * time.Millisecond
	DefaultConnectAttempts          = 8
	connectMaxDelay                 = 5 * time.Second
	connectPoll                     = 10 * time.Millisecond
	connectFirstID                  = 10472950
	domConnect               uint64 = 0xC0
)

// ConnectAttempt is one delivery attempt of a Connect message, as
// ConnectAttempts reports it.
type ConnectAttempt struct {
	URL        string
	Event      string
	EnvelopeID string
	// ConnectID is the account-level configuration; "" for an envelope's
	// eventNotification.
	ConnectID string
	// Retry is the message's retryCount: 0 on the first attempt.
	Retry int
	// Status is the listener's HTTP status; 0 when the request failed.
	Status int
	Err    string
	At     time.Time
	Body   []byte
	Header http.Header
}

// connectConfig is what the Connect options set; zero values mean the
// defaults.
type connectConfig struct {
	firstRetry time.Duration
	attempts   int
	client     *http.Client
}

// WithConnectRetry sets how Connect deliveries are retried after the
// listener fails (non-2xx, timeout, refused connection): the first retry
// after first (on the server's clock), each further delay doubled up to
// five seconds, at most attempts attempts in all (defaults
// DefaultConnectFirstRetry, DefaultConnectAttempts).
func WithConnectRetry(first time.Duration, attempts int) Option {
	return func(c *config) {
		if first <= 0 || attempts < 1 {
			c.errorf("WithConnectRetry(%v, %d): use a positive delay and at least 1 attempt", first, attempts)
			return
		}
		c.connect.firstRetry, c.connect.attempts = first, attempts
	}
}

// WithConnectHTTPClient sets the HTTP client Connect deliveries use, e.g.
// one trusting a listener's test certificate (httptest.Server.Client).
func WithConnectHTTPClient(hc *http.Client) Option {
	return func(c *config) {
		if hc == nil {
			c.errorf("WithConnectHTTPClient(nil): pass a client, or omit the option")
			return
		}
		c.connect.client = hc
	}
}

// connectState is the fake's Connect: configurations, HMAC keys, the
// envelope-level subscriptions, and the delivery queue with its retries.
type connectState struct {
	firstRetry time.Duration
	attempts   int
	client     *http.Client

	mu          sync.Mutex                                             // never held while taking Server.mu
	configs     map[string][]*accountmodels.ConnectCustomConfiguration // by account ID
	seq         int
	keys        map[string][]string                   // by account ID
	envNotes    map[string][]models.EventNotification // by envelope ID
	queue       []*connectDelivery                    // pending, then failed for good
	history     []ConnectAttempt
	changed     chan struct{} // closed and replaced on every change
	kick        chan struct{}
	startOnce   sync.Once
	observeOnce sync.Once
	failSeq     uint64
}

func newConnectState(cfg *config) *connectState {
	c := &connectState{
		firstRetry: cmp.Or(cfg.connect.firstRetry, DefaultConnectFirstRetry),
		attempts:   cmp.Or(cfg.connect.attempts, DefaultConnectAttempts),
		client:     cfg.connect.client,
		configs:    map[string][]*accountmodels.ConnectCustomConfiguration{},
		seq:        connectFirstID,
		keys:       map[string][]string{},
		envNotes:   map[string][]models.EventNotification{},
		changed:    make(chan struct{}),
		kick:       make(chan struct{}, 1),
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: 10 * time.Second}
	}
	return c
}

// notifyLocked wakes WaitConnectIdle and the worker; c.mu must be held.
func (c *connectState) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// connectDelivery is one message to one listener, with its retries.
type connectDelivery struct {
	failureID  string
	accountID  string
	envelopeID string
	subject    string
	senderName string
	senderMail string
	url        string
	connectID  string
	msg        connectMessage
	sign       bool
	basicUser  string
	basicPass  string
	retry      bool

	attempts int
	next     time.Time
	created  time.Time
	lastTry  time.Time
	lastErr  string
	gaveUp   bool
	dropped  bool
}

// connectMessage is a JSON SIM message as DocuSign sends it.
type connectMessage struct {
	Event             string      `json:"event"`
	APIVersion        string      `json:"apiVersion"`
	URI               string      `json:"uri"`
	RetryCount        int         `json:"retryCount"`
	ConfigurationID   *int64      `json:"configurationId,omitempty"`
	GeneratedDateTime string      `json:"generatedDateTime"`
	Data              connectData `json:"data"`
}

type connectData struct {
	AccountID       string        `json:"accountId"`
	UserID          string        `json:"userId"`
	EnvelopeID      string        `json:"envelopeId"`
	RecipientID     string        `json:"recipientId,omitempty"`
	EnvelopeSummary *envelopeJSON `json:"envelopeSummary,omitempty"`
}

// SetConnectHMACKeys sets an account's Connect HMAC keys, as the Connect
// Keys page does: every message to a configuration with includeHMAC
// carries X-DocuSign-Signature-1 for the first key, -2 for the second, and
// so on. No keys: messages are not signed.
func (s *Server) SetConnectHMACKeys(accountID string, keys ...string) error {
	a := s.account(accountID)
	if a == nil {
		return errorf("SetConnectHMACKeys: no account %q", accountID)
	}
	for i, k := range keys {
		if k == "" {
			return errorf("SetConnectHMACKeys: key %d is empty", i+1)
		}
	}
	s.connect.mu.Lock()
	s.connect.keys[a.ID] = slices.Clone(keys)
	s.connect.mu.Unlock()
	return nil
}

// ConnectAttempts returns every Connect delivery attempt so far, oldest
// first.
func (s *Server) ConnectAttempts() []ConnectAttempt {
	s.connect.mu.Lock()
	defer s.connect.mu.Unlock()
	return slices.Clone(s.connect.history)
}

// WaitConnectIdle waits until no Connect message is waiting for delivery
// or a retry: each has been delivered or has failed for good. Retries are
// timed on the server's clock; with a frozen WithClock, Advance it.
func (s *Server) WaitConnectIdle(ctx context.Context) error {
	for {
		c := s.connect
		c.mu.Lock()
		pending := slices.ContainsFunc(c.queue, func(d *connectDelivery) bool { return !d.gaveUp })
		changed := c.changed
		c.mu.Unlock()
		if !pending {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return errorf("WaitConnectIdle: server closed")
		}
	}
}

// NotifyConnect publishes a Connect event for an envelope as if it
// happened now (e.g. "recipient-autoresponded" for recipient "1"), to
// every account configuration and envelope eventNotification subscribed
// to it. Lifecycle steps (OnEnvelopeEvent's events: creating, sending,
// signing, declining, voiding, ...) are published without it.
func (s *Server) NotifyConnect(envelopeID, event, recipientID string) error {
	if !strings.HasPrefix(event, "envelope-") && !strings.HasPrefix(event, "recipient-") {
		return errorf("NotifyConnect: event %q is not an envelope-* or recipient-* event", event)
	}
	s.mu.Lock()
	e := s.envelopesByID[strings.ToLower(envelopeID)]
	if e == nil {
		s.mu.Unlock()
		return errorf("NotifyConnect: no envelope %q", envelopeID)
	}
	snap := e.clone()
	s.mu.Unlock()
	s.connectObserve(EnvelopeEvent{Kind: EnvelopeEventKind(event), Time: s.Now(), RecipientID: recipientID, Envelope: snap})
	return nil
}

// observe starts publishing lifecycle steps, once the first subscriber
// (a configuration or an envelope's eventNotification) exists.
func (s *Server) observe() {
	s.connect.observeOnce.Do(func() { s.OnEnvelopeEvent(s.connectObserve) })
}

// connectObserve is the lifecycle observer: it publishes each step to its
// subscribers. It runs outside the server's locks.
func (s *Server) connectObserve(ev EnvelopeEvent) {
	e := &ev.Envelope
	include, ok := s.connect.includeFor(e.AccountID, e.SenderUserID, e.ID, string(ev.Kind))
	if !ok {
		return
	}
	s.mu.Lock()
	summary := s.envelopeJSONLocked(e, include)
	s.mu.Unlock()
	s.publish(e, summary, string(ev.Kind), ev.RecipientID, ev.Time)
}

// includeFor reports whether anyone subscribes to event for the envelope,
// and the union of the data (eventData.includeData) they ask for.
func (c *connectState) includeFor(accountID, senderID, envelopeID, event string) (include []string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	add := func(data *models.ConnectEventData) {
		ok = true
		if data != nil {
			for _, d := range data.IncludeData {
				if !containsFold(include, d) {
					include = append(include, d)
				}
			}
		}
	}
	for _, cfg := range c.configs[accountID] {
		if configWants(cfg, senderID, event) {
			add(cfg.EventData)
		}
	}
	for _, n := range c.envNotes[envelopeID] {
		if notificationWants(n, event) {
			add(n.EventData)
		}
	}
	return include, ok
}

func configWants(cfg *accountmodels.ConnectCustomConfiguration, senderID, event string) bool {
	return !strings.EqualFold(deref(cfg.AllowEnvelopePublish), "false") && subscribed(cfg.Events, cfg.EnvelopeEvents, cfg.RecipientEvents, event) &&
		(strings.EqualFold(deref(cfg.AllUsers), "true") || containsFold(cfg.UserIds, senderID))
}

func notificationWants(n models.EventNotification, event string) bool {
	var env, rcp []string
	for _, x := range n.EnvelopeEvents {
		env = append(env, deref(x.EnvelopeEventStatusCode))
	}
	for _, x := range n.RecipientEvents {
		rcp = append(rcp, deref(x.RecipientEventStatusCode))
	}
	return subscribed(n.Events, env, rcp, event)
}

// subscribeEnvelope records an envelope's eventNotification(s) from its
// create request.
func (s *Server) subscribeEnvelope(envelopeID string, notes []models.EventNotification) {
	if len(notes) == 0 {
		return
	}
	s.connect.mu.Lock()
	s.connect.envNotes[envelopeID] = notes
	s.connect.mu.Unlock()
	s.observe()
}

// publish queues event for every subscriber of the envelope e (a
// snapshot, or the live envelope with s.mu held), rendered as summary, as
// it happened at now. It takes only the Connect lock.
func (s *Server) publish(e *Envelope, summary envelopeJSON, event, recipientID string, now time.Time) {
	c := s.connect
	c.mu.Lock()
	defer c.mu.Unlock()
	base := connectMessage{
		Event:             event,
		APIVersion:        "v2.1",
		URI:               "/restapi/v2.1/accounts/" + e.AccountID + "/envelopes/" + e.ID,
		GeneratedDateTime: formatDS7(now),
		Data:              connectData{AccountID: e.AccountID, UserID: e.SenderUserID, EnvelopeID: e.ID, RecipientID: recipientID},
	}
	newDelivery := func(url string, includeData []string, sign string, ack string) *connectDelivery {
		d := &connectDelivery{
			accountID: e.AccountID, envelopeID: e.ID, subject: e.EmailSubject, url: url,
			msg: base, sign: sign == "true", retry: !strings.EqualFold(ack, "false"),
			created: now, next: now,
		}
		if summary.Sender != nil {
			d.senderName, d.senderMail = summary.Sender.UserName, summary.Sender.Email
		}
		if len(includeData) > 0 {
			sum := summary
			d.msg.Data.EnvelopeSummary = &sum
		}
		c.failSeq++
		d.failureID = guid(s.seed, domConnect, c.failSeq)
		return d
	}
	var added []*connectDelivery
	for _, cfg := range c.configs[e.AccountID] {
		if !configWants(cfg, e.SenderUserID, event) {
			continue
		}
		var includeData []string
		if cfg.EventData != nil {
			includeData = cfg.EventData.IncludeData
		}
		d := newDelivery(deref(cfg.URLToPublishTo), includeData, deref(cfg.IncludeHMAC), deref(cfg.RequiresAcknowledgement))
		d.connectID = deref(cfg.ConnectID)
		if id, err := strconv.ParseInt(d.connectID, 10, 64); err == nil {
			d.msg.ConfigurationID = &id
		}
		d.basicUser, d.basicPass = deref(cfg.UserName), deref(cfg.Password)
		added = append(added, d)
	}
	for _, n := range c.envNotes[e.ID] {
		if !notificationWants(n, event) {
			continue
		}
		var includeData []string
		if n.EventData != nil {
			includeData = n.EventData.IncludeData
		}
		added = append(added, newDelivery(deref(n.URL), includeData, deref(n.IncludeHMAC), deref(n.RequireAcknowledgment)))
	}
	if len(added) == 0 {
		return
	}
	c.queue = append(c.queue, added...)
	c.startOnce.Do(func() { go s.connectWorker() })
	c.notifyLocked()
}

// subscribed reports whether a configuration's events (JSON SIM names) or
// legacy envelopeEvents/recipientEvents (status names such as Completed)
// include event.
func subscribed(events, envelopeEvents, recipientEvents []string, event string) bool {
	if containsFold(events, event) {
		return true
	}
	if s, ok := strings.CutPrefix(event, "envelope-"); ok {
		return containsFold(envelopeEvents, s)
	}
	if s, ok := strings.CutPrefix(event, "recipient-"); ok {
		return containsFold(recipientEvents, s)
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// connectWorker delivers due messages one at a time until the server
// closes.
func (s *Server) connectWorker() {
	c := s.connect
	for {
		now := s.Now()
		c.mu.Lock()
		var due *connectDelivery
		for _, d := range c.queue {
			if !d.gaveUp && !d.next.After(now) {
				due = d
				break
			}
		}
		c.mu.Unlock()
		if due != nil {
			s.deliver(due)
			continue
		}
		t := time.NewTimer(connectPoll)
		select {
		case <-s.closing:
			t.Stop()
			return
		case <-c.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// deliver makes one attempt and reschedules or settles d.
func (s *Server) deliver(d *connectDelivery) {
	c := s.connect
	c.mu.Lock()
	msg := d.msg
	msg.RetryCount = d.attempts
	keys := c.keys[d.accountID]
	c.mu.Unlock()
	body, err := json.Marshal(msg)
	if err != nil {
		panic("docusigntest: encoding a Connect message: " + err.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	attempt := ConnectAttempt{URL: d.url, Event: msg.Event, EnvelopeID: d.envelopeID, ConnectID: d.connectID, Retry: msg.RetryCount, At: s.Now(), Body: body}
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if d.sign && len(keys) > 0 {
			req.Header.Set("X-Authorization-Digest", "HMACSHA256")
			for i, k := range keys {
				m := hmac.New(sha256.New, []byte(k))
				m.Write(body)
				req.Header.Set("X-DocuSign-Signature-"+strconv.Itoa(i+1), base64.StdEncoding.EncodeToString(m.Sum(nil)))
			}
		}
		if d.basicUser != "" {
			req.SetBasicAuth(d.basicUser, d.basicPass)
		}
		attempt.Header = req.Header.Clone()
		var res *http.Response
		res, err = c.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
			res.Body.Close()
			attempt.Status = res.StatusCode
			if res.StatusCode/100 != 2 {
				err = errors.New("the listener answered " + res.Status)
			}
		}
	}
	if err != nil {
		attempt.Err = err.Error()
	}
	now := s.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.history = append(c.history, attempt)
	d.attempts++
	d.lastTry = now
	switch {
	case d.dropped:
	case err == nil:
		c.queue = slices.DeleteFunc(c.queue, func(x *connectDelivery) bool { return x == d })
	default:
		d.lastErr = attempt.Err
		if !d.retry || d.attempts >= c.attempts {
			d.gaveUp = true
		} else {
			delay := c.firstRetry << (d.attempts - 1)
			if delay > connectMaxDelay || delay <= 0 {
				delay = connectMaxDelay
			}
			d.next = now.Add(delay)
		}
	}
	c.notifyLocked()
}

// connectRoutes are the Connect configuration, failure log and retry
// queue operations the fake serves. (The Connect log operations, whose
// paths the {connectId} routes would catch, are in shadowedOperations.)
func (s *Server) connectRoutes() []route {
	const es = "/restapi/v2.1/accounts/{accountId}"
	return []route{
		{"GET " + es + "/connect", s.esign(s.handleListConnect)},
		{"POST " + es + "/connect", s.esign(s.handleSaveConnect)},
		{"PUT " + es + "/connect", s.esign(s.handleSaveConnect)},
		{"GET " + es + "/connect/{connectId}", s.esign(s.handleGetConnect)},
		{"DELETE " + es + "/connect/{connectId}", s.esign(s.handleDeleteConnect)},
		{"GET " + es + "/connect/failures", s.esign(s.handleConnectFailures)},
		{"DELETE " + es + "/connect/failures/{failureId}", s.esign(s.handleDeleteConnectFailure)},
		{"PUT " + es + "/connect/envelopes/retry_queue", s.esign(s.handleConnectRetry)},
		{"PUT " + es + "/connect/envelopes/{envelopeId}/retry_queue", s.esign(s.handleConnectRetry)},
	}
}

// connectView is a configuration as GET returns it: the password is
// never sent back.
func connectView(cfg *accountmodels.ConnectCustomConfiguration) accountmodels.ConnectCustomConfiguration {
	out := *cfg
	out.Password = nil
	return out
}

func (s *Server) handleListConnect(w http.ResponseWriter, _ *http.Request, c *caller) {
	s.connect.mu.Lock()
	list := make([]accountmodels.ConnectCustomConfiguration, 0, len(s.connect.configs[c.account.ID]))
	for _, cfg := range s.connect.configs[c.account.ID] {
		list = append(list, connectView(cfg))
	}
	s.connect.mu.Unlock()
	total := strconv.Itoa(len(list))
	writeJSON(w, http.StatusOK, accountmodels.ConnectConfigResults{Configurations: list, TotalRecords: &total})
}

func (s *Server) findConnectLocked(accountID, id string) int {
	return slices.IndexFunc(s.connect.configs[accountID], func(c *accountmodels.ConnectCustomConfiguration) bool { return deref(c.ConnectID) == id })
}

func (s *Server) handleGetConnect(w http.ResponseWriter, r *http.Request, c *caller) {
	s.connect.mu.Lock()
	i := s.findConnectLocked(c.account.ID, r.PathValue("connectId"))
	var cfg accountmodels.ConnectCustomConfiguration
	if i >= 0 {
		cfg = connectView(s.connect.configs[c.account.ID][i])
	}
	s.connect.mu.Unlock()
	if i < 0 {
		writeNoConnect(w, r.PathValue("connectId"))
		return
	}
	one := "1"
	writeJSON(w, http.StatusOK, accountmodels.ConnectConfigResults{Configurations: []accountmodels.ConnectCustomConfiguration{cfg}, TotalRecords: &one})
}

func (s *Server) handleDeleteConnect(w http.ResponseWriter, r *http.Request, c *caller) {
	s.connect.mu.Lock()
	i := s.findConnectLocked(c.account.ID, r.PathValue("connectId"))
	if i >= 0 {
		s.connect.configs[c.account.ID] = slices.Delete(s.connect.configs[c.account.ID], i, i+1)
	}
	s.connect.mu.Unlock()
	if i < 0 {
		writeNoConnect(w, r.PathValue("connectId"))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handleSaveConnect serves POST (create) and PUT (update, by connectId in
// the body) of a configuration.
func (s *Server) handleSaveConnect(w http.ResponseWriter, r *http.Request, c *caller) {
	var cfg accountmodels.ConnectCustomConfiguration
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&cfg); err != nil {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing or improperly formatted. "+err.Error())
		return
	}
	if problems := validateConnect(&cfg); len(problems) > 0 {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The Connect configuration is invalid: "+strings.Join(problems, "; ")+".")
		return
	}
	s.observe()
	s.connect.mu.Lock()
	defer s.connect.mu.Unlock()
	list := s.connect.configs[c.account.ID]
	if r.Method == http.MethodPut {
		i := s.findConnectLocked(c.account.ID, deref(cfg.ConnectID))
		if i < 0 {
			writeNoConnect(w, quote(deref(cfg.ConnectID)))
			return
		}
		if cfg.Password == nil {
			cfg.Password = list[i].Password
		}
		list[i] = &cfg
		writeJSON(w, http.StatusOK, connectView(&cfg))
		return
	}
	s.connect.seq++
	id := strconv.Itoa(s.connect.seq)
	cfg.ConnectID = &id
	if cfg.ConfigurationType == nil {
		custom := "custom"
		cfg.ConfigurationType = &custom
	}
	s.connect.configs[c.account.ID] = append(list, &cfg)
	writeJSON(w, http.StatusCreated, connectView(&cfg))
}

// validateConnect lists what makes a configuration unusable.
func validateConnect(cfg *accountmodels.ConnectCustomConfiguration) []string {
	var problems []string
	if !absoluteHTTP(deref(cfg.URLToPublishTo)) {
		problems = append(problems, "urlToPublishTo must be an absolute http(s) URL")
	}
	if !strings.EqualFold(deref(cfg.AllUsers), "true") && len(cfg.UserIds) == 0 {
		problems = append(problems, "set allUsers to true or list userIds")
	}
	if len(cfg.Events) == 0 && len(cfg.EnvelopeEvents) == 0 && len(cfg.RecipientEvents) == 0 {
		problems = append(problems, "events is empty: the configuration would publish nothing")
	}
	if m := deref(cfg.DeliveryMode); m != "" && !strings.EqualFold(m, "SIM") {
		problems = append(problems, "deliveryMode "+quote(m)+": the fake publishes JSON SIM messages only (deliveryMode SIM)")
	}
	return problems
}

func (s *Server) handleConnectFailures(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	var from, to time.Time
	var problems []string
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from_date", &from}, {"to_date", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := parseDate(p.name, v)
			if err != nil {
				problems = append(problems, err.Error())
			}
			*p.t = t
		}
	}
	if len(problems) > 0 {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. "+strings.Join(problems, "; "))
		return
	}
	base := "/v2.1/accounts/" + c.account.ID + "/connect"
	failures := []accountmodels.ConnectLog{}
	s.connect.mu.Lock()
	for _, d := range s.connect.queue {
		if d.accountID != c.account.ID || d.attempts == 0 || (!from.IsZero() && d.created.Before(from)) || (!to.IsZero() && d.created.After(to)) {
			continue
		}
		status := "retrying"
		if d.gaveUp {
			status = "failed"
		}
		failures = append(failures, accountmodels.ConnectLog{
			AccountID: ptr(d.accountID), ConfigURL: ptr(d.url), ConnectID: ptr(d.connectID),
			Created: ptr(formatDS7(d.created)), LastTry: ptr(formatDS7(d.lastTry)),
			EnvelopeID: ptr(d.envelopeID), Error: ptr(d.lastErr), FailureID: ptr(d.failureID),
			FailureURI: ptr(base + "/failures/" + d.failureID), RetryURI: ptr(base + "/envelopes/" + d.envelopeID + "/retry_queue"),
			RetryCount: ptr(strconv.Itoa(d.attempts)), Status: ptr(status), Subject: ptr(d.subject),
			UserName: ptr(d.senderName), Email: ptr(d.senderMail),
		})
	}
	s.connect.mu.Unlock()
	total := strconv.Itoa(len(failures))
	writeJSON(w, http.StatusOK, accountmodels.ConnectLogs{Failures: failures, TotalRecords: &total, Type: ptr("failures")})
}

func ptr(s string) *string { return &s }

func (s *Server) handleDeleteConnectFailure(w http.ResponseWriter, r *http.Request, c *caller) {
	id := strings.ToLower(r.PathValue("failureId"))
	s.connect.mu.Lock()
	n := len(s.connect.queue)
	s.connect.queue = slices.DeleteFunc(s.connect.queue, func(d *connectDelivery) bool {
		if d.accountID == c.account.ID && d.attempts > 0 && (d.failureID == id || id == "all") {
			d.dropped = true
			return true
		}
		return false
	})
	deleted := n - len(s.connect.queue)
	s.connect.notifyLocked()
	s.connect.mu.Unlock()
	if deleted == 0 {
		writeESignError(w, http.StatusNotFound, "INVALID_CONNECT_FAILURE_ID", "No Connect failure "+r.PathValue("failureId")+" in this account.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

// handleConnectRetry requeues failed deliveries of the envelope in the
// path, or of the envelopeIds in the body, for an attempt now.
func (s *Server) handleConnectRetry(w http.ResponseWriter, r *http.Request, c *caller) {
	ids := []string{r.PathValue("envelopeId")}
	if ids[0] == "" {
		var f accountmodels.ConnectFailureFilter
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&f); err != nil || len(f.EnvelopeIds) == 0 {
			writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body must list envelopeIds to retry.")
			return
		}
		ids = f.EnvelopeIds
	}
	now := s.Now()
	var results []accountmodels.ConnectFailureResult
	s.connect.mu.Lock()
	for _, id := range ids {
		status, msg := "Failure", "no failed Connect delivery for this envelope"
		for _, d := range s.connect.queue {
			if d.accountID == c.account.ID && strings.EqualFold(d.envelopeID, id) && d.attempts > 0 {
				d.gaveUp, d.next = false, now
				status, msg = "Success", "queued for delivery"
			}
		}
		results = append(results, accountmodels.ConnectFailureResult{EnvelopeID: ptr(id), Status: ptr(status), StatusMessage: ptr(msg)})
	}
	s.connect.notifyLocked()
	s.connect.mu.Unlock()
	writeJSON(w, http.StatusOK, accountmodels.ConnectFailureResults{RetryQueue: results})
}

// notifications are a definition's eventNotification and
// eventNotifications together.
func (d *definition) notifications() []models.EventNotification {
	notes := slices.Clone(d.EventNotifications)
	if d.EventNotification != nil {
		notes = append(notes, *d.EventNotification)
	}
	return notes
}

// validateNotifications lists what makes an envelope's eventNotification
// unusable.
func validateNotifications(notes []models.EventNotification) []string {
	var problems []string
	for _, n := range notes {
		if !absoluteHTTP(deref(n.URL)) {
			problems = append(problems, "eventNotification.url must be an absolute http(s) URL")
		}
		if m := deref(n.DeliveryMode); m != "" && !strings.EqualFold(m, "SIM") {
			problems = append(problems, "eventNotification.deliveryMode "+quote(m)+": the fake publishes JSON SIM messages only (deliveryMode SIM)")
		}
	}
	return problems
}

// absoluteHTTP reports whether s is an absolute http(s) URL, as a Connect
// listener address must be.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func writeNoConnect(w http.ResponseWriter, id string) {
	writeESignError(w, http.StatusNotFound, "INVALID_CONNECT_CONFIGURATION_ID", "No Connect configuration "+id+" in this account.")
}
