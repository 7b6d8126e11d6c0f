package docusigntest

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// The envelope lifecycle: statuses of envelopes and recipients, routing
// order, and what each transition records (timestamps from the fake's
// clock, a Monitor event, an EnvelopeEvent for observers). Every function
// here runs with s.mu held and only queues notifications; the caller
// dispatches them after unlocking (see hooks.go).

// Envelope statuses.
const (
	EnvelopeCreated   = "created"
	EnvelopeSent      = "sent"
	EnvelopeDelivered = "delivered"
	EnvelopeCompleted = "completed"
	EnvelopeDeclined  = "declined"
	EnvelopeVoided    = "voided"
)

// Recipient statuses, as the recipients list reports them.
const (
	RecipientCreated   = "created"
	RecipientSent      = "sent"
	RecipientDelivered = "delivered"
	RecipientCompleted = "completed"
	RecipientDeclined  = "declined"
)

// Document is one document of an envelope or template.
type Document struct {
	// ID is the documentId ("1", "2", ...).
	ID string
	// Name is the file name, e.g. "contract.pdf".
	Name string
	// Order is the position in combined downloads, from 1.
	Order int
	// Content is the bytes as uploaded; nil for seeded documents. Downloads
	// return it when it is a whole PDF and otherwise a generated PDF that
	// names the document.
	Content []byte
	// Added is when the document was added or last replaced.
	Added time.Time
}

// Recipient is one recipient of an envelope or template.
type Recipient struct {
	// ID is the recipientId ("1", "2", ...); GUID the recipientIdGuid.
	ID   string
	GUID string
	// Type is the recipients member the recipient is listed under:
	// signers, carbonCopies, certifiedDeliveries, agents, editors,
	// intermediaries, inPersonSigners, witnesses, notaries or seals.
	Type         string
	Name         string
	Email        string
	RoleName     string
	ClientUserID string
	RoutingOrder int
	// Status is created, sent, delivered, completed or declined.
	Status         string
	DeclinedReason string
	Sent           time.Time
	Delivered      time.Time
	Signed         time.Time
	Declined       time.Time
	// Tabs is the tabs object as stored (tab type -> list of tabs), with
	// tabId, recipientId and documentId filled in.
	Tabs map[string][]map[string]any
	// Extra holds the members the fake does not interpret, echoed back
	// as they were sent.
	Extra map[string]any
}

// acts reports whether the recipient must act for the envelope to
// complete; carbon copies only receive it.
func (r *Recipient) acts() bool { return r.Type != "carbonCopies" }

func (r *Recipient) clone() Recipient {
	c := *r
	if r.Tabs != nil {
		c.Tabs = make(map[string][]map[string]any, len(r.Tabs))
		for k, list := range r.Tabs {
			cl := make([]map[string]any, len(list))
			for i, t := range list {
				cl[i] = cloneMap(t)
			}
			c.Tabs[k] = cl
		}
	}
	c.Extra = cloneMap(r.Extra)
	return c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (e *Envelope) clone() Envelope {
	c := *e
	c.Documents = make([]Document, len(e.Documents))
	copy(c.Documents, e.Documents)
	c.Recipients = make([]Recipient, len(e.Recipients))
	for i := range e.Recipients {
		c.Recipients[i] = e.Recipients[i].clone()
	}
	return c
}

// recipient finds a recipient by recipientId or recipientIdGuid.
func (e *Envelope) recipient(id string) *Recipient {
	for i := range e.Recipients {
		r := &e.Recipients[i]
		if r.ID == id || strings.EqualFold(r.GUID, id) {
			return r
		}
	}
	return nil
}

func (e *Envelope) document(id string) *Document {
	for i := range e.Documents {
		if e.Documents[i].ID == id {
			return &e.Documents[i]
		}
	}
	return nil
}

// inProcess reports whether recipients can still act: sent or delivered.
func (e *Envelope) inProcess() bool {
	return e.Status == EnvelopeSent || e.Status == EnvelopeDelivered
}

// sortRecipients orders recipients by routing order, then recipient ID.
func sortRecipients(rs []Recipient) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].RoutingOrder != rs[j].RoutingOrder {
			return rs[i].RoutingOrder < rs[j].RoutingOrder
		}
		return idLess(rs[i].ID, rs[j].ID)
	})
}

// idLess orders numeric IDs numerically and others as strings.
func idLess(a, b string) bool {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	if ea == nil && eb == nil {
		return na < nb
	}
	return a < b
}

// change is one lifecycle step in progress: it stamps times and queues the
// observers' events and the Monitor record.
type change struct {
	s     *Server
	e     *Envelope
	now   time.Time
	actor string // user ID recorded in Monitor; the sender when empty
	ua    string
}

func (s *Server) changeOf(e *Envelope, actor, userAgent string) *change {
	return &change{s: s, e: e, now: s.Now(), actor: actor, ua: userAgent}
}

// touch marks the envelope modified.
func (c *change) touch() { c.e.LastModified = c.now }

// envelopeStatus moves the envelope to status, stamping its times,
// recording the Monitor event and queueing the observers' event.
func (c *change) envelopeStatus(status string) {
	e := c.e
	e.Status = status
	e.StatusChanged, e.LastModified = c.now, c.now
	var kind EnvelopeEventKind
	var action string
	switch status {
	case EnvelopeSent:
		if e.Sent.IsZero() {
			e.Sent = c.now
		}
		kind, action = EventEnvelopeSent, MonitorActionSent
	case EnvelopeDelivered:
		e.Delivered = c.now
		kind, action = EventEnvelopeDelivered, ""
	case EnvelopeCompleted:
		e.Completed = c.now
		kind, action = EventEnvelopeCompleted, MonitorActionCompleted
	case EnvelopeDeclined:
		e.Declined = c.now
		kind, action = EventEnvelopeDeclined, MonitorActionDeclined
	case EnvelopeVoided:
		e.Voided = c.now
		kind, action = EventEnvelopeVoided, MonitorActionVoided
	case EnvelopeCreated:
		kind = EventEnvelopeCreated
	}
	c.monitor(action)
	c.notify(kind, "")
}

// monitor records an Envelope event in the Monitor stream (no-op for an
// empty action).
func (c *change) monitor(action string) {
	if action == "" {
		return
	}
	actor := c.actor
	if actor == "" {
		actor = c.e.SenderUserID
	}
	data := map[string]string{"EnvelopeId": c.e.ID, "Subject": c.e.EmailSubject}
	if action == MonitorActionVoided {
		data["VoidedReason"] = c.e.VoidedReason
	}
	c.s.events.record(c.now, monitorRecord{
		accountID: c.e.AccountID, userID: actor, object: MonitorObjectEnvelope, action: action,
		userAgent: c.ua, data: data,
	})
}

func (c *change) notify(kind EnvelopeEventKind, recipientID string) {
	if kind == "" {
		return
	}
	c.s.hooks.queue(EnvelopeEvent{Kind: kind, Time: c.now, RecipientID: recipientID, Envelope: c.e.clone()})
}

// send moves a draft (or a corrected envelope) along: the first routing
// order's recipients get it.
func (c *change) send() {
	for i := range c.e.Recipients {
		r := &c.e.Recipients[i]
		if r.Status == "" {
			r.Status = RecipientCreated
		}
	}
	c.envelopeStatus(EnvelopeSent)
	c.route()
}

// route sends the envelope to every recipient of the lowest routing order
// that has not finished, and completes the envelope when all who must act
// have.
func (c *change) route() {
	e := c.e
	sortRecipients(e.Recipients)
	current := -1
	for i := range e.Recipients {
		r := &e.Recipients[i]
		if r.acts() && r.Status != RecipientCompleted {
			current = r.RoutingOrder
			break
		}
	}
	if current < 0 && len(e.Recipients) > 0 {
		for i := range e.Recipients {
			r := &e.Recipients[i]
			if r.Status != RecipientCompleted {
				if r.Sent.IsZero() {
					r.Sent = c.now
				}
				r.Status = RecipientCompleted
				r.Signed = c.now
				c.notify(EventRecipientCompleted, r.ID)
			}
		}
		c.envelopeStatus(EnvelopeCompleted)
		return
	}
	if current < 0 {
		return // no recipients yet: the envelope waits for some
	}
	for i := range e.Recipients {
		r := &e.Recipients[i]
		if r.Status == RecipientCreated && r.RoutingOrder <= current {
			r.Status = RecipientSent
			r.Sent = c.now
			c.notify(EventRecipientSent, r.ID)
		}
	}
}

// deliver records that a recipient opened the envelope.
func (c *change) deliver(r *Recipient) {
	if r.Status != RecipientSent {
		return
	}
	r.Status = RecipientDelivered
	r.Delivered = c.now
	c.touch()
	c.notify(EventRecipientDelivered, r.ID)
	for i := range c.e.Recipients {
		o := &c.e.Recipients[i]
		if o.acts() && o.Status != RecipientDelivered && o.Status != RecipientCompleted {
			return
		}
	}
	if c.e.Status == EnvelopeSent {
		c.envelopeStatus(EnvelopeDelivered)
	}
}

// sign records that a recipient finished (signed, approved, acknowledged).
func (c *change) sign(r *Recipient) {
	if r.Status == RecipientSent {
		c.deliver(r)
	}
	r.Status = RecipientCompleted
	r.Signed = c.now
	c.touch()
	for _, list := range r.Tabs {
		for _, t := range list {
			t["status"] = "signed"
		}
	}
	c.notify(EventRecipientCompleted, r.ID)
	c.route()
}

// decline records that a recipient declined: the envelope is declined.
func (c *change) decline(r *Recipient, reason string) {
	r.Status = RecipientDeclined
	r.Declined = c.now
	r.DeclinedReason = reason
	c.notify(EventRecipientDeclined, r.ID)
	c.envelopeStatus(EnvelopeDeclined)
}

// void voids an envelope in process.
func (c *change) void(reason string) {
	c.e.VoidedReason = reason
	c.envelopeStatus(EnvelopeVoided)
}
