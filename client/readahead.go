package client

import (
	"context"
)

// DefaultReadAhead is how many pages a pager's iterators (All, Pages) fetch
// ahead of the page being handed out, unless WithReadAhead says otherwise.
const DefaultReadAhead = 1

// maxReadAhead bounds WithReadAhead: each page ahead is a page in memory,
// and a few pages already hide any latency the rate limits allow.
const maxReadAhead = 8

// pagingConfig is the paging part of config.
type pagingConfig struct {
	readAhead    int  // WithReadAhead
	readAheadSet bool // ...was given; otherwise DefaultReadAhead
}

// WithReadAhead sets how many pages the iterators of the client's pagers
// (Pager.All and Pager.Pages) fetch ahead of the page being handed out:
// while the caller works through one page, the next request is already on
// the wire and its page decoded. 0 turns read-ahead off (each page is
// requested once the previous one is used up); the default is
// DefaultReadAhead (1); at most 8.
//
// Read-ahead changes only when requests are made, never what is handed out:
// requests go one at a time and in order through the same retry, pacing
// and throttling as any other, errors arrive at the record where the
// serial pager would report them, checkpoints cover only records handed
// out, and leaving the loop (break, return, cancelled context) cancels the
// request ahead and waits for it to finish. A pager holds at most
// 1 + pages pages of records at once.
func WithReadAhead(pages int) Option {
	return func(c *config) {
		if pages < 0 || pages > maxReadAhead {
			c.addErr(optErr("WithReadAhead", "%d pages: use 0 (off) to %d pages", pages, maxReadAhead))
			return
		}
		c.readAhead, c.readAheadSet = pages, true
	}
}

// depth is the read-ahead the configuration asks for.
func (c pagingConfig) depth() int {
	if !c.readAheadSet {
		return DefaultReadAhead
	}
	return c.readAhead
}

// withReadAhead applies the client's read-ahead to a new pager.
func withReadAhead[T any](c *Client, p *Pager[T], err error) (*Pager[T], error) {
	if err != nil {
		return nil, err
	}
	p.ahead = c.readAhead
	return p, nil
}

// readAhead is the producer of a pager's next pages: one goroutine that
// fetches pages in order, one request at a time, and hands them over
// through a channel. It holds at most depth pages (depth-1 in the channel
// and one waiting to be sent), so it starts the request of page k+depth only
// once page k has been taken.
type readAhead[T any] struct {
	src     pageSource[T]
	cancel  context.CancelFunc
	results chan fetchResult[T]
	done    chan struct{} // closed when the goroutine has returned
}

// fetchResult is one fetched page or the error that ended the producer.
type fetchResult[T any] struct {
	f   fetched[T]
	err error
}

// aheadSource is implemented by sources that can leave the decoding of a
// page to the pager (fetched.decode): the read-ahead then asks for the next
// page as soon as the body names it, while the pager decodes the page it
// hands out, so decoding overlaps the network instead of adding to it.
type aheadSource[T any] interface {
	fetchAhead(ctx context.Context, at pagePos) (fetched[T], error)
}

// pageForgetter is implemented by sources that remember the pages they
// fetched (listSource, to refuse paging cycles): a page fetched ahead and
// then dropped unused is forgotten, as it will be fetched again.
type pageForgetter interface {
	forget(at pagePos)
}

// startReadAhead starts fetching at `at`, under a context derived from ctx.
func startReadAhead[T any](ctx context.Context, src pageSource[T], at pagePos, depth int) *readAhead[T] {
	ctx, cancel := context.WithCancel(ctx)
	ra := &readAhead[T]{src: src, cancel: cancel, results: make(chan fetchResult[T], depth-1), done: make(chan struct{})}
	go ra.run(ctx, at)
	return ra
}

// run fetches pages from at until an error, the last page, or cancellation.
func (ra *readAhead[T]) run(ctx context.Context, at pagePos) {
	defer close(ra.done)
	fetch := ra.src.fetch
	if a, ok := ra.src.(aheadSource[T]); ok {
		fetch = a.fetchAhead
	}
	for {
		f, err := fetch(ctx, at)
		select {
		case ra.results <- fetchResult[T]{f, err}:
		case <-ctx.Done():
			if err == nil {
				ra.drop(f)
			}
			return
		}
		if err != nil || f.last {
			return
		}
		at = f.next
	}
}

// drop forgets a page fetched ahead that will not be handed out.
func (ra *readAhead[T]) drop(f fetched[T]) {
	if fg, ok := ra.src.(pageForgetter); ok {
		fg.forget(f.at)
	}
}

// stop cancels the request ahead, waits for the goroutine to return (so no
// request or goroutine outlives the caller's loop) and drops the pages it
// fetched that were not taken.
func (ra *readAhead[T]) stop() {
	ra.cancel()
	<-ra.done
	for {
		select {
		case r := <-ra.results:
			if r.err == nil {
				ra.drop(r.f)
			}
		default:
			return
		}
	}
}

// next returns the next page from the producer, or ctx's error once ctx is
// done. The producer has returned when next returns an error or the last
// page.
func (ra *readAhead[T]) next(ctx context.Context) (fetched[T], error) {
	if err := ctx.Err(); err != nil {
		return fetched[T]{}, err
	}
	select {
	case r := <-ra.results:
		return r.f, r.err
	case <-ctx.Done():
		return fetched[T]{}, ctx.Err()
	}
}
