package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// maxMonitorLimit is the largest page the Monitor stream returns.
	maxMonitorLimit = 2000
	// DefaultMonitorLimit is the page size used when MonitorEventsOptions.Limit is
	// 0. It is the API's maximum (DocuSign's own default is 1000): fewer,
	// larger requests keep a collector well inside the rate limits.
	DefaultMonitorLimit = maxMonitorLimit
	// DefaultPollInterval is how long a followed Monitor stream waits after a
	// page that was not full before asking again.
	DefaultPollInterval = 60 * time.Second

	monitorStreamPath = "/api/v2.0/datasets/monitor/stream"
)

// ErrMissingEndCursor is returned when a Monitor page holds events but no
// endCursor. Continuing would restart the stream from its default start (or
// lose the position), so the pager stops instead; the page is not consumed
// and a retry fetches it again.
var ErrMissingEndCursor = errors.New("docusign: monitor stream page has events but no endCursor")

// ErrCursorStuck is returned when the API's paging does not move forward: a
// Monitor page with events whose endCursor is the cursor it was fetched
// with, or a list whose next link leads back to a page already read by this
// pager. Following it would hand out the same records forever, so the pager
// stops instead; the page is not consumed and a retry fetches it again.
var ErrCursorStuck = errors.New("docusign: paging does not advance")

// MonitorEventsOptions configures a Monitor event stream. At most one of Cursor,
// Checkpoint, Since and FromNow may be set; with none, the stream starts
// where DocuSign starts it (seven days back).
//
// Each request asks for the events after the previous page's endCursor. A
// page with no events keeps the cursor it was fetched with (whatever
// endCursor it carries), so nothing that arrives later is skipped; a page
// with events but no endCursor stops the stream with ErrMissingEndCursor
// instead of silently starting over, and one with events whose endCursor is
// the cursor it was fetched with stops it with ErrCursorStuck instead of
// repeating those events forever.
type MonitorEventsOptions struct {
	// Cursor starts at an endCursor saved from an earlier response.
	Cursor string
	// Checkpoint resumes exactly after the last event processed, even mid-page.
	Checkpoint Checkpoint
	// Since starts at events from this time on (sent as an ISO 8601 UTC cursor).
	Since time.Time
	// FromNow starts at the current time: only events from now on.
	FromNow bool

	// Limit is the page size, 1 to 2000; 0 means DefaultMonitorLimit (2000).
	Limit int
	// Follow keeps polling for new events instead of stopping at the first
	// empty page: after a full page the next is fetched at once, otherwise
	// after PollInterval. Only cancelling the context ends a followed
	// stream (All then ends without an error). NextPage returns every
	// poll's page, empty ones included, so a page-level caller can
	// heartbeat and checkpoint.
	Follow bool
	// PollInterval is the wait between polls in Follow mode; 0 means
	// DefaultPollInterval (60 s). Negative values are invalid.
	PollInterval time.Duration
}

// validate reports every invalid option at once, naming each.
func (o MonitorEventsOptions) validate() error {
	var errs []error
	var starts []string
	if o.Cursor != "" {
		starts = append(starts, "Cursor")
	}
	if !o.Checkpoint.IsZero() {
		starts = append(starts, "Checkpoint")
	}
	if !o.Since.IsZero() {
		starts = append(starts, "Since")
	}
	if o.FromNow {
		starts = append(starts, "FromNow")
	}
	if len(starts) > 1 { // blamed on the first, naming the others
		e := optErr("MonitorEventsOptions."+starts[0], "MonitorEventsOptions.%s are mutually exclusive: set at most one start", strings.Join(starts[1:], ", MonitorEventsOptions."))
		e.sep = ", "
		errs = append(errs, e)
	}
	if o.Limit < 0 || o.Limit > maxMonitorLimit {
		errs = append(errs, fieldErr("MonitorEventsOptions.Limit", "%d is out of range: use 1 to %d, or 0 for %d", o.Limit, maxMonitorLimit, DefaultMonitorLimit))
	}
	if o.PollInterval < 0 {
		errs = append(errs, fieldErr("MonitorEventsOptions.PollInterval", "%v is negative: use a positive duration, or 0 for %v", o.PollInterval, DefaultPollInterval))
	}
	if o.PollInterval > 0 && !o.Follow {
		errs = append(errs, fieldErr("MonitorEventsOptions.PollInterval", "is set but Follow is not: set Follow to poll, or drop PollInterval"))
	}
	if err := o.Checkpoint.expectKind("MonitorEventsOptions.Checkpoint", CheckpointMonitor); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// monitorSource fetches Monitor stream pages.
type monitorSource struct {
	g        pageGetter
	endpoint string // base URL + stream path
	limit    int
	follow   bool
	interval time.Duration
	// pollAt is set after a page that was not full in Follow mode to the
	// request following it: fetching it waits interval first. A position
	// rather than a flag, so that refetching a page read ahead and dropped
	// does not wait for the poll due after it.
	pollAt  pagePos
	pollDue bool
	// deferMin is the smallest body fetchAhead leaves undecoded
	// (deferMinBody; tests lower it).
	deferMin int
}

// newMonitorPager builds the Monitor event pager over d.
func newMonitorPager(d pageDoer, monitorURL string, opts MonitorEventsOptions, now func() time.Time) (*Pager[Event], error) {
	var errs []error
	if monitorURL == "" {
		errs = append(errs, fieldErr("Environment.MonitorURL", "is empty: set it to use the Monitor API"))
	}
	if err := opts.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultMonitorLimit
	}
	interval := opts.PollInterval
	if interval == 0 {
		interval = DefaultPollInterval
	}
	src := &monitorSource{
		g:        pageGetter{do: d},
		endpoint: strings.TrimRight(monitorURL, "/") + monitorStreamPath,
		limit:    limit,
		follow:   opts.Follow,
		interval: interval,
		deferMin: deferMinBody,
	}
	at := pagePos{cursor: opts.Cursor, limit: limit}
	switch {
	case !opts.Since.IsZero():
		at.cursor = FormatCursorTime(opts.Since)
	case opts.FromNow:
		at.cursor = FormatCursorTime(now())
	}
	p := newPager[Event](CheckpointMonitor, src, eventFingerprint, at, opts.Checkpoint)
	p.follow = opts.Follow
	p.useQuickHash(eventQuickHash)
	return p, nil
}

// MonitorEventsPager returns a pager over the organization's Monitor audit
// events, for page-level control and checkpoints. See MonitorEventsOptions for
// where it starts, drain versus follow, and page size.
func (c *Client) MonitorEventsPager(opts MonitorEventsOptions) (*Pager[Event], error) {
	now := time.Now
	if c.settings != nil && c.settings.now != nil {
		now = c.settings.now
	}
	p, err := newMonitorPager(c, c.MonitorURL(), opts, now)
	return withReadAhead(c, p, err)
}

// MonitorEvents iterates over Monitor audit events:
//
//	for ev, err := range c.MonitorEvents(ctx, client.MonitorEventsOptions{Follow: true}) { ... }
//
// Breaking out of the loop stops cleanly (every response body is closed).
// To resume across restarts, use MonitorEventsPager and save its Checkpoint.
func (c *Client) MonitorEvents(ctx context.Context, opts MonitorEventsOptions) iter.Seq2[Event, error] {
	p, err := c.MonitorEventsPager(opts)
	if err != nil {
		return pagerErrorSeq[Event](err)
	}
	return p.All(ctx)
}

// eventFingerprint identifies an event by its eventId, or by its bytes when
// it has none.
func eventFingerprint(e *Event) uint64 {
	if e.EventID != "" {
		return recordFingerprint(e.EventID)
	}
	return rawRecordFingerprint(e.Raw)
}

// eventQuickHash is the pager's fast duplicate-check hash of an event: of
// its eventId, or of its bytes when it has none (as eventFingerprint).
func eventQuickHash(e *Event, seed maphash.Seed) uint64 {
	if e.EventID != "" {
		return maphash.String(seed, e.EventID)
	}
	return ^maphash.Bytes(seed, e.Raw)
}

func (s *monitorSource) fetch(ctx context.Context, at pagePos) (fetched[Event], error) {
	return s.fetchPage(ctx, at, false)
}

// fetchAhead is fetch for the read-ahead (see aheadSource): a large page of
// a drained stream is left for the caller to decode once the endCursor it
// announces is found, so the next request starts while the caller decodes.
// A followed stream decodes every page here: when to poll depends on how
// many events a page holds.
func (s *monitorSource) fetchAhead(ctx context.Context, at pagePos) (fetched[Event], error) {
	return s.fetchPage(ctx, at, !s.follow)
}

// deferMinBody is the smallest Monitor page body whose decoding fetchAhead
// leaves to the caller: smaller pages decode in a few microseconds, and an
// empty page (the end of a drain) must be seen before asking for more.
const deferMinBody = 32 << 10

func (s *monitorSource) fetchPage(ctx context.Context, at pagePos, mayDefer bool) (fetched[Event], error) {
	if s.pollDue && at == s.pollAt {
		if err := sleepContext(ctx, s.interval); err != nil {
			return fetched[Event]{}, err
		}
		s.pollDue = false
	}
	limit := at.limit
	if limit <= 0 {
		limit = s.limit
	}
	q := make(url.Values, 2)
	if at.cursor != "" {
		q.Set("cursor", at.cursor)
	}
	q.Set("limit", strconv.Itoa(limit))
	wrap := func(err error) error { return fmt.Errorf("docusign: monitor stream at cursor %q: %w", at.cursor, err) }
	decode := func(body []byte) (monitorPage, error) {
		return decodeMonitorPage(body, make([]Event, 0, min(limit, len(body)/256+1)))
	}
	var pg monitorPage
	var deferred *fetched[Event]
	err := s.g.getPage(ctx, s.endpoint+"?"+q.Encode(), func(body []byte, meta bodyMeta) error {
		if mayDefer && len(body) >= s.deferMin {
			if next, ok := peekEndCursor(body); ok && next != "" && next != at.cursor {
				deferred = &fetched[Event]{
					next: pagePos{cursor: next, limit: s.limit},
					decode: func() (fetched[Event], error) {
						pg, err := decode(body)
						if err != nil {
							return fetched[Event]{}, wrap(asDecodeError(meta, body, err))
						}
						return s.follows(at, pg)
					},
				}
				return nil
			}
		}
		var err error
		pg, err = decode(body)
		return err
	})
	if err != nil {
		return fetched[Event]{}, wrap(err)
	}
	if deferred != nil {
		return *deferred, nil // a drained stream: nothing to poll
	}
	f, err := s.follows(at, pg)
	if err != nil {
		return fetched[Event]{}, err
	}
	s.pollDue = s.follow && len(pg.events) < limit
	s.pollAt = f.next
	return f, nil
}

// follows makes the decoded page pg, fetched at `at`, a fetched page: its
// events and the request after it. It only reads settings, so a caller may
// run it while the read-ahead fetches.
func (s *monitorSource) follows(at pagePos, pg monitorPage) (fetched[Event], error) {
	f := fetched[Event]{items: pg.events}
	switch {
	case len(pg.events) == 0:
		// Nothing new: keep the cursor, whatever the response says.
		f.next = pagePos{cursor: at.cursor, limit: s.limit}
		f.last = !s.follow
	case pg.endCursor == "":
		return fetched[Event]{}, fmt.Errorf("docusign: monitor stream at cursor %q: page of %d events: %w", at.cursor, len(pg.events), ErrMissingEndCursor)
	case pg.endCursor == at.cursor:
		// Asking again with the same cursor would return the same events.
		return fetched[Event]{}, fmt.Errorf("docusign: monitor stream at cursor %q: page of %d events ends at the cursor it was fetched with: %w", at.cursor, len(pg.events), ErrCursorStuck)
	default:
		f.next = pagePos{cursor: pg.endCursor, limit: s.limit}
	}
	return f, nil
}

// peekEndCursor finds the endCursor a Monitor page body announces without
// decoding its events: among the top-level members before "data", else as
// the last "endCursor" key near the end of the body. It may be fooled (the
// body is not validated); the caller confirms it by decoding the page.
func peekEndCursor(body []byte) (string, bool) {
	sc := jscan{b: body, s: frozenString(body)}
	sc.ws()
	if sc.i < len(body) && body[sc.i] == '{' {
		sc.i++
		sc.ws()
		for sc.i < len(body) && body[sc.i] == '"' {
			k, err := sc.key()
			if err != nil || k == "data" {
				break
			}
			if k == "endCursor" && sc.i < len(body) && body[sc.i] == '"' {
				v, err := sc.strValue()
				return v, err == nil
			}
			if sc.skipValue() != nil {
				break
			}
			sc.ws()
			if sc.i >= len(body) || body[sc.i] != ',' {
				break
			}
			sc.i++
			sc.ws()
		}
	}
	const key = `"endCursor"`
	tail := max(len(body)-4096, 0)
	i := bytes.LastIndex(body[tail:], []byte(key))
	if i < 0 {
		return "", false
	}
	sc = jscan{b: body, s: sc.s, i: tail + i}
	if _, err := sc.key(); err != nil || sc.i >= len(body) || body[sc.i] != '"' {
		return "", false
	}
	v, err := sc.strValue()
	return v, err == nil
}
