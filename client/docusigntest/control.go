package docusigntest

import (
	"net/http"
	"strings"
)

// The control API moves envelopes along as their recipients would, with
// timestamps from the fake's clock. Each step updates the envelope's
// status-change time (so EnvelopeStatusChanges sees it), records the
// Monitor event for envelope-level steps, and reaches OnEnvelopeEvent
// observers before the method returns.

// DeliverRecipient records that a recipient opened the envelope. The
// recipient must have been sent the envelope (its routing order reached).
func (s *Server) DeliverRecipient(envelopeID, recipientID string) error {
	return s.recipientStep("DeliverRecipient", envelopeID, recipientID, func(c *change, r *Recipient) {
		c.deliver(r)
	})
}

// SignRecipient records that a recipient signed (or, for a recipient who
// does not sign, finished): the envelope goes to the next routing order,
// or completes when every recipient who must act has.
func (s *Server) SignRecipient(envelopeID, recipientID string) error {
	return s.recipientStep("SignRecipient", envelopeID, recipientID, func(c *change, r *Recipient) {
		c.sign(r)
	})
}

// DeclineRecipient records that a recipient declined, which declines the
// envelope.
func (s *Server) DeclineRecipient(envelopeID, recipientID, reason string) error {
	return s.recipientStep("DeclineRecipient", envelopeID, recipientID, func(c *change, r *Recipient) {
		c.deliver(r)
		c.decline(r, reason)
	})
}

// CompleteEnvelope has every remaining recipient sign, in routing order,
// so the envelope completes.
func (s *Server) CompleteEnvelope(envelopeID string) error {
	return s.envelopeStep("CompleteEnvelope", envelopeID, func(c *change) error {
		for c.e.Status != EnvelopeCompleted {
			var next *Recipient
			for i := range c.e.Recipients {
				r := &c.e.Recipients[i]
				if r.acts() && (r.Status == RecipientSent || r.Status == RecipientDelivered) {
					next = r
					break
				}
			}
			if next == nil {
				break
			}
			c.sign(next)
		}
		return nil
	})
}

// VoidEnvelope voids an envelope in process with a reason, as PUT
// envelopes/{envelopeId} with status voided does.
func (s *Server) VoidEnvelope(envelopeID, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errorf("VoidEnvelope: a voided reason is required")
	}
	return s.envelopeStep("VoidEnvelope", envelopeID, func(c *change) error {
		c.void(reason)
		return nil
	})
}

func (s *Server) envelopeInProcess(op, envelopeID string) (*Envelope, error) {
	e := s.envelopesByID[strings.ToLower(envelopeID)]
	if e == nil {
		return nil, errorf("%s: no envelope %q", op, envelopeID)
	}
	if !e.inProcess() {
		return nil, errorf("%s: envelope %s is %s, not sent or delivered", op, e.ID, e.Status)
	}
	return e, nil
}

// envelopeStep runs step on an envelope in process under the server's
// lock, then delivers the events it queued; op names the control method
// in errors.
func (s *Server) envelopeStep(op, envelopeID string, step func(*change) error) error {
	s.mu.Lock()
	e, err := s.envelopeInProcess(op, envelopeID)
	if err == nil {
		err = step(s.changeOf(e, "", ""))
	}
	s.mu.Unlock()
	s.hooks.flush()
	return err
}

// recipientStep is envelopeStep for a recipient who has been sent the
// envelope and has not finished.
func (s *Server) recipientStep(op, envelopeID, recipientID string, step func(*change, *Recipient)) error {
	return s.envelopeStep(op, envelopeID, func(c *change) error {
		e := c.e
		r := e.recipient(recipientID)
		switch {
		case r == nil:
			return errorf("%s: envelope %s has no recipient %q", op, e.ID, recipientID)
		case r.Status == RecipientCreated:
			return errorf("%s: recipient %s of envelope %s has not been sent the envelope yet (routing order %d)", op, r.ID, e.ID, r.RoutingOrder)
		case r.Status == RecipientCompleted || r.Status == RecipientDeclined:
			return errorf("%s: recipient %s of envelope %s has already %s", op, r.ID, e.ID, r.Status)
		}
		step(c, r)
		return nil
	})
}

// envelopeUpdate is the part of PUT envelopes/{envelopeId} the fake
// interprets.
type envelopeUpdate struct {
	Status       string `json:"status"`
	VoidedReason string `json:"voidedReason"`
	EmailSubject string `json:"emailSubject"`
	EmailBlurb   string `json:"emailBlurb"`
}

// handleUpdateEnvelope serves PUT accounts/{accountId}/envelopes/{envelopeId}:
// send a draft (status sent), void (status voided + voidedReason), resend
// (resend_envelope=true), or change a draft's subject and message.
func (s *Server) handleUpdateEnvelope(w http.ResponseWriter, r *http.Request, c *caller) {
	var upd envelopeUpdate
	if !decodeJSONBody(w, r, &upd) {
		return
	}
	resend := strings.EqualFold(r.URL.Query().Get("resend_envelope"), "true")
	status := strings.ToLower(upd.Status)
	s.withEnvelope(w, r, c, func(e *Envelope) {
		ch := s.changeOf(e, c.user.ID, r.UserAgent())
		fail := func(code, msg string) { writeESignError(w, http.StatusBadRequest, code, msg) }
		if upd.EmailSubject != "" || upd.EmailBlurb != "" {
			if e.Status != EnvelopeCreated && !e.inProcess() {
				fail("ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; its subject and message can no longer change.")
				return
			}
		}
		switch status {
		case "":
		case EnvelopeSent:
			if e.Status != EnvelopeCreated && !(e.inProcess() && resend) {
				fail("ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; only a draft (created) envelope can be sent.")
				return
			}
		case EnvelopeVoided:
			if !e.inProcess() {
				fail("ENVELOPE_CANNOT_VOID_INVALID_STATE", "The envelope is "+e.Status+"; only a sent or delivered envelope can be voided.")
				return
			}
			if strings.TrimSpace(upd.VoidedReason) == "" {
				fail("INVALID_REQUEST_BODY", "voidedReason is required to void an envelope.")
				return
			}
		default:
			fail("INVALID_REQUEST_BODY", "status "+quote(upd.Status)+" cannot be set here: use sent (for a draft) or voided.")
			return
		}
		if resend && !e.inProcess() && status != EnvelopeSent {
			fail("ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; only an envelope in process can be resent.")
			return
		}
		if upd.EmailSubject != "" {
			e.EmailSubject = upd.EmailSubject
		}
		if upd.EmailBlurb != "" {
			e.EmailBlurb = upd.EmailBlurb
		}
		if status == EnvelopeSent && e.Status == EnvelopeCreated {
			if p := sendProblems(e); len(p) > 0 {
				fail("INVALID_REQUEST_BODY", "The envelope cannot be sent: "+strings.Join(p, "; ")+".")
				return
			}
		}
		ch.touch()
		switch {
		case status == EnvelopeSent && e.Status == EnvelopeCreated:
			ch.send()
		case status == EnvelopeVoided:
			ch.void(upd.VoidedReason)
		case resend:
			for i := range e.Recipients {
				rec := &e.Recipients[i]
				if rec.Status == RecipientSent || rec.Status == RecipientDelivered {
					rec.Sent = ch.now
					ch.notify(EventRecipientSent, rec.ID)
				}
			}
			ch.monitor(MonitorActionResent)
			ch.notify(EventEnvelopeResent, "")
		}
		writeJSON(w, http.StatusOK, map[string]string{"envelopeId": e.ID})
	})
}
