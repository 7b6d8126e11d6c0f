package docusigntest

import (
	"sync"
	"time"
)

// EnvelopeEventKind names a lifecycle step, with the event names DocuSign
// Connect uses, so that a webhook publisher can forward them as they are.
type EnvelopeEventKind string

// Envelope and recipient lifecycle steps.
const (
	EventEnvelopeCreated    EnvelopeEventKind = "envelope-created"
	EventEnvelopeSent       EnvelopeEventKind = "envelope-sent"
	EventEnvelopeResent     EnvelopeEventKind = "envelope-resent"
	EventEnvelopeDelivered  EnvelopeEventKind = "envelope-delivered"
	EventEnvelopeCompleted  EnvelopeEventKind = "envelope-completed"
	EventEnvelopeDeclined   EnvelopeEventKind = "envelope-declined"
	EventEnvelopeVoided     EnvelopeEventKind = "envelope-voided"
	EventEnvelopeCorrected  EnvelopeEventKind = "envelope-corrected"
	EventRecipientSent      EnvelopeEventKind = "recipient-sent"
	EventRecipientDelivered EnvelopeEventKind = "recipient-delivered"
	EventRecipientCompleted EnvelopeEventKind = "recipient-completed"
	EventRecipientDeclined  EnvelopeEventKind = "recipient-declined"
)

// EnvelopeEvent is one lifecycle step of an envelope, as observers see it.
type EnvelopeEvent struct {
	Kind EnvelopeEventKind
	// Time is when it happened, by the fake's clock.
	Time time.Time
	// RecipientID is the recipient a recipient-* event is about.
	RecipientID string
	// Envelope is a copy of the envelope right after the step.
	Envelope Envelope
}

// OnEnvelopeEvent registers fn to be called for every envelope lifecycle
// step from now on, whether an API call or a control method caused it,
// and returns a function that unregisters it.
//
// Calls are made one at a time, in the order the steps happened, after the
// server has released its locks: fn may call the Server's methods, control
// methods included (their events are delivered after fn returns). A step
// caused by an API request is observed before that request's response is
// sent unless another observer call is in progress on another goroutine.
func (s *Server) OnEnvelopeEvent(fn func(EnvelopeEvent)) (remove func()) {
	return s.hooks.add(fn)
}

// hookSet queues events under the server's lock and delivers them in
// order outside it.
type hookSet struct {
	mu       sync.Mutex // guards the fields below
	seq      int
	fns      map[int]func(EnvelopeEvent)
	order    []int
	pending  []EnvelopeEvent
	dispatch sync.Mutex // held by the goroutine delivering events
}

func (h *hookSet) add(fn func(EnvelopeEvent)) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fns == nil {
		h.fns = map[int]func(EnvelopeEvent){}
	}
	h.seq++
	id := h.seq
	h.fns[id] = fn
	h.order = append(h.order, id)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.fns, id)
	}
}

// queue adds an event for delivery; the caller holds the server's lock, so
// the queue's order is the order of the steps.
func (h *hookSet) queue(ev EnvelopeEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.fns) == 0 {
		return
	}
	h.pending = append(h.pending, ev)
}

// flush delivers queued events. Only one goroutine delivers at a time; a
// call made while another delivers (or from inside an observer) leaves its
// events to that delivery, which loops until the queue is empty.
func (h *hookSet) flush() {
	for {
		if !h.dispatch.TryLock() {
			return
		}
		for {
			h.mu.Lock()
			batch := h.pending
			h.pending = nil
			var fns []func(EnvelopeEvent)
			for _, id := range h.order {
				if fn := h.fns[id]; fn != nil {
					fns = append(fns, fn)
				}
			}
			h.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, ev := range batch {
				for i, fn := range fns {
					if i > 0 {
						ev.Envelope = ev.Envelope.clone() // each observer its own copy
					}
					fn(ev)
				}
			}
		}
		h.dispatch.Unlock()
		h.mu.Lock()
		more := len(h.pending) > 0
		h.mu.Unlock()
		if !more {
			return
		}
	}
}
