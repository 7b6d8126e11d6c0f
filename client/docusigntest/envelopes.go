package docusigntest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Envelope list limits.
const (
	EnvelopesDefaultCount = 100
	EnvelopesMaxCount     = 1000
)

// Envelope is an envelope the fake holds, seeded or created through the API.
type Envelope struct {
	ID           string
	AccountID    string
	SenderUserID string
	// Status is created, sent, delivered, completed, declined or voided.
	Status        string
	EmailSubject  string
	Created       time.Time
	Sent          time.Time // zero while a draft
	StatusChanged time.Time
	LastModified  time.Time
	Documents     int
	Recipients    int
}

var envelopeStatuses = []string{"created", "sent", "delivered", "signed", "completed", "declined", "voided"}

var seedStatuses = []string{"completed", "completed", "sent", "delivered", "completed", "voided", "declined", "created"}

// seedEnvelopes puts n envelopes into the default account with status
// changes spread over the 30 days before start.
func (s *Server) seedEnvelopes(n int, start time.Time) {
	if n == 0 {
		return
	}
	acct := s.accounts[0].ID
	var senders []*User
	for _, u := range s.users {
		if u.memberOf(acct) && u.Status == StatusActive && u.PermissionProfileName != ProfileViewer {
			senders = append(senders, u)
		}
	}
	span := 30 * 24 * time.Hour
	step := span / time.Duration(n)
	base := start.Add(-span).Truncate(time.Millisecond)
	for i := 0; i < n; i++ {
		r := rnd(s.seed, domEnvelope, uint64(i), 2)
		changed := base.Add(time.Duration(i)*step + time.Duration(r%uint64(max(step/2, 1)))).Truncate(time.Millisecond)
		created := changed.Add(-time.Duration((r>>20)%(3*24*3600)) * time.Second)
		e := &Envelope{
			ID:            guid(s.seed, domEnvelope, uint64(i)),
			AccountID:     acct,
			SenderUserID:  senders[(r>>8)%uint64(len(senders))].ID,
			Status:        seedStatuses[(r>>40)%uint64(len(seedStatuses))],
			EmailSubject:  subjects[(r>>44)%uint64(len(subjects))] + " #" + strconv.Itoa(1000+i),
			Created:       created,
			StatusChanged: changed,
			LastModified:  changed,
			Documents:     1 + int(r>>50)%3,
			Recipients:    1 + int(r>>54)%4,
		}
		if e.Status != "created" {
			e.Sent = created.Add(time.Minute)
		}
		s.envelopes = append(s.envelopes, e)
		s.envelopesByID[e.ID] = e
	}
}

// Envelopes returns copies of the envelopes of an account, in creation
// order.
func (s *Server) Envelopes(accountID string) []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Envelope
	for _, e := range s.envelopes {
		if strings.EqualFold(e.AccountID, accountID) {
			out = append(out, *e)
		}
	}
	return out
}

// EnvelopeCount is how many envelopes an account holds.
func (s *Server) EnvelopeCount(accountID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.envelopes {
		if strings.EqualFold(e.AccountID, accountID) {
			n++
		}
	}
	return n
}

// SetEnvelopeStatus changes an envelope's status as if a recipient acted,
// stamping the status change with the server's now so that a status-change
// poll picks it up.
func (s *Server) SetEnvelopeStatus(envelopeID, status string) error {
	status = strings.ToLower(status)
	if !containsFold(envelopeStatuses, status) {
		return errorf("SetEnvelopeStatus: status %q is not one of %s", status, strings.Join(envelopeStatuses, ", "))
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.envelopesByID[strings.ToLower(envelopeID)]
	if e == nil {
		return errorf("SetEnvelopeStatus: no envelope %q", envelopeID)
	}
	e.Status = status
	e.StatusChanged, e.LastModified = now, now
	if status != "created" && e.Sent.IsZero() {
		e.Sent = now
	}
	return nil
}

// envelopeDefinition is the part of a create request the fake checks.
type envelopeDefinition struct {
	Status             string                     `json:"status"`
	EmailSubject       string                     `json:"emailSubject"`
	Documents          []json.RawMessage          `json:"documents"`
	TemplateID         string                     `json:"templateId"`
	CompositeTemplates []json.RawMessage          `json:"compositeTemplates"`
	TemplateRoles      []json.RawMessage          `json:"templateRoles"`
	Recipients         map[string]json.RawMessage `json:"recipients"`
}

// handleCreateEnvelope serves POST accounts/{accountId}/envelopes, with a
// JSON body or a multipart body whose first part is the JSON definition.
func (s *Server) handleCreateEnvelope(w http.ResponseWriter, r *http.Request, c *caller) {
	def, extraDocs, err := readEnvelopeDefinition(r)
	if err != nil {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing or improperly formatted. "+err.Error())
		return
	}
	var problems []string
	status := strings.ToLower(def.Status)
	switch status {
	case "":
		status = "created"
	case "sent", "created":
	default:
		problems = append(problems, "status "+quote(def.Status)+" cannot be set on create: use sent or created")
	}
	if status == "sent" && strings.TrimSpace(def.EmailSubject) == "" {
		problems = append(problems, "emailSubject is required to send an envelope")
	}
	docs := len(def.Documents) + extraDocs
	if docs == 0 && def.TemplateID == "" && len(def.CompositeTemplates) == 0 {
		problems = append(problems, "the envelope needs at least one document, a templateId or compositeTemplates")
	}
	if len(problems) > 0 {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing or improperly formatted. "+strings.Join(problems, "; ")+".")
		return
	}
	recipients := len(def.TemplateRoles)
	for _, raw := range def.Recipients {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			recipients += len(list)
		}
	}
	now := s.Now()
	s.mu.Lock()
	e := &Envelope{
		ID:            guid(s.seed, domEnvelope, uint64(1<<40+len(s.envelopes))),
		AccountID:     c.account.ID,
		SenderUserID:  c.user.ID,
		Status:        status,
		EmailSubject:  def.EmailSubject,
		Created:       now,
		StatusChanged: now,
		LastModified:  now,
		Documents:     docs,
		Recipients:    recipients,
	}
	if status == "sent" {
		e.Sent = now
	}
	s.envelopes = append(s.envelopes, e)
	s.envelopesByID[e.ID] = e
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{
		"envelopeId":     e.ID,
		"uri":            "/envelopes/" + e.ID,
		"statusDateTime": formatDS7(now),
		"status":         status,
	})
}

// readEnvelopeDefinition decodes the definition and counts documents sent
// as further multipart parts.
func readEnvelopeDefinition(r *http.Request) (*envelopeDefinition, int, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, 0, err
	}
	extra := 0
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		first, err := mr.NextPart()
		if err != nil {
			return nil, 0, errors.New("the multipart body has no parts: " + err.Error())
		}
		body, err = io.ReadAll(first)
		if err != nil {
			return nil, 0, err
		}
		for {
			if _, err := mr.NextPart(); err != nil {
				break
			}
			extra++
		}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, 0, errors.New("the body must be a JSON object (an envelopeDefinition)")
	}
	var def envelopeDefinition
	if err := json.Unmarshal(trimmed, &def); err != nil {
		return nil, 0, errors.New(err.Error())
	}
	return &def, extra, nil
}

// envelopeJSON is an envelope as GET and list return it.
type envelopeJSON struct {
	EnvelopeID            string        `json:"envelopeId"`
	Status                string        `json:"status"`
	EmailSubject          string        `json:"emailSubject"`
	EnvelopeURI           string        `json:"envelopeUri"`
	DocumentsURI          string        `json:"documentsUri"`
	DocumentsCombinedURI  string        `json:"documentsCombinedUri"`
	RecipientsURI         string        `json:"recipientsUri"`
	CustomFieldsURI       string        `json:"customFieldsUri"`
	NotificationURI       string        `json:"notificationUri"`
	CertificateURI        string        `json:"certificateUri"`
	CreatedDateTime       string        `json:"createdDateTime"`
	SentDateTime          string        `json:"sentDateTime,omitempty"`
	InitialSentDateTime   string        `json:"initialSentDateTime,omitempty"`
	DeliveredDateTime     string        `json:"deliveredDateTime,omitempty"`
	CompletedDateTime     string        `json:"completedDateTime,omitempty"`
	DeclinedDateTime      string        `json:"declinedDateTime,omitempty"`
	VoidedDateTime        string        `json:"voidedDateTime,omitempty"`
	StatusChangedDateTime string        `json:"statusChangedDateTime"`
	LastModifiedDateTime  string        `json:"lastModifiedDateTime"`
	EnvelopeLocation      string        `json:"envelopeLocation"`
	SigningLocation       string        `json:"signingLocation"`
	PurgeState            string        `json:"purgeState"`
	Is21CFRPart11         string        `json:"is21CFRPart11"`
	IsSignatureProvider   string        `json:"isSignatureProviderEnvelope"`
	Sender                *envelopeUser `json:"sender,omitempty"`
}

type envelopeUser struct {
	UserName  string `json:"userName"`
	UserID    string `json:"userId"`
	AccountID string `json:"accountId"`
	Email     string `json:"email"`
}

// envelopeJSONLocked renders e; s.mu must be held.
func (s *Server) envelopeJSONLocked(e *Envelope) envelopeJSON {
	uri := "/envelopes/" + e.ID
	out := envelopeJSON{
		EnvelopeID:            e.ID,
		Status:                e.Status,
		EmailSubject:          e.EmailSubject,
		EnvelopeURI:           uri,
		DocumentsURI:          uri + "/documents",
		DocumentsCombinedURI:  uri + "/documents/combined",
		RecipientsURI:         uri + "/recipients",
		CustomFieldsURI:       uri + "/custom_fields",
		NotificationURI:       uri + "/notification",
		CertificateURI:        uri + "/documents/certificate",
		CreatedDateTime:       formatDS7(e.Created),
		StatusChangedDateTime: formatDS7(e.StatusChanged),
		LastModifiedDateTime:  formatDS7(e.LastModified),
		EnvelopeLocation:      "current_site",
		SigningLocation:       "online",
		PurgeState:            "unpurged",
		Is21CFRPart11:         "false",
		IsSignatureProvider:   "false",
	}
	if !e.Sent.IsZero() {
		out.SentDateTime = formatDS7(e.Sent)
		out.InitialSentDateTime = out.SentDateTime
	}
	switch e.Status {
	case "delivered":
		out.DeliveredDateTime = out.StatusChangedDateTime
	case "completed":
		out.CompletedDateTime = out.StatusChangedDateTime
	case "declined":
		out.DeclinedDateTime = out.StatusChangedDateTime
	case "voided":
		out.VoidedDateTime = out.StatusChangedDateTime
	}
	if u := s.usersByID[e.SenderUserID]; u != nil {
		out.Sender = &envelopeUser{UserName: u.UserName, UserID: u.ID, AccountID: e.AccountID, Email: u.Email}
	}
	return out
}

// handleGetEnvelope serves GET accounts/{accountId}/envelopes/{envelopeId}.
func (s *Server) handleGetEnvelope(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	e := s.envelopesByID[strings.ToLower(r.PathValue("envelopeId"))]
	var out envelopeJSON
	if e != nil && e.AccountID == c.account.ID {
		out = s.envelopeJSONLocked(e)
	} else {
		e = nil
	}
	s.mu.Unlock()
	if e == nil {
		writeESignError(w, http.StatusNotFound, "ENVELOPE_DOES_NOT_EXIST", "The envelope "+r.PathValue("envelopeId")+" does not exist or you have no rights to it.")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleListEnvelopes serves GET accounts/{accountId}/envelopes: status
// changes since from_date, paged.
func (s *Server) handleListEnvelopes(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	bad := func(msg string) {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. "+msg)
	}
	start, count, problem := esignPaging(q, EnvelopesDefaultCount, EnvelopesMaxCount)
	if problem != "" {
		bad(problem)
		return
	}
	ids := splitList(q.Get("envelope_ids"))
	var from, to time.Time
	var problems []string
	if v := q.Get("from_date"); v != "" {
		t, err := parseDate("from_date", v)
		if err != nil {
			problems = append(problems, err.Error())
		}
		from = t
	} else if len(ids) == 0 {
		problems = append(problems, "from_date is required unless envelope_ids is given")
	}
	to = s.Now()
	if v := q.Get("to_date"); v != "" {
		t, err := parseDate("to_date", v)
		if err != nil {
			problems = append(problems, err.Error())
		}
		to = t
	}
	field := q.Get("from_to_status")
	if field == "" {
		field = "changed"
	}
	if field != "changed" && field != "created" && field != "sent" {
		problems = append(problems, "from_to_status="+quote(field)+" is not supported: use changed, created or sent")
	}
	desc := false
	switch strings.ToLower(q.Get("order")) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		problems = append(problems, "order="+quote(q.Get("order"))+" must be asc or desc")
	}
	if len(problems) > 0 {
		bad(strings.Join(problems, "; "))
		return
	}
	statuses := splitList(q.Get("status"))
	if containsFold(statuses, "any") {
		statuses = nil
	}
	when := func(e *Envelope) time.Time {
		switch field {
		case "created":
			return e.Created
		case "sent":
			return e.Sent
		}
		return e.StatusChanged
	}

	s.mu.Lock()
	var matched []*Envelope
	for _, e := range s.envelopes {
		t := when(e)
		if e.AccountID != c.account.ID ||
			(len(ids) > 0 && !containsFold(ids, e.ID)) ||
			(len(statuses) > 0 && !containsFold(statuses, e.Status)) ||
			(!from.IsZero() && (t.IsZero() || t.Before(from) || t.After(to))) {
			continue
		}
		matched = append(matched, e)
	}
	sort.SliceStable(matched, func(i, j int) bool {
		ti, tj := when(matched[i]), when(matched[j])
		if !ti.Equal(tj) {
			return ti.Before(tj) != desc
		}
		return matched[i].ID < matched[j].ID
	})
	total := len(matched)
	var page []envelopeJSON
	for i := start; i < total && i < start+count; i++ {
		page = append(page, s.envelopeJSONLocked(matched[i]))
	}
	s.mu.Unlock()

	list := newESignList("/v2.1/accounts/"+c.account.ID+"/envelopes", q, start, count, len(page), total)
	writeJSON(w, http.StatusOK, struct {
		Envelopes []envelopeJSON `json:"envelopes,omitempty"`
		esignList
		LastQueriedDateTime string `json:"lastQueriedDateTime"`
	}{page, list, formatDS7(to)})
}
