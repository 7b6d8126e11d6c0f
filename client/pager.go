package client

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoMorePages is returned by Pager.NextPage after the last page.
var ErrNoMorePages = errors.New("docusign: no more pages")

// Pager reads one DocuSign listing a page at a time and remembers where it
// is, so that a collector can stop at any record and resume later from a
// Checkpoint with nothing lost and nothing repeated.
//
// Use All for a record-by-record loop, Pages for a page-by-page loop, or
// NextPage for page-level control step by step (like aws-sdk-go-v2
// paginators: for p.HasMorePages() { page, err := p.NextPage(ctx) ... });
// use one style per pager. Checkpoint returns the position after
// everything handed out so far.
//
// All and Pages read ahead (see WithReadAhead; one page by default): while
// the loop body works through a page, the next page is already being
// requested and decoded, so a drain costs about the larger of the network's
// and the caller's time per page instead of their sum. What is handed out,
// in what order, the errors and the checkpoints are the same as without
// read-ahead; leaving the loop cancels the request ahead and waits for it.
// NextPage fetches one page per call, when called.
//
// A Pager holds at most one page of records plus the pages read ahead,
// however many pages it reads. It is not safe for concurrent use.
//
// After an error the pager stays where it was: calling NextPage or All again
// retries the same page.
type Pager[T any] struct {
	src  pageSource[T]
	kind string
	id   func(*T) uint64 // fingerprint of a record, unless the source supplies them

	at     pagePos  // request of the next page to fetch
	seen   []uint64 // records of the page at `at` already processed (resume)
	done   bool     // the listing is complete (list kinds)
	stop   bool     // no more pages in this run (done, or a drained stream)
	follow bool     // a followed stream: context cancellation ends All cleanly

	cur     *Page[T]            // the page All is handing out
	yielded int                 // records of cur handed out
	ids     map[uint64]struct{} // exact duplicate check (dedupe)
	set     hashSet             // quick duplicate check (distinct)
	// quick, when set, is a fast hash of a record for the duplicate check:
	// records with the same identity (what id fingerprints) get the same
	// quick hash. Two records whose quick hashes all differ are treated as
	// distinct without computing id.
	quick func(*T, maphash.Seed) uint64
	seed  maphash.Seed

	ahead int           // pages All and Pages fetch ahead; 0: none
	ra    *readAhead[T] // the running read-ahead, while All or Pages runs
}

// pagePos is the request of one page: a Monitor cursor and limit, or the
// path and query of a list page relative to its API base URL.
type pagePos struct {
	cursor string
	limit  int
	page   string
}

// pageSource fetches and decodes one page of a listing.
type pageSource[T any] interface {
	fetch(ctx context.Context, at pagePos) (fetched[T], error)
}

// fetched is one decoded page and what follows it.
type fetched[T any] struct {
	// decode, when set, is a page fetched ahead and not decoded yet (see
	// aheadSource): items are empty, next is the request the page
	// announces, and decode returns the page as fetch would have.
	decode func() (fetched[T], error)

	at       pagePos // the request actually made, when resolved by the source
	items    []T
	fps      []uint64 // fingerprints of items, when the source computes them
	next     pagePos  // request of the page after this one
	last     bool     // stop after this page
	complete bool     // ...because the listing is complete (not a drained stream)
}

// Page is one page of a listing as handed out by Pager.NextPage.
type Page[T any] struct {
	// Items are the page's records in the order DocuSign sent them, without
	// records already processed before the checkpoint the pager resumed from
	// and without repeats of a record id within the page.
	Items []T
	// Skipped counts records DocuSign returned that are not in Items for
	// those two reasons.
	Skipped int

	kind     string
	at       pagePos
	base     []uint64 // processed before this page was fetched (resume)
	fps      []uint64 // fingerprints of Items; nil: computed by fp on demand
	fp       func(*T) uint64
	next     pagePos
	complete bool
}

// Checkpoint returns the position after the first k Items of the page were
// processed: resuming from it yields Items[k:] and everything after. k is
// clamped to 0..len(Items); Checkpoint(len(Items)) is the end of the page.
func (pg *Page[T]) Checkpoint(k int) Checkpoint {
	if k >= len(pg.Items) {
		if pg.complete {
			return Checkpoint{kind: pg.kind, done: true}
		}
		return Checkpoint{kind: pg.kind, cursor: pg.next.cursor, limit: pg.next.limit, page: pg.next.page}
	}
	k = max(k, 0)
	var seen []uint64
	if n := len(pg.base) + k; n > 0 {
		seen = make([]uint64, 0, n)
		seen = append(seen, pg.base...)
		if pg.fps != nil {
			seen = append(seen, pg.fps[:k]...)
		} else {
			for i := range k {
				seen = append(seen, pg.fp(&pg.Items[i]))
			}
		}
	}
	return Checkpoint{kind: pg.kind, cursor: pg.at.cursor, limit: pg.at.limit, page: pg.at.page, seen: seen}
}

// newPager builds a pager starting at `at`, or at the checkpoint cp when it
// is not zero (its kind must have been checked).
func newPager[T any](kind string, src pageSource[T], id func(*T) uint64, at pagePos, cp Checkpoint) *Pager[T] {
	p := &Pager[T]{src: src, kind: kind, id: id, at: at, ahead: DefaultReadAhead}
	if !cp.IsZero() {
		p.at = pagePos{cursor: cp.cursor, limit: cp.limit, page: cp.page}
		if len(cp.seen) == 0 && kind == CheckpointMonitor {
			p.at.limit = at.limit // at a page boundary the caller's limit applies
		}
		p.seen = slices.Clone(cp.seen)
		p.done = cp.done
		p.stop = cp.done
	}
	return p
}

// useQuickHash sets the quick duplicate-check hash (see Pager.quick) with a
// fresh seed.
func (p *Pager[T]) useQuickHash(quick func(*T, maphash.Seed) uint64) {
	p.quick, p.seed = quick, maphash.MakeSeed()
}

// HasMorePages reports whether NextPage may return another page. A followed
// Monitor stream always has more pages.
func (p *Pager[T]) HasMorePages() bool { return !p.stop }

// NextPage fetches the next page and considers all of it handed out:
// Checkpoint then returns the position after it. Use Page.Checkpoint to
// record a position inside the page. After the last page it returns
// ErrNoMorePages. On error nothing changes, and the next call retries.
// NextPage does not read ahead (Pages does).
func (p *Pager[T]) NextPage(ctx context.Context) (*Page[T], error) {
	if p.stop {
		return nil, ErrNoMorePages
	}
	p.stopReadAhead() // called inside an All or Pages loop: fetch serially
	f, err := p.src.fetch(ctx, p.at)
	if err != nil {
		return nil, err
	}
	return p.accept(f), nil
}

// Pages returns an iterator over the remaining pages, reading ahead (see
// Pager). Each page counts as handed out once it is yielded, as with
// NextPage: Checkpoint in the loop body returns the position after it, and
// Page.Checkpoint a position inside it. An error is yielded once (with a
// nil page) and ends the iteration, leaving the pager ready to retry the
// page. Cancelling ctx ends the iteration with the context's error (on a
// followed Monitor stream, without an error). Breaking out of the loop
// cancels the request ahead; a later Pages, All or NextPage continues
// after the last page yielded.
func (p *Pager[T]) Pages(ctx context.Context) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		defer p.stopReadAhead()
		for !p.stop {
			pg, err := p.nextAhead(ctx)
			if err != nil {
				if ctx.Err() != nil && p.follow {
					return
				}
				yield(nil, err)
				return
			}
			if !yield(pg, nil) {
				return
			}
		}
	}
}

// nextAhead is NextPage through the read-ahead, when there is one.
func (p *Pager[T]) nextAhead(ctx context.Context) (*Page[T], error) {
	if p.ahead == 0 {
		return p.NextPage(ctx)
	}
	if p.ra == nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.ra = startReadAhead(ctx, p.src, p.at, p.ahead)
	}
	f, err := p.ra.next(ctx)
	if err != nil {
		p.stopReadAhead() // it has returned, or ctx is done
		return nil, err
	}
	if f.decode != nil {
		if f, err = p.decodeAhead(ctx, f); err != nil {
			return nil, err
		}
	}
	if f.last {
		p.stopReadAhead()
	}
	return p.accept(f), nil
}

// decodeAhead decodes a page the read-ahead left undecoded. The decoded page
// is the authority: when it does not lead where the read-ahead went on to,
// the read-ahead is dropped (the next call starts it again at the right
// page); when it fails, the read-ahead is dropped and the error is the
// page's, as from fetch. A truncated body is fetched again, as fetch does.
func (p *Pager[T]) decodeAhead(ctx context.Context, ahead fetched[T]) (fetched[T], error) {
	f, err := ahead.decode()
	switch {
	case err != nil:
		p.stopReadAhead()
		if !isTruncatedBody(err) {
			return fetched[T]{}, err
		}
		return p.src.fetch(ctx, p.at)
	case f.last || f.next != ahead.next:
		p.stopReadAhead()
	}
	return f, nil
}

// stopReadAhead stops the read-ahead, if one runs, dropping the pages it
// fetched that were not handed out.
func (p *Pager[T]) stopReadAhead() {
	if p.ra != nil {
		p.ra.stop()
		p.ra = nil
	}
}

// accept makes f, the page at p.at, the page handed out.
func (p *Pager[T]) accept(f fetched[T]) *Page[T] {
	pg := &Page[T]{kind: p.kind, at: p.at, base: p.seen, next: f.next, complete: f.complete}
	if f.at != (pagePos{}) {
		pg.at = f.at
	}
	if len(p.seen) == 0 && p.distinct(&f) {
		// The common case: nothing to skip, so no per-record bookkeeping.
		// Fingerprints the source did not supply are computed only if
		// Page.Checkpoint needs them.
		pg.Items, pg.fps = f.items, f.fps
		if f.fps == nil {
			pg.fp = p.id
		}
	} else {
		p.dedupe(pg, &f)
	}
	p.at, p.seen, p.done, p.stop = f.next, nil, f.complete, f.last
	p.cur, p.yielded = pg, len(pg.Items)
	return pg
}

// distinct reports that the page's records are certainly pairwise distinct
// (no two with the same fingerprint), checked with a reused open-addressing
// table. With a quick hash a collision only means "not certain": the exact
// check in dedupe then decides.
func (p *Pager[T]) distinct(f *fetched[T]) bool {
	n := len(f.items)
	if n < 2 {
		return true
	}
	p.set.reset(n)
	for i := range f.items {
		var h uint64
		switch {
		case f.fps != nil:
			h = f.fps[i]
		case p.quick != nil:
			h = p.quick(&f.items[i], p.seed)
		default:
			h = p.id(&f.items[i])
		}
		if !p.set.add(h) {
			return false
		}
	}
	return true
}

// dedupe fills pg.Items with the page's records minus those already
// processed before the checkpoint resumed from (p.seen) and repeats of a
// fingerprint within the page, counting them in pg.Skipped.
func (p *Pager[T]) dedupe(pg *Page[T], f *fetched[T]) {
	if p.ids == nil {
		p.ids = make(map[uint64]struct{}, len(f.items)+len(p.seen))
	}
	clear(p.ids)
	for _, s := range p.seen {
		p.ids[s] = struct{}{}
	}
	items := f.items[:0]
	pg.fps = make([]uint64, 0, len(f.items))
	for i := range f.items {
		var fp uint64
		if f.fps != nil {
			fp = f.fps[i]
		} else {
			fp = p.id(&f.items[i])
		}
		if _, dup := p.ids[fp]; dup {
			pg.Skipped++
			continue
		}
		p.ids[fp] = struct{}{}
		if len(items) != i { // copy only once something was skipped
			items = append(items, f.items[i])
		} else {
			items = items[:i+1]
		}
		pg.fps = append(pg.fps, fp)
	}
	clear(f.items[len(items):]) // drop references held by skipped records
	pg.Items = items
}

// hashSet is a reusable set of 64-bit hashes (open addressing, linear
// probing) for the per-page duplicate check: cheaper than a map, and its
// memory is kept from page to page. The hash 0 is stored as 1.
type hashSet struct {
	slots []uint64
}

// reset empties the set and sizes it for n hashes.
func (s *hashSet) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if len(s.slots) < size || len(s.slots) > 4*size {
		s.slots = make([]uint64, size)
		return
	}
	clear(s.slots)
}

// add inserts h and reports whether it was absent.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	mask := uint64(len(s.slots) - 1)
	for i := (h ^ h>>29) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// Checkpoint returns the position after the last record handed out: by All,
// the last record yielded; by NextPage, the end of the last page returned.
func (p *Pager[T]) Checkpoint() Checkpoint {
	if p.cur != nil {
		return p.cur.Checkpoint(p.yielded)
	}
	if p.done {
		return Checkpoint{kind: p.kind, done: true}
	}
	if p.kind != CheckpointMonitor && p.at.page == "" {
		return Checkpoint{} // nothing fetched yet: start as the options say
	}
	return Checkpoint{kind: p.kind, cursor: p.at.cursor, limit: p.at.limit, page: p.at.page, seen: slices.Clone(p.seen)}
}

// All returns an iterator over the remaining records. Each record counts as
// handed out once it is yielded, so Checkpoint called in the loop body
// includes the current record. Breaking out of the loop leaves the pager at
// that record: a later All continues after it. An error is yielded once
// (with a zero record) and ends the iteration, leaving the pager ready to
// retry. Cancelling ctx stops the iteration before the next record, even
// in the middle of a page, with the context's error (on a followed Monitor
// stream, without an error); Checkpoint then points just after the last
// record yielded.
func (p *Pager[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer p.stopReadAhead()
		if p.ahead > 0 && p.ra == nil && !p.stop && ctx.Err() == nil {
			// Fetch the next page while the rest of the current one
			// (after a break) is handed out.
			p.ra = startReadAhead(ctx, p.src, p.at, p.ahead)
		}
		done := ctx.Done() // nil for a context that is never cancelled
		for {
			if p.cur != nil {
				for p.yielded < len(p.cur.Items) {
					if done != nil {
						select {
						case <-done:
							p.yieldCancel(ctx, yield)
							return
						default:
						}
					}
					item := p.cur.Items[p.yielded]
					p.yielded++
					if !yield(item, nil) {
						return
					}
				}
				p.cur = nil // fully handed out; release it before fetching
			}
			if p.stop {
				return
			}
			_, err := p.nextAhead(ctx)
			if err != nil {
				if p.follow && ctx.Err() != nil {
					return
				}
				var zero T
				yield(zero, err)
				return
			}
			p.yielded = 0
		}
	}
}

// yieldCancel ends an iteration whose context is done: with the context's
// error, or quietly on a followed stream (which only cancellation ends).
func (p *Pager[T]) yieldCancel(ctx context.Context, yield func(T, error) bool) {
	if p.follow {
		return
	}
	var zero T
	yield(zero, ctx.Err())
}

// pagerErrorSeq yields err once: the iterator form of a constructor error.
func pagerErrorSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// recordFingerprint hashes a record id (FNV-1a, 64 bits): stable across processes,
// so checkpoints can carry it.
func recordFingerprint(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// rawRecordFingerprint hashes a record without an id by its bytes, in a space
// apart from id fingerprints.
func rawRecordFingerprint(raw []byte) uint64 {
	h := uint64(14695981039346656037) ^ 0xff
	h *= 1099511628211
	for _, c := range raw {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// pageDoer sends an authenticated request through the client's retry, rate
// limit and error pipeline. *Client implements it.
type pageDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// truncatedRetries is how many times a page whose body was cut off (a
// connection dropped mid-body, or JSON that ends early) is fetched again.
// The requests are idempotent GETs, and a cut body is a transport fault the
// status-based retry in the pipeline cannot see.
const truncatedRetries = 2

// pageGetter fetches page bodies.
type pageGetter struct {
	do      pageDoer
	hint    int   // size of the last body, to size the next buffer
	maxBody int64 // largest body accepted; 0 means maxPageBody
	// retryWait is the pause before refetching a truncated body (tests
	// shorten it).
	retryWait time.Duration
}

// getPage GETs url and hands the whole body (page-owned: never reused) and
// what it came from to decode. Truncated bodies are refetched up to
// truncatedRetries times.
func (g *pageGetter) getPage(ctx context.Context, url string, decode func(body []byte, meta bodyMeta) error) error {
	for attempt := 0; ; attempt++ {
		body, meta, err := g.get(ctx, url)
		if err == nil {
			err = asDecodeError(meta, body, decode(body, meta))
		}
		if err == nil || attempt >= truncatedRetries || !isTruncatedBody(err) || ctx.Err() != nil {
			return err
		}
		wait := g.retryWait
		if wait == 0 {
			wait = 200 * time.Millisecond
		}
		if err := sleepContext(ctx, wait*time.Duration(attempt+1)); err != nil {
			return err
		}
	}
}

// bodyMeta describes the response a body came from, for *DecodeError.
type bodyMeta struct {
	status      int
	url         string // redacted
	contentType string
}

// get performs one GET and reads the whole body into a fresh buffer.
func (g *pageGetter) get(ctx context.Context, url string) ([]byte, bodyMeta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, bodyMeta{}, fmt.Errorf("docusign: building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := g.do.Do(req)
	if err != nil {
		return nil, bodyMeta{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The client's pipeline returns these as *APIError already; a bare
		// doer (an *http.Client) gets the same error here.
		return nil, bodyMeta{}, newAPIError(req, resp)
	}
	meta := bodyMeta{status: resp.StatusCode, url: redactURL(req.URL), contentType: resp.Header.Get("Content-Type")}
	limit := g.maxBody
	if limit <= 0 {
		limit = maxPageBody
	}
	tooLarge := func() error {
		return &DecodeError{StatusCode: meta.status, Method: http.MethodGet, URL: meta.url,
			ContentType: meta.contentType, Reason: reasonTooLarge(limit), Err: ErrBodyTooLarge}
	}
	var body []byte
	if bb, ok := resp.Body.(*bufferedBody); ok && int64(len(bb.data)) <= limit && bb.Len() == len(bb.data) {
		// Buffered whole by the Client's retry layer into a buffer of this
		// response's own: take it as the page buffer.
		body = bb.data
	} else {
		// The last page's size is a good first guess for this one's.
		guess := g.hint + g.hint/8
		var over bool
		body, over, err = readBody(resp.Body, resp.ContentLength, limit, max(maxBodyPrealloc, int64(guess)), max(guess, 512))
		if over {
			return nil, meta, tooLarge()
		}
	}
	if err != nil {
		return nil, meta, &DecodeError{StatusCode: meta.status, Method: http.MethodGet, URL: meta.url,
			ContentType: meta.contentType, Reason: reasonRead, Err: err}
	}
	g.hint = len(body)
	return body, meta, nil
}

// maxPageBody is the largest page body a pager reads (64 MiB). DocuSign's
// largest pages (2000 Monitor events) are a few MiB; anything far larger is
// not a page, and reading it could exhaust memory.
const maxPageBody = 64 << 20

// reasonTooLarge is the DecodeError reason for a body over limit bytes.
func reasonTooLarge(limit int64) string {
	return "response body exceeds the " + sizeText(limit) + " limit for one page (not a DocuSign page?)"
}

// asDecodeError turns a decoder's complaint about the body into the
// library's *DecodeError (keeping the decoder's error, with its offset, as
// Err); other errors pass through.
func asDecodeError(meta bodyMeta, body []byte, err error) error {
	if err == nil {
		return nil
	}
	reason := bodyErrorReason(meta.contentType, body, err)
	if reason == "" {
		return err
	}
	return &DecodeError{StatusCode: meta.status, Method: http.MethodGet, URL: meta.url, ContentType: meta.contentType, Reason: reason, Err: err}
}

// listSource fetches pages of a JSON list response ({"<items>": [...],
// ...paging members...}) whose position is a request path and query
// relative to an API base URL. Admin link paging and eSignature
// start_position paging plug in their own next function.
type listSource[T any] struct {
	g        pageGetter
	label    string                                // names the listing in errors
	base     func(context.Context) (string, error) // API base URL
	first    func(context.Context) (string, error) // the first page's request
	itemsKey string                                // member holding the records
	idKey    string                                // string member identifying a record
	decode   func(json.RawMessage) (T, error)      // one record
	// scan, when set, is a fast decoder of one record (raw, and the same
	// bytes as a string sharing the page): the record, its idKey member
	// as recordID would return it, and ok. It returns ok false for any
	// record it cannot decode exactly as decode would; decode then does.
	scan func(raw []byte, s string) (rec T, id string, ok bool)
	next func(nextArgs) (page string, complete bool, err error)
	// deferMin is the smallest body whose records fetchAhead leaves to the
	// pager; 0 means deferMinBody (tests lower it).
	deferMin int
	// read holds the fingerprints of the pages this pager has read, so a
	// next link back to one of them (A -> B -> A) is refused instead of
	// looping forever. Eight bytes a page.
	read map[uint64]struct{}
}

// nextArgs is what a next function may look at.
type nextArgs struct {
	base string // API base URL, without trailing slash
	cur  string // the page just fetched (relative)
	top  []byte // the response's members other than the records, as one JSON object
	n    int    // records on the page
}

func (s *listSource[T]) fetch(ctx context.Context, at pagePos) (fetched[T], error) {
	return s.fetchPage(ctx, at, false)
}

// fetchAhead is fetch for the read-ahead (see aheadSource): the records of
// a large page are left for the caller to decode; the next page is known
// from the validated page before any record is decoded.
func (s *listSource[T]) fetchAhead(ctx context.Context, at pagePos) (fetched[T], error) {
	return s.fetchPage(ctx, at, true)
}

func (s *listSource[T]) fetchPage(ctx context.Context, at pagePos, mayDefer bool) (fetched[T], error) {
	base, err := s.base(ctx)
	if err != nil {
		return fetched[T]{}, err
	}
	base = strings.TrimRight(base, "/")
	if at.page == "" {
		if at.page, err = s.first(ctx); err != nil {
			return fetched[T]{}, err
		}
	}
	wrap := func(err error) error { return fmt.Errorf("docusign: %s page %s: %w", s.label, at.page, err) }
	var f fetched[T]
	err = s.g.getPage(ctx, base+at.page, func(body []byte, meta bodyMeta) error {
		// body is page-owned and never written (pageGetter.get), so the
		// decoded strings and records may share it (frozenString).
		str := frozenString(body)
		top, spans, err := splitListPage(body, str, s.itemsKey)
		if err != nil {
			return err
		}
		f = fetched[T]{at: at}
		deferRecords := mayDefer && len(body) >= cmp.Or(s.deferMin, deferMinBody)
		if !deferRecords {
			if f.items, f.fps, err = s.records(body, str, spans); err != nil {
				return err
			}
		}
		page, complete, err := s.next(nextArgs{base: base, cur: at.page, top: top, n: len(spans)})
		if err != nil {
			return err
		}
		if !complete {
			if err := s.checkAdvances(at.page, page); err != nil {
				return err
			}
		}
		f.next, f.complete, f.last = pagePos{page: page}, complete, complete
		if deferRecords {
			head := f
			f.decode = func() (fetched[T], error) {
				items, fps, err := s.records(body, str, spans)
				if err != nil {
					return fetched[T]{}, wrap(asDecodeError(meta, body, err))
				}
				d := head
				d.items, d.fps = items, fps
				return d, nil
			}
		}
		return nil
	})
	if err != nil {
		return fetched[T]{}, wrap(err)
	}
	if s.read == nil {
		s.read = make(map[uint64]struct{})
	}
	s.read[recordFingerprint(at.page)] = struct{}{}
	return f, nil
}

// records decodes the records of a page body (str holds the same bytes) at
// spans, with their fingerprints. It reads only the source's settings, so
// the pager may run it while the read-ahead fetches.
func (s *listSource[T]) records(body []byte, str string, spans []span) ([]T, []uint64, error) {
	items, fps := make([]T, len(spans)), make([]uint64, len(spans))
	for i, sp := range spans {
		raw := json.RawMessage(body[sp.start:sp.end:sp.end])
		id, ok := "", false
		if s.scan != nil {
			items[i], id, ok = s.scan(raw, str[sp.start:sp.end])
		}
		if !ok {
			var err error
			if items[i], err = s.decode(raw); err != nil {
				return nil, nil, fmt.Errorf("record %d: %w", i, err)
			}
			id = s.recordID(raw)
		}
		if id != "" {
			fps[i] = recordFingerprint(id)
		} else {
			fps[i] = rawRecordFingerprint(raw)
		}
	}
	return items, fps, nil
}

// forget drops a page fetched ahead and not handed out from the pages read
// (see pageForgetter): it will be fetched again.
func (s *listSource[T]) forget(at pagePos) {
	delete(s.read, recordFingerprint(at.page))
}

// span is the byte range of one record in a page body.
type span struct{ start, end int }

// splitListPage scans a list response body ({"<itemsKey>": [...], ...}) once,
// validating all of it: it returns the other top-level members as one JSON
// object (decode it with encoding/json to read them with its rules) and the
// byte ranges of the records of the itemsKey array (none when the member is
// absent or null). As in encoding/json, the items member's key may differ in
// case and of repeated ones the last counts. str must hold the same bytes as
// body.
func splitListPage(body []byte, str string, itemsKey string) ([]byte, []span, error) {
	sc := jscan{b: body, s: str}
	sc.ws()
	if sc.i >= len(body) {
		return nil, nil, sc.eof()
	}
	if body[sc.i] != '{' {
		if err := sc.skipValue(); err != nil {
			return nil, nil, err
		}
		return nil, nil, errPageNotObject
	}
	sc.i++
	sc.ws()
	sc.depth = 1
	top := append(make([]byte, 0, 128), '{')
	var spans []span
	if sc.i < len(body) && body[sc.i] == '}' {
		sc.i++
	} else {
		for {
			keyStart := sc.i
			k, err := sc.key()
			if err != nil {
				return nil, nil, err
			}
			items := k == itemsKey || foldEqual(k, itemsKey)
			if items && sc.i < len(body) && body[sc.i] != 'n' {
				if body[sc.i] != '[' {
					if err := sc.skipValue(); err != nil {
						return nil, nil, err
					}
					return nil, nil, fmt.Errorf("member %q: %w: want an array", k, errPageShape)
				}
				if spans, err = sc.spans(spans[:0]); err != nil {
					return nil, nil, err
				}
			} else {
				if items {
					spans = spans[:0]
				}
				if err := sc.skipValue(); err != nil {
					return nil, nil, err
				}
				if !items {
					if len(top) > 1 {
						top = append(top, ',')
					}
					top = append(top, body[keyStart:sc.i]...)
				}
			}
			sc.ws()
			if sc.i >= len(body) {
				return nil, nil, sc.eof()
			}
			if body[sc.i] == ',' {
				sc.i++
				sc.ws()
				continue
			}
			if body[sc.i] == '}' {
				sc.i++
				break
			}
			return nil, nil, sc.syntax("after object key:value pair")
		}
	}
	top = append(top, '}')
	sc.ws()
	if sc.i != len(body) {
		return nil, nil, sc.syntax("after top-level value")
	}
	return top, spans, nil
}

// spans validates the array at sc.i (its opening bracket) and appends the
// byte range of each element to out.
func (sc *jscan) spans(out []span) ([]span, error) {
	b := sc.b
	sc.i++
	sc.ws()
	if sc.i < len(b) && b[sc.i] == ']' {
		sc.i++
		return out, nil
	}
	sc.depth++
	defer func() { sc.depth-- }()
	for {
		start := sc.i
		if err := sc.skipValue(); err != nil {
			return nil, err
		}
		out = append(out, span{start, sc.i})
		sc.ws()
		if sc.i >= len(b) {
			return nil, sc.eof()
		}
		switch b[sc.i] {
		case ',':
			sc.i++
			sc.ws()
			continue
		case ']':
			sc.i++
			return out, nil
		}
		return nil, sc.syntax("after array element")
	}
}

// checkAdvances refuses a next page that is the page just read or one read
// before in this run: following it would hand out the same records forever.
func (s *listSource[T]) checkAdvances(cur, next string) error {
	if next == cur {
		return fmt.Errorf("the next page repeats the page just read: %w", ErrCursorStuck)
	}
	if _, seen := s.read[recordFingerprint(next)]; seen {
		return fmt.Errorf("the next page %s was already read in this listing (the server's paging loops): %w", next, ErrCursorStuck)
	}
	return nil
}

// recordID is the string member idKey of a record, "" without one.
func (s *listSource[T]) recordID(raw []byte) string {
	if s.idKey == "" {
		return ""
	}
	return stringMembers(raw, s.idKey)[0]
}

// stringMembers returns the string values of the members of the JSON
// object raw named by paths ("id", or "a.b" for member b of object a), as
// encoding/json would decode them into string fields: keys match exactly or
// else case-insensitively, of repeated members the last string counts (null
// or another JSON type leaves the value as it was; repeated objects merge),
// and "" is returned for a path with no string. All are "" when raw is not a
// well-formed object.
func stringMembers(raw []byte, paths ...string) []string {
	out := make([]string, len(paths))
	idx := make([]int, len(paths))
	for i := range idx {
		idx[i] = i
	}
	if !fillStringMembers(raw, string(raw), paths, idx, out) {
		clear(out)
	}
	return out
}

// fillStringMembers is stringMembers for the object raw (s holds the same
// bytes): the string member at paths[n] goes to out[idx[n]]. It reports
// whether raw is a well-formed object.
func fillStringMembers(raw []byte, s string, paths []string, idx []int, out []string) bool {
	sc := jscan{b: raw, s: s}
	sc.ws()
	if sc.i >= len(raw) || raw[sc.i] != '{' {
		return false
	}
	sc.i++
	sc.ws()
	if sc.i < len(raw) && raw[sc.i] == '}' {
		sc.i++
		sc.ws()
		return sc.i == len(raw)
	}
	var subPaths []string
	var subIdx []int
	for {
		k, err := sc.key()
		start := sc.i
		if err == nil {
			err = sc.skipValue()
		}
		if err != nil {
			return false
		}
		v := raw[start:sc.i]
		if name := memberName(k, paths); name != "" {
			subPaths, subIdx = subPaths[:0], subIdx[:0]
			for n, p := range paths {
				switch {
				case p == name:
					if v[0] == '"' {
						vs := jscan{b: v, s: s[start:sc.i]}
						out[idx[n]], _ = vs.strValue()
					}
				case v[0] == '{' && len(p) > len(name) && p[len(name)] == '.' && p[:len(name)] == name:
					subPaths = append(subPaths, p[len(name)+1:])
					subIdx = append(subIdx, idx[n])
				}
			}
			if len(subPaths) > 0 {
				fillStringMembers(v, s[start:sc.i], subPaths, subIdx, out)
			}
		}
		sc.ws()
		if sc.i >= len(raw) {
			return false
		}
		switch raw[sc.i] {
		case ',':
			sc.i++
			sc.ws()
			continue
		case '}':
			sc.i++
			sc.ws()
			return sc.i == len(raw)
		}
		return false
	}
}

// memberName is the first path element among paths that encoding/json
// would decode the key k into (see foldKey), "" for none.
func memberName(k string, paths []string) string {
	for _, p := range paths {
		if name, _, _ := strings.Cut(p, "."); name == k {
			return name
		}
	}
	for _, p := range paths {
		if name, _, _ := strings.Cut(p, "."); foldEqual(k, name) {
			return name
		}
	}
	return ""
}

// resumeFilter is one filter option and the query parameter it sets.
type resumeFilter struct {
	option string   // e.g. "OrgUsersOptions.Email"
	param  string   // e.g. "email"
	values []string // the parameter's values in order; none when the option is not set
}

// filterValue is the values of a single-valued option: none when v is "".
func filterValue(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// checkResumeFilters reports every set filter option whose values differ
// from the query recorded in the checkpoint's page (all of them, in order):
// resuming would silently continue a different listing. cpOption names the
// checkpoint's option, blamed for a page query that does not parse.
func checkResumeFilters(cp Checkpoint, cpOption string, filters []resumeFilter) []error {
	if cp.IsZero() || cp.page == "" {
		return nil
	}
	_, rawQuery, _ := strings.Cut(cp.page, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return []error{wrapOpt(cpOption, cpErr(err, "page query"))}
	}
	var errs []error
	for _, f := range filters {
		if len(f.values) > 0 && !slices.Equal(q[f.param], f.values) {
			errs = append(errs, fieldErr(f.option, "%s differs from the checkpoint's %s: drop the option or start without the checkpoint",
				quoteValues(f.values), f.param+"="+quoteValues(q[f.param])))
		}
	}
	return errs
}

// quoteValues renders query values for a message: "a", or ["a" "b"].
func quoteValues(vs []string) string {
	if len(vs) == 1 {
		return strconv.Quote(vs[0])
	}
	return fmt.Sprintf("%q", vs)
}
