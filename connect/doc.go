// Package connect receives DocuSign Connect webhooks: it verifies each
// delivery (HMAC-SHA256 of the raw body against every
// X-DocuSign-Signature-N header and every configured key, optional Basic
// auth, a body size cap), decodes the JSON SIM message into typed values
// (the envelope summary as the generated eSignature models), and hands each
// event to user code once, answering DocuSign so that it retries what
// failed and stops resending what succeeded.
//
//	h, err := connect.NewHandler(func(ctx context.Context, m *connect.Message) error {
//		if m.Event == connect.EnvelopeCompleted {
//			return queue.Put(ctx, m.Data.EnvelopeID, m.Raw) // fast, durable
//		}
//		return nil
//	}, connect.WithHMACKeys(os.Getenv("CONNECT_KEY_1"), os.Getenv("CONNECT_KEY_2")))
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Handle("POST /docusign/connect", h)
//
// # What it handles
//
//   - Signatures over the raw bytes, never a re-encoded body; several keys
//     at once, so rotating a key never breaks delivery; comparisons in
//     constant time.
//   - Refusals name the failed check (ErrNoSignature, ErrBadSignature,
//     ErrBasicAuth, ErrBodyTooLarge, ErrMalformed, ...) in a *RejectError
//     with the HTTP status answered; none shows a key, a signature or a
//     password, and none reaches user code.
//   - What DocuSign really sends: numbers and booleans where text is
//     expected, unknown members (kept in Message.Raw), unknown events
//     (kept as Event values; Known reports whether this package names it).
//   - Retried deliveries: DedupKey names an event the same way on every
//     delivery; a Store (in memory by default, bounded) remembers handled
//     keys, committed only after user code succeeded; concurrent
//     deliveries of one event are serialized.
//   - Slow or failing user code: a timeout answers 503, an error 500, a
//     panic 500; DocuSign then redelivers.
//   - Replays: the signature covers the body but no time, so a captured
//     delivery verifies again; it is answered as a duplicate, without
//     reaching user code, while its key is in the Store.
//
// The body is read before the signature can be checked, so anyone can
// make the listener buffer up to the cap (WithMaxBodyBytes; memory follows
// the bytes actually received, not the Content-Length claimed). A Handler
// holds at most WithMaxConcurrent deliveries at once (default 64), a
// timed-out one until its user code returns, and answers any more 503
// (ErrBusy, with Retry-After) without reading their body, so bodies take
// at most that many times the cap. Redeliveries waiting for a concurrent
// delivery of the same event (a captured delivery replayed many times)
// hold neither a body nor a place, beyond the first; see Handler. Serve the
// Handler from an http.Server with ReadTimeout and ReadHeaderTimeout set,
// so a client trickling a body cannot hold its connection indefinitely.
//
// Verifier and Decode are usable on their own, e.g. in a serverless
// function that is not an http.Handler. The fake DocuSign in
// client/docusigntest delivers Connect messages signed the same way, for
// end-to-end tests of a listener.
package connect
