package jsonx

import (
	"reflect"
	"sync"
	"testing"
)

// Types for the plan cache test: two that refer to each other, and ones
// that share a member type.
type (
	cacheNode struct {
		Next  *cacheNode `json:"next,omitempty"`
		Leaf  *cacheLeaf `json:"leaf,omitempty"`
		Extra Extra      `json:"-"`
	}
	cacheLeaf struct {
		Back  []cacheNode `json:"back,omitempty"`
		Name  *string     `json:"name,omitempty"`
		Extra Extra       `json:"-"`
	}
	cacheA struct {
		Leaf  cacheLeaf `json:"leaf"`
		Extra Extra     `json:"-"`
	}
	cacheB struct {
		Leaves map[string]cacheLeaf `json:"leaves,omitempty"`
		Extra  Extra                `json:"-"`
	}
)

// TestThePlanCacheServesConcurrentFirstUses builds the plans of several
// related types from many goroutines at once, with the cache empty: every
// goroutine must get the one cached plan of each type (the copy-on-write
// map never loses a type another goroutine added), and -race must stay
// quiet while readers load the map as it is replaced.
func TestThePlanCacheServesConcurrentFirstUses(t *testing.T) {
	plansMu.Lock()
	plans.Store(map[reflect.Type]*plan{})
	plansMu.Unlock()

	types := []reflect.Type{typeOf((*cacheNode)(nil)), typeOf((*cacheLeaf)(nil)), typeOf((*cacheA)(nil)), typeOf((*cacheB)(nil))}
	const workers = 16
	got := make([]map[reflect.Type]*plan, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[w] = map[reflect.Type]*plan{}
			for i := range types {
				t := types[(i+w)%len(types)] // each worker starts with another type
				got[w][t] = planOf(t)
			}
			// Decoding and encoding read the cache too.
			var v cacheB
			if err := Unmarshal([]byte(`{"leaves":{"x":{"back":[{"next":{}}],"name":"n"}},"more":1}`), &v); err != nil {
				panic(err)
			}
			if _, err := Marshal(&v); err != nil {
				panic(err)
			}
		}()
	}
	close(start)
	wg.Wait()

	for _, typ := range types {
		want, ok := cachedPlan(typ)
		if !ok {
			t.Fatalf("%v has no cached plan", typ)
		}
		for w := range workers {
			if got[w][typ] != want {
				t.Errorf("worker %d got a plan of %v other than the cached one: built twice", w, typ)
			}
		}
	}
}
