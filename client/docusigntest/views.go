package docusigntest

import (
	"cmp"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Embedded views: the recipient view (embedded signing), the sender view
// (a draft's tagging page) and the correct view return single-use URLs on
// the fake, valid for five minutes of the fake's clock, as DocuSign's are.
// Opening a recipient view URL delivers the envelope to the recipient;
// adding action=sign or action=decline to it signs or declines and
// redirects to the returnUrl with event=signing_complete or decline.

// viewTTL is how long a view URL stays valid.
const viewTTL = 5 * time.Minute

// view is an issued view URL.
type view struct {
	kind        string // recipient, sender, correct
	envelopeID  string
	recipientID string
	returnURL   string
	expires     time.Time
	used        bool
}

// viewRequest is the part of a recipientViewRequest / returnUrlRequest the
// fake checks.
type viewRequest struct {
	ReturnURL            string `json:"returnUrl"`
	AuthenticationMethod string `json:"authenticationMethod"`
	Email                string `json:"email"`
	UserName             string `json:"userName"`
	ClientUserID         string `json:"clientUserId"`
	RecipientID          string `json:"recipientId"`
	UserID               string `json:"userId"`
}

func (s *Server) newView(v *view) string {
	now := s.Now()
	for tok, old := range s.views {
		if now.After(old.expires) {
			delete(s.views, tok)
		}
	}
	v.expires = now.Add(viewTTL)
	tok := randomToken()
	s.views[tok] = v
	return s.URL() + "/signing/" + v.kind + "?t=" + url.QueryEscape(tok)
}

// handleRecipientView serves POST .../envelopes/{envelopeId}/views/recipient.
func (s *Server) handleRecipientView(w http.ResponseWriter, r *http.Request, c *caller) {
	var req viewRequest
	if !decodeJSONBody(w, r, &req) {
		return
	}
	var problems []string
	if req.ReturnURL == "" {
		problems = append(problems, "returnUrl is required")
	}
	if req.AuthenticationMethod == "" {
		problems = append(problems, "authenticationMethod is required (e.g. none)")
	}
	if req.RecipientID == "" && (req.UserName == "" || req.Email == "") {
		problems = append(problems, "userName and email (or recipientId) identify the recipient")
	}
	if len(problems) > 0 {
		writeBadBody(w, problems...)
		return
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		var rec *Recipient
		for i := range e.Recipients {
			x := &e.Recipients[i]
			if (req.RecipientID != "" && (x.ID == req.RecipientID || strings.EqualFold(x.GUID, req.RecipientID))) ||
				(req.RecipientID == "" && strings.EqualFold(x.Email, req.Email) && x.Name == req.UserName && x.ClientUserID == req.ClientUserID) {
				rec = x
				break
			}
		}
		switch {
		case rec == nil:
			writeESignError(w, http.StatusBadRequest, "UNKNOWN_ENVELOPE_RECIPIENT", "The recipient you have identified is not a valid recipient of the specified envelope.")
		case rec.ClientUserID == "":
			writeESignError(w, http.StatusBadRequest, "UNKNOWN_ENVELOPE_RECIPIENT", "Recipient "+quote(rec.ID)+" has no clientUserId: only embedded recipients get a recipient view.")
		case !e.inProcess():
			writeESignError(w, http.StatusBadRequest, "ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; a recipient view needs a sent envelope.")
		case rec.Status == RecipientCreated:
			writeESignError(w, http.StatusBadRequest, "RECIPIENT_NOT_IN_SEQUENCE", "Recipient "+quote(rec.ID)+" is not yet in the routing sequence.")
		default:
			u := s.newView(&view{kind: "recipient", envelopeID: e.ID, recipientID: rec.ID, returnURL: req.ReturnURL})
			writeJSON(w, http.StatusCreated, map[string]string{"url": u})
		}
	})
}

// handleEnvelopeView serves POST .../views/sender (a draft) and
// .../views/correct (an envelope in process).
func (s *Server) handleEnvelopeView(kind string) func(http.ResponseWriter, *http.Request, *caller) {
	return func(w http.ResponseWriter, r *http.Request, c *caller) {
		var req viewRequest
		if !decodeJSONBody(w, r, &req) {
			return
		}
		if req.ReturnURL == "" {
			writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing or improperly formatted. returnUrl is required.")
			return
		}
		s.withEnvelope(w, r, c, func(e *Envelope) {
			if kind == "sender" && e.Status != EnvelopeCreated {
				writeESignError(w, http.StatusBadRequest, "ENVELOPE_INVALID_STATUS", "The envelope is "+e.Status+"; a sender view needs a draft (created) envelope.")
				return
			}
			if kind == "correct" && !e.inProcess() {
				writeESignError(w, http.StatusBadRequest, "ENVELOPE_CANNOT_CORRECT_INVALID_STATE", "The envelope is "+e.Status+"; only an envelope in process can be corrected.")
				return
			}
			u := s.newView(&view{kind: kind, envelopeID: e.ID, returnURL: req.ReturnURL})
			writeJSON(w, http.StatusCreated, map[string]string{"url": u})
		})
	}
}

// handleSigningPage serves the view URLs: GET /signing/{kind}?t=token
// [&action=sign|decline].
func (s *Server) handleSigningPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.Now()
	s.mu.Lock()
	v := s.views[q.Get("t")]
	if v == nil || v.kind != r.PathValue("kind") || now.After(v.expires) || (v.used && q.Get("action") == "") {
		s.mu.Unlock()
		writeBody(w, http.StatusGone, "text/html; charset=utf-8", []byte("<html><body><p>This view URL is invalid, expired or already used.</p></body></html>\n"))
		return
	}
	e := s.envelopesByID[v.envelopeID]
	ret, event := v.returnURL, ""
	var page string
	switch v.kind {
	case "recipient":
		rec := e.recipient(v.recipientID)
		if rec == nil || !e.inProcess() {
			event = "cancel"
			break
		}
		ch := s.changeOf(e, "", r.UserAgent())
		ch.deliver(rec)
		switch strings.ToLower(q.Get("action")) {
		case "sign":
			ch.sign(rec)
			event = "signing_complete"
		case "decline":
			ch.decline(rec, cmp.Or(q.Get("reason"), "Declined in the signing view"))
			event = "decline"
		case "":
			page = "Signing " + e.EmailSubject + " as " + rec.Name + " <" + rec.Email + ">"
		default:
			event = "cancel"
		}
	default:
		page = "The " + v.kind + " view of envelope " + e.ID
	}
	v.used = true
	s.mu.Unlock()
	s.hooks.flush()
	if page != "" {
		writeBody(w, http.StatusOK, "text/html; charset=utf-8", []byte("<html><body><h1>docusigntest</h1><p>"+html.EscapeString(page)+"</p></body></html>\n"))
		return
	}
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	http.Redirect(w, r, ret+sep+"event="+event, http.StatusFound)
}
