package docusigntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// handleCreateEnvelope serves POST accounts/{accountId}/envelopes: a JSON
// envelope definition (documents as base64), a multipart body (the JSON
// part, then document parts), or a definition naming a server template
// (templateId + templateRoles, or compositeTemplates).
func (s *Server) handleCreateEnvelope(w http.ResponseWriter, r *http.Request, c *caller) {
	def, err := readDefinition(r)
	if err != nil {
		writeBadBody(w, err.Error())
		return
	}
	now := s.Now()
	var problems []string
	status := strings.ToLower(def.Status)
	switch status {
	case "":
		status = EnvelopeCreated
	case EnvelopeSent, EnvelopeCreated:
	default:
		problems = append(problems, "status "+quote(def.Status)+" cannot be set on create: use sent or created")
	}
	if status == EnvelopeSent && strings.TrimSpace(def.EmailSubject) == "" && def.TemplateID == "" && len(def.CompositeTemplates) == 0 {
		problems = append(problems, "emailSubject is required to send an envelope")
	}

	s.mu.Lock()
	e := &Envelope{
		AccountID:    c.account.ID,
		SenderUserID: c.user.ID,
		Status:       EnvelopeCreated,
		EmailSubject: def.EmailSubject,
		EmailBlurb:   def.EmailBlurb,
		Created:      now,
	}
	docs, p := buildDocuments(def.Documents, def.parts, "documents", now)
	problems = append(problems, p...)
	recips, p := s.buildRecipients(def.Recipients, "recipients")
	problems = append(problems, p...)
	e.Documents, e.Recipients = docs, recips
	var code string
	if def.TemplateID != "" {
		code, p = s.applyServerTemplate(e, c.account.ID, def.TemplateID, def.TemplateRoles)
		problems = append(problems, p...)
	} else if len(def.TemplateRoles) > 0 {
		problems = append(problems, "templateRoles need a templateId")
	}
	for i, ct := range def.CompositeTemplates {
		cd, p := s.applyComposite(e, c.account.ID, ct, fmt.Sprintf("compositeTemplates[%d]", i))
		problems = append(problems, p...)
		if cd != "" {
			code = cd
		}
	}
	if len(e.Documents) == 0 {
		problems = append(problems, "the envelope needs at least one document, a templateId or compositeTemplates")
	}
	problems = append(problems, validateNotifications(def.notifications())...)
	if status == EnvelopeSent && len(problems) == 0 {
		problems = append(problems, sendProblems(e)...)
	}
	if len(problems) > 0 {
		s.mu.Unlock()
		if code != "" {
			writeESignError(w, http.StatusBadRequest, code, strings.Join(problems, "; ")+".")
			return
		}
		writeBadBody(w, problems...)
		return
	}
	for i := range e.Documents {
		e.Documents[i].Order = i + 1
	}
	defaultRoutingOrder(e.Recipients)
	e.ID = guid(s.seed, domEnvelope, uint64(1<<40+len(s.envelopes)))
	e.StatusChanged, e.LastModified = now, now
	s.assignRecipientIDs(e)
	s.envelopes = append(s.envelopes, e)
	s.envelopesByID[e.ID] = e
	s.subscribeEnvelope(e.ID, def.notifications())
	ch := s.changeOf(e, c.user.ID, r.UserAgent())
	ch.now = now
	ch.notify(EventEnvelopeCreated, "")
	if status == EnvelopeSent {
		ch.send()
	}
	resp := map[string]string{
		"envelopeId":     e.ID,
		"uri":            "/envelopes/" + e.ID,
		"statusDateTime": formatDS7(e.StatusChanged),
		"status":         e.Status,
	}
	s.mu.Unlock()
	s.hooks.flush()
	writeJSON(w, http.StatusCreated, resp)
}

// sendProblems lists what keeps an envelope from being sent.
func sendProblems(e *Envelope) []string {
	var problems []string
	if strings.TrimSpace(e.EmailSubject) == "" {
		problems = append(problems, "emailSubject is required to send an envelope")
	}
	for _, r := range e.Recipients {
		if r.Email == "" && r.Type != "inPersonSigners" {
			problems = append(problems, r.Type+" recipient "+quote(r.ID)+" needs an email to be sent")
		}
		if r.Name == "" {
			problems = append(problems, r.Type+" recipient "+quote(r.ID)+" needs a name to be sent")
		}
	}
	return problems
}

// applyServerTemplate adds a template's documents and recipients to e,
// filling the template's roles from roles; s.mu held. It returns an error
// code for an unknown template.
func (s *Server) applyServerTemplate(e *Envelope, accountID, templateID string, roles []map[string]any) (string, []string) {
	t := s.templatesByID[strings.ToLower(templateID)]
	if t == nil || t.AccountID != accountID {
		return "TEMPLATE_ID_INVALID", []string{"templateId " + quote(templateID) + " is not a template of this account"}
	}
	e.TemplateID = t.ID
	if e.EmailSubject == "" {
		e.EmailSubject = t.EmailSubject
	}
	if e.EmailBlurb == "" {
		e.EmailBlurb = t.EmailBlurb
	}
	for _, d := range t.Documents {
		if e.document(d.ID) == nil {
			e.Documents = append(e.Documents, d)
		}
	}
	recips := make([]Recipient, len(t.Recipients))
	for i := range t.Recipients {
		recips[i] = t.Recipients[i].clone()
	}
	var problems []string
	for i, role := range roles {
		field := fmt.Sprintf("templateRoles[%d]", i)
		name, _ := role["roleName"].(string)
		var target *Recipient
		for k := range recips {
			if strings.EqualFold(recips[k].RoleName, name) {
				target = &recips[k]
			}
		}
		if target == nil {
			problems = append(problems, field+".roleName "+quote(name)+" is not a role of template "+t.ID)
			continue
		}
		filled, p := s.recipientFrom(cloneMap(role), target.Type, field)
		problems = append(problems, p...)
		mergeRecipient(target, filled)
	}
	e.Recipients = append(e.Recipients, recips...)
	sortRecipients(e.Recipients)
	return "", problems
}

// setNonEmpty sets *dst to v unless v is empty: what an update leaves
// out stays as it was.
func setNonEmpty(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// mergeRecipient fills a template recipient from a role or an inline
// template's recipient.
func mergeRecipient(dst *Recipient, src Recipient) {
	setNonEmpty(&dst.Name, src.Name)
	setNonEmpty(&dst.Email, src.Email)
	setNonEmpty(&dst.ClientUserID, src.ClientUserID)
	setNonEmpty(&dst.ID, src.ID)
	if src.RoutingOrder > 0 {
		dst.RoutingOrder = src.RoutingOrder
	}
	for typ, list := range src.Tabs {
		if dst.Tabs == nil {
			dst.Tabs = map[string][]map[string]any{}
		}
		dst.Tabs[typ] = append(dst.Tabs[typ], list...)
	}
	for k, v := range src.Extra {
		if dst.Extra == nil {
			dst.Extra = map[string]any{}
		}
		dst.Extra[k] = v
	}
}

// applyComposite adds one composite template: documents from its document,
// its inline templates or else its server templates; recipients from the
// server templates, filled by role name (or added) from the inline ones.
func (s *Server) applyComposite(e *Envelope, accountID string, ct compositeTemplateDef, field string) (string, []string) {
	var problems []string
	var code string
	var docs []Document
	var recips []Recipient
	for i, st := range ct.ServerTemplates {
		t := s.templatesByID[strings.ToLower(st.TemplateID)]
		if t == nil || t.AccountID != accountID {
			code = "TEMPLATE_ID_INVALID"
			problems = append(problems, fmt.Sprintf("%s.serverTemplates[%d].templateId %s is not a template of this account", field, i, quote(st.TemplateID)))
			continue
		}
		if e.TemplateID == "" {
			e.TemplateID = t.ID
		}
		if e.EmailSubject == "" {
			e.EmailSubject = t.EmailSubject
		}
		if len(docs) == 0 {
			docs = append(docs, t.Documents...)
		}
		for k := range t.Recipients {
			recips = append(recips, t.Recipients[k].clone())
		}
	}
	for i, it := range ct.InlineTemplates {
		f := fmt.Sprintf("%s.inlineTemplates[%d]", field, i)
		if len(it.Documents) > 0 {
			d, p := buildDocuments(it.Documents, nil, f+".documents", e.Created)
			problems = append(problems, p...)
			docs = d
		}
		rs, p := s.buildRecipients(it.Recipients, f+".recipients")
		problems = append(problems, p...)
		for _, r := range rs {
			merged := false
			for k := range recips {
				if r.RoleName != "" && strings.EqualFold(recips[k].RoleName, r.RoleName) {
					mergeRecipient(&recips[k], r)
					merged = true
				}
			}
			if !merged {
				recips = append(recips, r)
			}
		}
	}
	if ct.Document != nil {
		d, p := buildDocuments([]documentDef{*ct.Document}, nil, field+".document", e.Created)
		problems = append(problems, p...)
		docs = d
	}
	for _, d := range docs {
		if e.document(d.ID) != nil {
			d.ID = nextID(e.Documents)
		}
		e.Documents = append(e.Documents, d)
	}
	for _, r := range recips {
		if r.ID != "" && e.recipient(r.ID) != nil {
			continue
		}
		e.Recipients = append(e.Recipients, r)
	}
	sortRecipients(e.Recipients)
	return code, problems
}

// writeBadBody answers 400 INVALID_REQUEST_BODY listing every problem.
func writeBadBody(w http.ResponseWriter, problems ...string) {
	msg := strings.Join(problems, "; ")
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing or improperly formatted. "+msg)
}

// decodeJSONBody decodes a JSON request body into v, answering 400
// INVALID_REQUEST_BODY itself when it cannot.
func decodeJSONBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err := dec.Decode(v); err != nil {
		writeBadBody(w, err.Error())
		return false
	}
	return true
}
