package connect

import (
	"context"
	"crypto/sha256"
	"sync"
)

// Store records which deliveries user code has processed, by DedupKey (or
// WithKeyFunc). The Handler calls Seen before user code and Commit only
// after it succeeded, so a key is stored exactly when its event was
// handled. Implementations must be safe for concurrent use; a durable one
// (a database table with the key as primary key) keeps duplicates out
// across restarts.
type Store interface {
	// Seen reports whether key was committed.
	Seen(ctx context.Context, key string) (bool, error)
	// Commit records key as processed.
	Commit(ctx context.Context, key string) error
}

// MemoryStore is a bounded in-memory Store: it keeps the most recently
// committed keys, forgetting the oldest beyond its size. It holds a
// SHA-256 digest of each key, so its memory depends on its size alone,
// not on how long the keys are. DocuSign retries
// a failed delivery for days; size the store for the keys that can arrive
// in that window, or use a durable Store.
type MemoryStore struct {
	mu   sync.Mutex
	keys map[[sha256.Size]byte]struct{}
	ring [][sha256.Size]byte // grows to size, then wraps at next
	size int
	next int
}

// NewMemoryStore returns a MemoryStore keeping up to size keys (at least 1).
func NewMemoryStore(size int) *MemoryStore {
	size = max(size, 1)
	return &MemoryStore{keys: make(map[[sha256.Size]byte]struct{}, min(size, 1024)), size: size}
}

// Seen reports whether key is among the kept keys.
func (s *MemoryStore) Seen(_ context.Context, key string) (bool, error) {
	d := sha256.Sum256([]byte(key))
	s.mu.Lock()
	_, ok := s.keys[d]
	s.mu.Unlock()
	return ok, nil
}

// Commit keeps key, evicting the oldest key when full.
func (s *MemoryStore) Commit(_ context.Context, key string) error {
	d := sha256.Sum256([]byte(key))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[d]; ok {
		return nil
	}
	s.keys[d] = struct{}{}
	if len(s.ring) < s.size {
		s.ring = append(s.ring, d)
		return nil
	}
	delete(s.keys, s.ring[s.next])
	s.ring[s.next] = d
	s.next = (s.next + 1) % s.size
	return nil
}

// Len is how many keys are kept.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}
