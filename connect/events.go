package connect

// Event names a Connect event trigger, the "event" member of a JSON SIM
// message. Unknown names are kept as sent: DocuSign adds triggers over
// time, and a listener must not refuse a message it does not recognise.
type Event string

// Envelope events.
const (
	EnvelopeCreated      Event = "envelope-created"
	EnvelopeSent         Event = "envelope-sent"
	EnvelopeResent       Event = "envelope-resent"
	EnvelopeDelivered    Event = "envelope-delivered"
	EnvelopeCompleted    Event = "envelope-completed"
	EnvelopeDeclined     Event = "envelope-declined"
	EnvelopeVoided       Event = "envelope-voided"
	EnvelopeCorrected    Event = "envelope-corrected"
	EnvelopePurge        Event = "envelope-purge"
	EnvelopeDeleted      Event = "envelope-deleted"
	EnvelopeDiscard      Event = "envelope-discard"
	EnvelopeRemoved      Event = "envelope-removed"
	EnvelopeReminderSent Event = "envelope-reminder-sent"
)

// Recipient events.
const (
	RecipientSent                 Event = "recipient-sent"
	RecipientResent               Event = "recipient-resent"
	RecipientAutoResponded        Event = "recipient-autoresponded"
	RecipientDelivered            Event = "recipient-delivered"
	RecipientCompleted            Event = "recipient-completed"
	RecipientDeclined             Event = "recipient-declined"
	RecipientAuthenticationFailed Event = "recipient-authenticationfailed"
	RecipientDelegate             Event = "recipient-delegate"
	RecipientReassign             Event = "recipient-reassign"
	RecipientFinishLater          Event = "recipient-finish-later"
)

// Template, click-to-agree, SMS, identity verification and workflow events.
const (
	TemplateCreated               Event = "template-created"
	TemplateModified              Event = "template-modified"
	TemplateDeleted               Event = "template-deleted"
	ClickAgreed                   Event = "click-agreed"
	ClickDeclined                 Event = "click-declined"
	SMSOptIn                      Event = "sms-opt-in"
	SMSOptOut                     Event = "sms-opt-out"
	IdentityVerificationCompleted Event = "identity-verification-completed"
	IdentityVerificationPending   Event = "identity-verification-pending"
	WorkflowStarted               Event = "workflow-started"
	WorkflowCompleted             Event = "workflow-completed"
	WorkflowFailed                Event = "workflow-failed"
)

// Events lists every event name this package defines, envelope events
// first, in the order of the constants.
var Events = []Event{
	EnvelopeCreated, EnvelopeSent, EnvelopeResent, EnvelopeDelivered, EnvelopeCompleted,
	EnvelopeDeclined, EnvelopeVoided, EnvelopeCorrected, EnvelopePurge, EnvelopeDeleted,
	EnvelopeDiscard, EnvelopeRemoved, EnvelopeReminderSent,
	RecipientSent, RecipientResent, RecipientAutoResponded, RecipientDelivered,
	RecipientCompleted, RecipientDeclined, RecipientAuthenticationFailed,
	RecipientDelegate, RecipientReassign, RecipientFinishLater,
	TemplateCreated, TemplateModified, TemplateDeleted, ClickAgreed, ClickDeclined,
	SMSOptIn, SMSOptOut, IdentityVerificationCompleted, IdentityVerificationPending,
	WorkflowStarted, WorkflowCompleted, WorkflowFailed,
}

var known = func() map[Event]bool {
	m := make(map[Event]bool, len(Events))
	for _, e := range Events {
		m[e] = true
	}
	return m
}()

// Known reports whether e is one of the names this package defines.
func (e Event) Known() bool { return known[e] }

// IsEnvelope reports whether e is an envelope event (envelope-*).
func (e Event) IsEnvelope() bool { return len(e) > 9 && e[:9] == "envelope-" }

// IsRecipient reports whether e is a recipient event (recipient-*).
func (e Event) IsRecipient() bool { return len(e) > 10 && e[:10] == "recipient-" }
