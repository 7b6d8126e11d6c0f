package docusigntest

import (
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

// Envelope is an envelope the fake holds, seeded or created through the
// API. Server methods return copies.
type Envelope struct {
	ID           string
	AccountID    string
	SenderUserID string
	// Status is created, sent, delivered, completed, declined or voided.
	Status       string
	EmailSubject string
	EmailBlurb   string
	// TemplateID is the server template the envelope was created from.
	TemplateID    string
	VoidedReason  string
	Created       time.Time
	Sent          time.Time // zero while a draft
	Delivered     time.Time
	Completed     time.Time
	Declined      time.Time
	Voided        time.Time
	StatusChanged time.Time
	LastModified  time.Time
	Documents     []Document
	Recipients    []Recipient
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
		}
		if e.Status != EnvelopeCreated {
			e.Sent = created.Add(time.Minute)
		}
		switch e.Status {
		case EnvelopeDelivered:
			e.Delivered = changed
		case EnvelopeCompleted:
			e.Completed = changed
		case EnvelopeDeclined:
			e.Declined = changed
		case EnvelopeVoided:
			e.Voided, e.VoidedReason = changed, "Superseded by a newer version"
		}
		for d := 0; d < 1+int(r>>50)%3; d++ {
			e.Documents = append(e.Documents, Document{ID: strconv.Itoa(d + 1), Name: subjects[(int(r>>44)+d)%len(subjects)] + ".pdf", Order: d + 1, Added: created})
		}
		for k := 0; k < 1+int(r>>54)%4; k++ {
			e.Recipients = append(e.Recipients, s.seedRecipient(e, i, k, r))
		}
		s.envelopes = append(s.envelopes, e)
		s.envelopesByID[e.ID] = e
	}
}

// seedRecipient makes signer k of seeded envelope i, its status consistent
// with the envelope's.
func (s *Server) seedRecipient(e *Envelope, i, k int, r uint64) Recipient {
	rr := rnd(s.seed, domEnvelope, uint64(i)<<8|uint64(k), 3)
	first := firstNames[rr%uint64(len(firstNames))]
	last := lastNames[(rr>>16)%uint64(len(lastNames))]
	rec := Recipient{
		ID:           strconv.Itoa(k + 1),
		GUID:         guid(s.seed, domEnvelope, uint64(i)<<8|uint64(k)|1<<44),
		Type:         "signers",
		Name:         first + " " + last,
		Email:        strings.ToLower(first+"."+last) + "@example.org",
		RoutingOrder: 1,
		Status:       RecipientCreated,
	}
	if !e.Sent.IsZero() {
		rec.Sent = e.Sent
		rec.Status = RecipientSent
	}
	switch e.Status {
	case EnvelopeDelivered:
		rec.Status, rec.Delivered = RecipientDelivered, e.Delivered
	case EnvelopeCompleted:
		rec.Status, rec.Delivered, rec.Signed = RecipientCompleted, e.Completed, e.Completed
	case EnvelopeDeclined:
		if k == 0 {
			rec.Status, rec.Delivered, rec.Declined, rec.DeclinedReason = RecipientDeclined, e.Declined, e.Declined, "Terms not acceptable"
		}
	}
	return rec
}

// Envelopes returns copies of the envelopes of an account, in creation
// order.
func (s *Server) Envelopes(accountID string) []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ofAccount(s.envelopes, accountID, func(e *Envelope) string { return e.AccountID }, (*Envelope).clone)
}

// ofAccount returns copies of the items of an account, in order; s.mu
// held.
func ofAccount[T any](items []*T, accountID string, account func(*T) string, clone func(*T) T) []T {
	var out []T
	for _, it := range items {
		if strings.EqualFold(account(it), accountID) {
			out = append(out, clone(it))
		}
	}
	return out
}

// Envelope returns a copy of one envelope, documents and recipients
// included.
func (s *Server) Envelope(id string) (Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.envelopesByID[strings.ToLower(id)]
	if e == nil {
		return Envelope{}, false
	}
	return e.clone(), true
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

// SetEnvelopeStatus forces an envelope's status, stamping the change with
// the server's now so that a status-change poll picks it up, without
// moving its recipients; like every step it records the Monitor event and
// reaches OnEnvelopeEvent observers. To move an envelope along as recipients would,
// use DeliverRecipient, SignRecipient, DeclineRecipient, CompleteEnvelope
// and VoidEnvelope.
func (s *Server) SetEnvelopeStatus(envelopeID, status string) error {
	status = strings.ToLower(status)
	if !containsFold(envelopeStatuses, status) {
		return errorf("SetEnvelopeStatus: status %q is not one of %s", status, strings.Join(envelopeStatuses, ", "))
	}
	s.mu.Lock()
	e := s.envelopesByID[strings.ToLower(envelopeID)]
	if e == nil {
		s.mu.Unlock()
		return errorf("SetEnvelopeStatus: no envelope %q", envelopeID)
	}
	c := s.changeOf(e, "", "")
	c.envelopeStatus(status)
	if status != EnvelopeCreated && e.Sent.IsZero() {
		e.Sent = c.now
	}
	s.mu.Unlock()
	s.hooks.flush()
	return nil
}

// lookupEnvelope finds an envelope of the caller's account; s.mu held.
func (s *Server) lookupEnvelope(c *caller, id string) *Envelope {
	e := s.envelopesByID[strings.ToLower(id)]
	if e == nil || e.AccountID != c.account.ID {
		return nil
	}
	return e
}

func writeNoEnvelope(w http.ResponseWriter, id string) {
	writeESignError(w, http.StatusNotFound, "ENVELOPE_DOES_NOT_EXIST", "The envelope "+id+" does not exist or you have no rights to it.")
}

// envelopeJSON is an envelope as GET and list return it.
type envelopeJSON struct {
	EnvelopeID            string             `json:"envelopeId"`
	Status                string             `json:"status"`
	EmailSubject          string             `json:"emailSubject"`
	EmailBlurb            string             `json:"emailBlurb,omitempty"`
	EnvelopeURI           string             `json:"envelopeUri"`
	DocumentsURI          string             `json:"documentsUri"`
	DocumentsCombinedURI  string             `json:"documentsCombinedUri"`
	RecipientsURI         string             `json:"recipientsUri"`
	CustomFieldsURI       string             `json:"customFieldsUri"`
	NotificationURI       string             `json:"notificationUri"`
	CertificateURI        string             `json:"certificateUri"`
	TemplatesURI          string             `json:"templatesUri"`
	CreatedDateTime       string             `json:"createdDateTime"`
	SentDateTime          string             `json:"sentDateTime,omitempty"`
	InitialSentDateTime   string             `json:"initialSentDateTime,omitempty"`
	DeliveredDateTime     string             `json:"deliveredDateTime,omitempty"`
	CompletedDateTime     string             `json:"completedDateTime,omitempty"`
	DeclinedDateTime      string             `json:"declinedDateTime,omitempty"`
	VoidedDateTime        string             `json:"voidedDateTime,omitempty"`
	VoidedReason          string             `json:"voidedReason,omitempty"`
	StatusChangedDateTime string             `json:"statusChangedDateTime"`
	LastModifiedDateTime  string             `json:"lastModifiedDateTime"`
	EnvelopeLocation      string             `json:"envelopeLocation"`
	SigningLocation       string             `json:"signingLocation"`
	PurgeState            string             `json:"purgeState"`
	Is21CFRPart11         string             `json:"is21CFRPart11"`
	IsSignatureProvider   string             `json:"isSignatureProviderEnvelope"`
	TemplateID            string             `json:"templateId,omitempty"`
	Sender                *envelopeUser      `json:"sender,omitempty"`
	Recipients            *recipientsJSON    `json:"recipients,omitempty"`
	EnvelopeDocuments     []envelopeDocument `json:"envelopeDocuments,omitempty"`
}

type envelopeUser struct {
	UserName  string `json:"userName"`
	UserID    string `json:"userId"`
	AccountID string `json:"accountId"`
	Email     string `json:"email"`
}

// dateOrEmpty formats t, or "" for a zero time.
func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDS7(t)
}

// envelopeJSONLocked renders e with the include options (recipients,
// tabs, documents); s.mu must be held.
func (s *Server) envelopeJSONLocked(e *Envelope, include []string) envelopeJSON {
	uri := "/envelopes/" + e.ID
	out := envelopeJSON{
		EnvelopeID:            e.ID,
		Status:                e.Status,
		EmailSubject:          e.EmailSubject,
		EmailBlurb:            e.EmailBlurb,
		EnvelopeURI:           uri,
		DocumentsURI:          uri + "/documents",
		DocumentsCombinedURI:  uri + "/documents/combined",
		RecipientsURI:         uri + "/recipients",
		CustomFieldsURI:       uri + "/custom_fields",
		NotificationURI:       uri + "/notification",
		CertificateURI:        uri + "/documents/certificate",
		TemplatesURI:          uri + "/templates",
		CreatedDateTime:       formatDS7(e.Created),
		SentDateTime:          dateOrEmpty(e.Sent),
		InitialSentDateTime:   dateOrEmpty(e.Sent),
		DeliveredDateTime:     dateOrEmpty(e.Delivered),
		CompletedDateTime:     dateOrEmpty(e.Completed),
		DeclinedDateTime:      dateOrEmpty(e.Declined),
		VoidedDateTime:        dateOrEmpty(e.Voided),
		VoidedReason:          e.VoidedReason,
		StatusChangedDateTime: formatDS7(e.StatusChanged),
		LastModifiedDateTime:  formatDS7(e.LastModified),
		EnvelopeLocation:      "current_site",
		SigningLocation:       "online",
		PurgeState:            "unpurged",
		Is21CFRPart11:         "false",
		IsSignatureProvider:   "false",
		TemplateID:            e.TemplateID,
	}
	if u := s.usersByID[e.SenderUserID]; u != nil {
		out.Sender = &envelopeUser{UserName: u.UserName, UserID: u.ID, AccountID: e.AccountID, Email: u.Email}
	}
	if containsFold(include, "recipients") {
		out.Recipients = recipientsOf(e.Recipients, containsFold(include, "tabs"), e.Status)
	}
	if containsFold(include, "documents") {
		out.EnvelopeDocuments = documentsOf(e)
	}
	return out
}

// handleGetEnvelope serves GET accounts/{accountId}/envelopes/{envelopeId}.
func (s *Server) handleGetEnvelope(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	e := s.lookupEnvelope(c, r.PathValue("envelopeId"))
	var out envelopeJSON
	if e != nil {
		out = s.envelopeJSONLocked(e, splitList(r.URL.Query().Get("include")))
	}
	s.mu.Unlock()
	if e == nil {
		writeNoEnvelope(w, r.PathValue("envelopeId"))
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
	include := splitList(q.Get("include"))
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
		page = append(page, s.envelopeJSONLocked(matched[i], include))
	}
	s.mu.Unlock()

	list := newESignList("/v2.1/accounts/"+c.account.ID+"/envelopes", q, start, count, len(page), total)
	writeJSON(w, http.StatusOK, struct {
		Envelopes []envelopeJSON `json:"envelopes,omitempty"`
		esignList
		LastQueriedDateTime string `json:"lastQueriedDateTime"`
	}{page, list, formatDS7(to)})
}
