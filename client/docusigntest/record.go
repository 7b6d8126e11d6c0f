package docusigntest

import (
	"encoding/json"
	"time"
)

// One world: what clients and tests do to the fake's envelopes and users
// shows up in the Monitor stream, after the generated events, as DocuSign's
// audit stream would show it. Recorded events are kept (they cannot be
// derived from the seed), one segment each.

// Monitor objects and actions the fake records.
const (
	MonitorObjectEnvelope = "Envelope"
	MonitorObjectUser     = "User"

	MonitorActionSent      = "Sent"
	MonitorActionCompleted = "Completed"
	MonitorActionDeclined  = "Declined"
	MonitorActionVoided    = "Voided"
	MonitorActionCorrected = "Corrected"
	MonitorActionResent    = "Resent"
	MonitorActionCreated   = "Created"
	MonitorActionClosed    = "Closed"
)

// recordedEvent is a stored Monitor event.
type recordedEvent struct {
	json []byte
	ev   MonitorEvent
}

// monitorRecord is what an action contributes to the stream.
type monitorRecord struct {
	accountID string
	userID    string // who acted
	object    string
	action    string
	source    string // API or Web
	userAgent string
	data      any // marshalled as the data object
}

// recordedJSON fixes the member order of a recorded event to the one the
// generated events use.
type recordedJSON struct {
	Timestamp         string          `json:"timestamp"`
	EventID           string          `json:"eventId"`
	Site              string          `json:"site"`
	AccountID         string          `json:"accountId"`
	OrganizationID    string          `json:"organizationId"`
	UserID            string          `json:"userId"`
	UserAgent         string          `json:"userAgent"`
	IPAddress         string          `json:"ipAddress"`
	IPAddressLocation json.RawMessage `json:"ipAddressLocation"`
	Object            string          `json:"object"`
	Action            string          `json:"action"`
	Result            string          `json:"result"`
	Source            string          `json:"source"`
	Data              json.RawMessage `json:"data"`
}

// record appends one event at now (or just after the last event, so the
// stream's timestamps keep increasing) and returns its index.
func (es *eventStore) record(now time.Time, m monitorRecord) int {
	data, err := json.Marshal(m.data)
	if err != nil || m.data == nil {
		data = []byte("{}")
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	old := *es.segs.Load()
	total := es.count()
	ticks := toTicks(now)
	last := es.floor
	if total > 0 {
		last = old[len(old)-1].ticks(es.seed, total-1)
	}
	if ticks <= last {
		ticks = last + 1
	}
	if m.userAgent == "" {
		m.userAgent = "docusigntest"
	}
	if m.source == "" {
		m.source = "API"
	}
	id := guid(es.seed, domEvent, uint64(1<<50+total))
	rj := recordedJSON{
		Timestamp:         string(appendTicks(nil, ticks)),
		EventID:           id,
		Site:              "DEMO",
		AccountID:         m.accountID,
		OrganizationID:    es.org,
		UserID:            m.userID,
		UserAgent:         m.userAgent,
		IPAddress:         "127.0.0.1",
		IPAddressLocation: json.RawMessage(locations[0]),
		Object:            m.object,
		Action:            m.action,
		Result:            "Success",
		Source:            m.source,
		Data:              data,
	}
	b, _ := json.Marshal(rj)
	rec := &recordedEvent{json: b, ev: MonitorEvent{
		Index: total, EventID: id, Timestamp: fromTicks(ticks), AccountID: m.accountID,
		OrganizationID: es.org, UserID: m.userID, Object: m.object, Action: m.action,
		Result: "Success", Source: m.source, Data: string(data),
	}}
	segs := append(old[:len(old):len(old)], eventSegment{first: total, n: 1, start: ticks, step: 2, rec: rec})
	es.segs.Store(&segs)
	return total
}

// recorded returns the stored event at index i, nil for a generated one.
func (es *eventStore) recorded(i int) *recordedEvent {
	segs := *es.segs.Load()
	return segs[segmentOf(segs, i)].rec
}

// RecordedEvents returns the Monitor events caused by actions on the fake
// (envelopes sent, voided, completed; users added, closed; ...), oldest
// first, so a collector test can check it picked up what it caused.
func (s *Server) RecordedEvents() []MonitorEvent {
	out := []MonitorEvent{}
	for _, sg := range *s.events.segs.Load() {
		if sg.rec != nil {
			out = append(out, sg.rec.ev)
		}
	}
	return out
}
