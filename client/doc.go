// Package client is the hand-written layer over the generated DocuSign
// clients: environments and Go-Live switching, JWT grant authentication and
// consent, token caching, account discovery, typed errors, retries and rate
// limits, and resumable iterators over Monitor events and Admin users.
package client
