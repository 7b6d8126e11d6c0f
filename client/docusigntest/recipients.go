package docusigntest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// recipientsJSON is a recipients object: recipient type -> list, plus
// recipientCount and currentRoutingOrder.
type recipientsJSON map[string]any

// singularType is the recipientType a recipient list member reports.
var singularType = map[string]string{
	"agents": "agent", "carbonCopies": "carboncopy", "certifiedDeliveries": "certifieddelivery",
	"editors": "editor", "inPersonSigners": "inpersonsigner", "intermediaries": "intermediary",
	"notaries": "notary", "seals": "seal", "signers": "signer", "witnesses": "witness",
}

// recipientsOf renders recipients grouped by type; envelopeStatus is ""
// for a template.
func recipientsOf(rs []Recipient, tabs bool, envelopeStatus string) *recipientsJSON {
	out := recipientsJSON{}
	current := 0
	for i := range rs {
		r := &rs[i]
		list, _ := out[r.Type].([]map[string]any)
		out[r.Type] = append(list, recipientJSON(r, tabs))
		if current == 0 && r.acts() && r.Status != RecipientCompleted {
			current = r.RoutingOrder
		}
	}
	out["recipientCount"] = strconv.Itoa(len(rs))
	if envelopeStatus != "" {
		if current == 0 && len(rs) > 0 {
			current = rs[len(rs)-1].RoutingOrder
		}
		out["currentRoutingOrder"] = strconv.Itoa(current)
	}
	return &out
}

// recipientJSON renders one recipient: what the caller sent that the fake
// does not interpret, then the fake's own members.
func recipientJSON(r *Recipient, tabs bool) map[string]any {
	m := cloneMap(r.Extra)
	if m == nil {
		m = map[string]any{}
	}
	m["recipientId"] = r.ID
	m["recipientIdGuid"] = r.GUID
	m["recipientType"] = singularType[r.Type]
	m["routingOrder"] = strconv.Itoa(r.RoutingOrder)
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("name", r.Name)
	set("email", r.Email)
	set("roleName", r.RoleName)
	set("clientUserId", r.ClientUserID)
	set("status", r.Status)
	set("sentDateTime", dateOrEmpty(r.Sent))
	set("deliveredDateTime", dateOrEmpty(r.Delivered))
	set("signedDateTime", dateOrEmpty(r.Signed))
	set("declinedDateTime", dateOrEmpty(r.Declined))
	set("declinedReason", r.DeclinedReason)
	if r.Status != "" {
		m["deliveryMethod"] = "email"
		m["creationReason"] = "sender"
		m["requireIdLookup"] = "false"
	}
	if tabs && len(r.Tabs) > 0 {
		m["tabs"] = r.Tabs
	}
	return m
}

// withEnvelope runs fn on an envelope of the caller's account with s.mu
// held, answers 404 for an unknown one, and delivers queued observer
// events afterwards.
func (s *Server) withEnvelope(w http.ResponseWriter, r *http.Request, c *caller, fn func(e *Envelope)) {
	s.mu.Lock()
	e := s.lookupEnvelope(c, r.PathValue("envelopeId"))
	if e == nil {
		s.mu.Unlock()
		writeNoEnvelope(w, r.PathValue("envelopeId"))
		return
	}
	fn(e)
	s.mu.Unlock()
	s.hooks.flush()
}

// handleListRecipients serves GET .../envelopes/{envelopeId}/recipients
// (include_tabs).
func (s *Server) handleListRecipients(w http.ResponseWriter, r *http.Request, c *caller) {
	tabs := strings.EqualFold(r.URL.Query().Get("include_tabs"), "true")
	s.withEnvelope(w, r, c, func(e *Envelope) {
		writeJSON(w, http.StatusOK, recipientsOf(e.Recipients, tabs, e.Status))
	})
}

// handleListTabs serves GET .../recipients/{recipientId}/tabs.
func (s *Server) handleListTabs(w http.ResponseWriter, r *http.Request, c *caller) {
	s.withEnvelope(w, r, c, func(e *Envelope) {
		rec := e.recipient(r.PathValue("recipientId"))
		if rec == nil {
			writeNoRecipient(w, r.PathValue("recipientId"))
			return
		}
		tabs := rec.Tabs
		if tabs == nil {
			tabs = map[string][]map[string]any{}
		}
		writeJSON(w, http.StatusOK, tabs)
	})
}

func writeNoRecipient(w http.ResponseWriter, id string) {
	writeESignError(w, http.StatusBadRequest, "INVALID_RECIPIENT_ID", "A recipient ID "+quote(id)+" is not a recipient of this envelope.")
}

// editable reports whether recipients can still be changed (draft or in
// process), writing the error otherwise.
func editable(w http.ResponseWriter, e *Envelope) bool {
	if e.Status == EnvelopeCreated || e.inProcess() {
		return true
	}
	writeESignError(w, http.StatusBadRequest, "ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; only a draft or an envelope in process can be changed.")
	return false
}

// readRecipients decodes a recipients object body.
func (s *Server) readRecipients(w http.ResponseWriter, r *http.Request) ([]Recipient, bool) {
	var raw map[string]json.RawMessage
	if !decodeJSONBody(w, r, &raw) {
		return nil, false
	}
	rs, problems := s.buildRecipients(raw, "recipients")
	if len(problems) > 0 {
		writeBadBody(w, problems...)
		return nil, false
	}
	return rs, true
}

// handleCreateRecipients serves POST .../envelopes/{envelopeId}/recipients:
// recipients are added and, in an envelope in process, routed at once.
func (s *Server) handleCreateRecipients(w http.ResponseWriter, r *http.Request, c *caller) {
	rs, ok := s.readRecipients(w, r)
	if !ok {
		return
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if !editable(w, e) {
			return
		}
		for _, rec := range rs {
			if rec.ID != "" && e.recipient(rec.ID) != nil {
				writeESignError(w, http.StatusBadRequest, "RECIPIENT_ALREADY_EXISTS_IN_ENVELOPE", "Recipient "+quote(rec.ID)+" already exists in the envelope.")
				return
			}
		}
		first := len(e.Recipients)
		defaultRoutingOrder(rs)
		for i := range rs {
			rs[i].Status = RecipientCreated
			if rs[i].ID == "" {
				rs[i].ID = strconv.Itoa(first + i + 1)
			}
		}
		e.Recipients = append(e.Recipients, rs...)
		s.assignRecipientIDs(e)
		ch := s.changeOf(e, c.user.ID, r.UserAgent())
		ch.touch()
		if e.inProcess() {
			ch.route()
		}
		var added []Recipient
		for _, rec := range rs {
			added = append(added, *e.recipient(rec.ID))
		}
		writeJSON(w, http.StatusCreated, recipientsOf(added, true, e.Status))
	})
}

// handleUpdateRecipients serves PUT .../envelopes/{envelopeId}/recipients:
// correct names, emails, routing order, client user IDs and tabs of
// recipients who have not finished; resend_envelope=true sends the
// envelope to them again.
func (s *Server) handleUpdateRecipients(w http.ResponseWriter, r *http.Request, c *caller) {
	rs, ok := s.readRecipients(w, r)
	if !ok {
		return
	}
	resend := strings.EqualFold(r.URL.Query().Get("resend_envelope"), "true")
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if !editable(w, e) {
			return
		}
		type result struct {
			RecipientID     string            `json:"recipientId"`
			RecipientIDGuid string            `json:"recipientIdGuid,omitempty"`
			ErrorDetails    *errorDetailsJSON `json:"errorDetails,omitempty"`
		}
		var results []result
		ch := s.changeOf(e, c.user.ID, r.UserAgent())
		changed := false
		for _, upd := range rs {
			target := e.recipient(upd.ID)
			switch {
			case target == nil:
				results = append(results, result{RecipientID: upd.ID, ErrorDetails: &errorDetailsJSON{"INVALID_RECIPIENT_ID", "No recipient " + quote(upd.ID) + " in the envelope."}})
				continue
			case target.Status == RecipientCompleted || target.Status == RecipientDeclined:
				results = append(results, result{RecipientID: upd.ID, RecipientIDGuid: target.GUID, ErrorDetails: &errorDetailsJSON{"RECIPIENT_UPDATE_FAILED", "Recipient " + quote(upd.ID) + " has already " + target.Status + "."}})
				continue
			}
			mergeRecipient(target, upd)
			if resend && (target.Status == RecipientSent || target.Status == RecipientDelivered) {
				target.Sent = ch.now
				ch.notify(EventRecipientSent, target.ID)
			}
			changed = true
			results = append(results, result{RecipientID: target.ID, RecipientIDGuid: target.GUID})
		}
		if changed {
			s.assignRecipientIDs(e)
			ch.touch()
			if e.inProcess() {
				ch.monitor(MonitorActionCorrected)
				ch.notify(EventEnvelopeCorrected, "")
				ch.route()
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"recipientUpdateResults": results})
	})
}

// errorDetailsJSON is eSignature's per-item errorDetails.
type errorDetailsJSON struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// handleDeleteRecipients serves DELETE .../envelopes/{envelopeId}/recipients
// (a recipients object naming the recipientIds to delete) and DELETE
// .../recipients/{recipientId}.
func (s *Server) handleDeleteRecipients(w http.ResponseWriter, r *http.Request, c *caller) {
	var ids []string
	if id := r.PathValue("recipientId"); id != "" {
		ids = []string{id}
	} else {
		rs, ok := s.readRecipients(w, r)
		if !ok {
			return
		}
		for _, rec := range rs {
			ids = append(ids, rec.ID)
		}
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if !editable(w, e) {
			return
		}
		var deleted []Recipient
		for _, id := range ids {
			rec := e.recipient(id)
			if rec == nil {
				writeNoRecipient(w, id)
				return
			}
			if rec.Status == RecipientCompleted || rec.Status == RecipientDeclined {
				writeESignError(w, http.StatusBadRequest, "RECIPIENT_DELETE_FAILED", "Recipient "+quote(id)+" has already "+rec.Status+" and cannot be deleted.")
				return
			}
		}
		for _, id := range ids {
			for i := range e.Recipients {
				if e.Recipients[i].ID == id || strings.EqualFold(e.Recipients[i].GUID, id) {
					deleted = append(deleted, e.Recipients[i])
					e.Recipients = append(e.Recipients[:i], e.Recipients[i+1:]...)
					break
				}
			}
		}
		ch := s.changeOf(e, c.user.ID, r.UserAgent())
		ch.touch()
		if e.inProcess() {
			ch.route()
		}
		writeJSON(w, http.StatusOK, recipientsOf(deleted, false, e.Status))
	})
}
