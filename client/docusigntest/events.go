package docusigntest

import (
	"encoding/base64"
	"encoding/binary"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Monitor events are never stored: event i is a pure function of the seed,
// i and the segment holding i. A segment is a run of events with evenly
// spaced base times plus a per-event jitter below half the spacing, so
// timestamps strictly increase. Segments are only ever appended, so an
// event never changes once it exists, and a rendered page stays valid.

// ticksPerSecond is the resolution of Monitor timestamps: 100 ns, the
// seven fractional digits DocuSign sends.
const ticksPerSecond = 10_000_000

func toTicks(t time.Time) int64 { return t.UnixNano() / 100 }

func fromTicks(k int64) time.Time { return time.Unix(k/ticksPerSecond, (k%ticksPerSecond)*100).UTC() }

// eventSegment is a run of n events starting at index first: generated
// ones, or (rec set, n = 1) one event recorded because a client or a test
// acted on the fake's world (see record.go).
type eventSegment struct {
	first int
	n     int
	start int64 // ticks of the first event's base time
	step  int64 // ticks between base times, >= 2
	rec   *recordedEvent
}

func (sg *eventSegment) ticks(seed uint64, i int) int64 {
	if sg.rec != nil {
		return sg.start
	}
	k := int64(i - sg.first)
	t := sg.start + k*sg.step
	if half := sg.step / 2; half > 0 {
		t += int64(rnd(seed, domEventAux, uint64(i), 0) % uint64(half))
	}
	return t
}

// userFrag is a user's pre-rendered identity fields.
type userFrag struct {
	frag      []byte // "accountId":"…","organizationId":"…","userId":"…",
	userID    string
	accountID string
}

type eventStore struct {
	seed  uint64
	org   string
	users []userFrag
	floor int64 // ticks that appended events must follow when none exist

	mu   sync.Mutex // serializes appends
	segs atomic.Pointer[[]eventSegment]

	cache pageCache
}

// initialSpan is how far back the initial events reach: inside Monitor's
// default seven-day window with a day to spare for Advance.
const initialSpan = 6 * 24 * time.Hour

func newEventStore(seed uint64, org string, users []*User, n int, end time.Time) *eventStore {
	es := &eventStore{seed: seed, org: org, floor: toTicks(end)}
	es.users = make([]userFrag, len(users))
	for i, u := range users {
		acct := u.AccountIDs[0]
		var b []byte
		b = append(b, `"accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","organizationId":"`...)
		b = append(b, org...)
		b = append(b, `","userId":"`...)
		b = append(b, u.ID...)
		b = append(b, `",`...)
		es.users[i] = userFrag{frag: b, userID: u.ID, accountID: acct}
	}
	segs := []eventSegment{}
	if n > 0 {
		step := max(int64(initialSpan/100)/int64(n), 2)
		segs = append(segs, eventSegment{first: 0, n: n, start: es.floor - int64(n)*step, step: step})
	}
	es.segs.Store(&segs)
	es.cache.init()
	return es
}

func (es *eventStore) count() int {
	segs := *es.segs.Load()
	if len(segs) == 0 {
		return 0
	}
	last := segs[len(segs)-1]
	return last.first + last.n
}

// segmentOf finds the segment holding event i (i < count).
func segmentOf(segs []eventSegment, i int) int {
	return sort.Search(len(segs), func(j int) bool { return segs[j].first+segs[j].n > i })
}

func (es *eventStore) ticks(i int) int64 {
	segs := *es.segs.Load()
	return segs[segmentOf(segs, i)].ticks(es.seed, i)
}

// indexAt is the index of the first event at or after t (count if none).
func (es *eventStore) indexAt(t int64) int {
	segs := *es.segs.Load()
	n := 0
	if len(segs) > 0 {
		n = segs[len(segs)-1].first + segs[len(segs)-1].n
	}
	return sort.Search(n, func(i int) bool { return segs[segmentOf(segs, i)].ticks(es.seed, i) >= t })
}

// appendEvents adds n events after the last one, spread evenly up to now
// (or 200 ns apart if the clock has not moved past the last event).
func (es *eventStore) appendEvents(n int, now time.Time) int {
	es.mu.Lock()
	defer es.mu.Unlock()
	old := *es.segs.Load()
	total := es.count()
	last := es.floor
	if total > 0 {
		last = old[len(old)-1].ticks(es.seed, total-1)
	}
	if n <= 0 {
		return total
	}
	step := int64(2)
	if gap := toTicks(now) - last; gap > int64(n+1)*2 {
		step = gap / int64(n+1)
	}
	segs := append(old[:len(old):len(old)], eventSegment{first: total, n: n, start: last + step, step: step})
	es.segs.Store(&segs)
	return total + n
}

// Cursors are opaque to clients: base64url of the position and a check
// word, so a mangled or foreign cursor is rejected rather than misread.
func (es *eventStore) appendCursor(dst []byte, pos int) []byte {
	var raw [12]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(pos))
	binary.BigEndian.PutUint32(raw[8:], uint32(rnd(es.seed, domCursor, uint64(pos), 0)))
	var enc [16]byte
	base64.RawURLEncoding.Encode(enc[:], raw[:])
	return append(dst, enc[:]...)
}

func (es *eventStore) decodeCursor(c string) (int, bool) {
	if len(c) != 16 {
		return 0, false
	}
	var raw [12]byte
	if _, err := base64.RawURLEncoding.Decode(raw[:], []byte(c)); err != nil {
		return 0, false
	}
	pos := binary.BigEndian.Uint64(raw[:8])
	if pos > 1<<48 || binary.BigEndian.Uint32(raw[8:]) != uint32(rnd(es.seed, domCursor, pos, 0)) {
		return 0, false
	}
	return int(pos), true
}

// eventKind is one kind of audit event with its data object.
type eventKind struct {
	object   string
	action   string
	source   string
	failable bool
	data     func(es *eventStore, dst []byte, i int, r uint64, failed bool) []byte
}

var subjects = []string{"Master Services Agreement", "NDA", "Offer Letter", "Purchase Order", "Lease Renewal", "Statement of Work"}

var settingNames = []string{"allowBulkSend", "enableSignerAttachments", "sessionTimeout", "allowSignerReassign", "enableSMSAuthentication"}

func dataEnvelope(es *eventStore, dst []byte, i int, r uint64, _ bool) []byte {
	dst = append(dst, `{"EnvelopeId":"`...)
	dst = appendGUID(dst, rnd(es.seed, domEnvelope, r%100_000, 0), rnd(es.seed, domEnvelope, r%100_000, 1))
	dst = append(dst, `","Subject":"`...)
	dst = append(dst, subjects[(r>>20)%uint64(len(subjects))]...)
	dst = append(dst, ` #`...)
	dst = strconv.AppendUint(dst, r>>40, 10)
	return append(dst, `"}`...)
}

func dataDownload(es *eventStore, dst []byte, i int, r uint64, _ bool) []byte {
	dst = append(dst, `{"EnvelopeId":"`...)
	dst = appendGUID(dst, rnd(es.seed, domEnvelope, r%100_000, 0), rnd(es.seed, domEnvelope, r%100_000, 1))
	dst = append(dst, `","DocumentName":"`...)
	dst = append(dst, subjects[(r>>20)%uint64(len(subjects))]...)
	return append(dst, `.pdf","Format":"PDF"}`...)
}

func dataLogin(_ *eventStore, dst []byte, _ int, r uint64, failed bool) []byte {
	dst = append(dst, `{"AuthenticationMethod":"`...)
	if r&1 == 0 {
		dst = append(dst, "Password"...)
	} else {
		dst = append(dst, "SSO"...)
	}
	if failed {
		return append(dst, `","FailureReason":"InvalidCredentials"}`...)
	}
	return append(dst, `"}`...)
}

func dataSetting(_ *eventStore, dst []byte, _ int, r uint64, _ bool) []byte {
	dst = append(dst, `{"Setting":"`...)
	dst = append(dst, settingNames[r%uint64(len(settingNames))]...)
	if r&2 == 0 {
		return append(dst, `","OldValue":"false","NewValue":"true"}`...)
	}
	return append(dst, `","OldValue":"true","NewValue":"false"}`...)
}

func dataProfile(es *eventStore, dst []byte, _ int, r uint64, _ bool) []byte {
	dst = append(dst, `{"AffectedUserId":"`...)
	dst = append(dst, es.users[r%uint64(len(es.users))].userID...)
	dst = append(dst, `","OldValue":"DocuSign Viewer","NewValue":"DocuSign Sender"}`...)
	return dst
}

func dataConsent(es *eventStore, dst []byte, _ int, r uint64, _ bool) []byte {
	dst = append(dst, `{"IntegratorKey":"`...)
	dst = appendGUID(dst, rnd(es.seed, domIntegration, r%8, 0), rnd(es.seed, domIntegration, r%8, 1))
	return append(dst, `","Scopes":"signature impersonation"}`...)
}

func dataEmpty(_ *eventStore, dst []byte, _ int, _ uint64, _ bool) []byte {
	return append(dst, "{}"...)
}

// eventKinds is weighted by repetition: logins and envelope activity
// dominate real audit streams.
var eventKinds = func() []*eventKind {
	login := &eventKind{"User", "Login", "Web", true, dataLogin}
	sent := &eventKind{"Envelope", "Sent", "API", false, dataEnvelope}
	viewed := &eventKind{"Envelope", "Viewed", "Web", false, dataEnvelope}
	completed := &eventKind{"Envelope", "Completed", "Web", false, dataEnvelope}
	voided := &eventKind{"Envelope", "Voided", "API", false, dataEnvelope}
	download := &eventKind{"Document", "Downloaded", "Web", false, dataDownload}
	setting := &eventKind{"Account", "SettingChanged", "Web", false, dataSetting}
	profile := &eventKind{"User", "PermissionProfileChanged", "Web", false, dataProfile}
	password := &eventKind{"User", "PasswordChanged", "Web", false, dataEmpty}
	consent := &eventKind{"IntegratorKey", "ConsentGranted", "Web", false, dataConsent}
	logout := &eventKind{"User", "Logout", "Mobile", false, dataEmpty}
	return []*eventKind{
		login, login, login, login, sent, sent, sent, viewed,
		viewed, completed, completed, voided, download, setting, profile, password,
		consent, logout, login, sent,
	}
}()

var userAgents = []string{
	`"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"`,
	`"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"`,
	`"DocuSign-eSign-Java/6.0.0/v2.1"`,
	`"DocuSign/24.10 (iPhone; iOS 17.4)"`,
}

var locations = []string{
	`{"latitude":47.6062,"longitude":-122.3321,"country":"US","state":"WA","city":"Seattle"}`,
	`{"latitude":37.7749,"longitude":-122.4194,"country":"US","state":"CA","city":"San Francisco"}`,
	`{"latitude":40.7128,"longitude":-74.006,"country":"US","state":"NY","city":"New York"}`,
	`{"latitude":51.5072,"longitude":-0.1276,"country":"GB","state":"ENG","city":"London"}`,
	`{"latitude":48.1351,"longitude":11.582,"country":"DE","state":"BY","city":"Munich"}`,
	`{"latitude":-33.8688,"longitude":151.2093,"country":"AU","state":"NSW","city":"Sydney"}`,
}

var ipPrefixes = []string{"203.0.113.", "198.51.100.", "192.0.2."}

// eventChoice is everything random about event i.
type eventChoice struct {
	r0, r1, r2, r3 uint64
	user           *userFrag
	kind           *eventKind
	failed         bool
}

func (es *eventStore) choose(i int) eventChoice {
	ui := uint64(i)
	c := eventChoice{
		r0: rnd(es.seed, domEvent, ui, 0),
		r1: rnd(es.seed, domEvent, ui, 1),
		r2: rnd(es.seed, domEvent, ui, 2),
		r3: rnd(es.seed, domEvent, ui, 3),
	}
	c.user = &es.users[c.r2%uint64(len(es.users))]
	c.kind = eventKinds[(c.r2>>24)%uint64(len(eventKinds))]
	c.failed = c.kind.failable && (c.r2>>32)%16 == 0
	return c
}

// appendEvent renders event i with timestamp ts as JSON.
func (es *eventStore) appendEvent(dst []byte, i int, ts int64) []byte {
	c := es.choose(i)
	dst = append(dst, `{"timestamp":"`...)
	dst = appendTicks(dst, ts)
	dst = append(dst, `","eventId":"`...)
	dst = appendGUID(dst, c.r0, c.r1)
	dst = append(dst, `","site":"DEMO",`...)
	dst = append(dst, c.user.frag...)
	dst = append(dst, `"userAgent":`...)
	dst = append(dst, userAgents[(c.r2>>40)%uint64(len(userAgents))]...)
	dst = append(dst, `,"ipAddress":"`...)
	dst = append(dst, ipPrefixes[(c.r3>>8)%uint64(len(ipPrefixes))]...)
	dst = strconv.AppendUint(dst, 1+c.r3%254, 10)
	dst = append(dst, `","ipAddressLocation":`...)
	dst = append(dst, locations[(c.r2>>48)%uint64(len(locations))]...)
	dst = append(dst, `,"object":"`...)
	dst = append(dst, c.kind.object...)
	dst = append(dst, `","action":"`...)
	dst = append(dst, c.kind.action...)
	if c.failed {
		dst = append(dst, `","result":"Failure","source":"`...)
	} else {
		dst = append(dst, `","result":"Success","source":"`...)
	}
	dst = append(dst, c.kind.source...)
	dst = append(dst, `","data":`...)
	dst = c.kind.data(es, dst, i, c.r3>>16, c.failed)
	return append(dst, '}')
}

// renderPage renders the stream response for events [from, to).
func (es *eventStore) renderPage(dst []byte, from, to int) []byte {
	dst = append(dst, `{"endCursor":"`...)
	dst = es.appendCursor(dst, to)
	dst = append(dst, `","data":[`...)
	if from < to {
		segs := *es.segs.Load()
		si := segmentOf(segs, from)
		for i := from; i < to; i++ {
			for i >= segs[si].first+segs[si].n {
				si++
			}
			if i > from {
				dst = append(dst, ',')
			}
			if rec := segs[si].rec; rec != nil {
				dst = append(dst, rec.json...)
				continue
			}
			dst = es.appendEvent(dst, i, segs[si].ticks(es.seed, i))
		}
	}
	return append(dst, "]}"...)
}

// appendTicks appends a UTC timestamp with seven fractional digits,
// e.g. 2024-05-01T10:11:12.1234567Z, without time.Format's generality.
func appendTicks(dst []byte, ticks int64) []byte {
	sec := ticks / ticksPerSecond
	frac := ticks % ticksPerSecond
	if frac < 0 {
		sec--
		frac += ticksPerSecond
	}
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, m, 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, rem/3600, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rem/60%60, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rem%60, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, frac, 7)
	return append(dst, 'Z')
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || width > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	return append(dst, buf[i:]...)
}

// pageCache keeps pages asked for again shortly after being served
// (retries after a failed read, several collectors on one stream). A page
// is immutable once its events exist, so entries never go stale. A long
// sequential re-read does not qualify, so it does not churn the cache.
type pageCache struct {
	mu      sync.Mutex
	recent  [pageCacheRecent][2]int // ring of recently served page keys
	next    int
	pages   map[[2]int][]byte
	order   [][2]int
	bytes   int
	maxSize int
}

const (
	pageCacheBytes  = 32 << 20
	pageCacheRecent = 32
)

func (pc *pageCache) init() {
	for i := range pc.recent {
		pc.recent[i] = [2]int{-1, -1}
	}
	pc.pages = map[[2]int][]byte{}
	pc.maxSize = pageCacheBytes
}

// get returns a cached page, and whether a miss should be stored.
func (pc *pageCache) get(k [2]int) (page []byte, store bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if p, ok := pc.pages[k]; ok {
		return p, false
	}
	for _, r := range pc.recent {
		if r == k {
			store = true
			break
		}
	}
	pc.recent[pc.next] = k
	pc.next = (pc.next + 1) % len(pc.recent)
	return nil, store
}

func (pc *pageCache) put(k [2]int, page []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if _, ok := pc.pages[k]; ok || len(page) > pc.maxSize/4 {
		return
	}
	for pc.bytes+len(page) > pc.maxSize && len(pc.order) > 0 {
		old := pc.order[0]
		pc.order = pc.order[1:]
		pc.bytes -= len(pc.pages[old])
		delete(pc.pages, old)
	}
	pc.pages[k] = page
	pc.order = append(pc.order, k)
	pc.bytes += len(page)
}

var pageBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// page returns the rendered response for [from, to) and a release func to
// call once the bytes are written.
func (es *eventStore) page(from, to int) ([]byte, func()) {
	k := [2]int{from, to}
	if p, store := es.cache.get(k); p != nil {
		return p, func() {}
	} else if store {
		p = es.renderPage(make([]byte, 0, (to-from)*700+64), from, to)
		es.cache.put(k, p)
		return p, func() {}
	}
	bp := pageBuffers.Get().(*[]byte)
	*bp = es.renderPage((*bp)[:0], from, to)
	return *bp, func() {
		if cap(*bp) <= 8<<20 {
			pageBuffers.Put(bp)
		}
	}
}
