package kql

import (
	"container/list"
	"sync"
)

// cacheSize bounds the number of parsed queries Eval keeps.
const cacheSize = 1024

// queryCache is a small LRU of parsed queries keyed by source.
type queryCache struct {
	mu    sync.Mutex
	order *list.List // front: most recent; values are *Query
	index map[string]*list.Element
}

var cache = &queryCache{order: list.New(), index: map[string]*list.Element{}}

func (c *queryCache) get(src string) (*Query, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.index[src]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*Query), true
}

func (c *queryCache) put(q *Query) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.index[q.src]; ok {
		return
	}
	c.index[q.src] = c.order.PushFront(q)
	for c.order.Len() > cacheSize {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.index, oldest.Value.(*Query).src)
	}
}

// Eval parses src (through a bounded cache of parsed queries) and matches it against data.
// Errors are *SyntaxError.
func Eval(src string, data map[string]any) (bool, error) {
	q, ok := cache.get(src)
	if !ok {
		var err error
		if q, err = Parse(src); err != nil {
			return false, err
		}
		cache.put(q)
	}
	return q.Match(data), nil
}
