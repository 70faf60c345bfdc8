package secret

import "sort"

// hashBase is the Rabin-Karp multiplier (a large odd constant; arithmetic wraps mod 2^64).
const hashBase = 0x100000001b3

// filterBits sizes the bit set that rejects most windows before the candidate map is
// consulted (2^16 bits = 8 KiB).
const filterBits = 16

// matcher finds every occurrence of a fixed set of patterns in one pass: a Rabin-Karp
// rolling hash over windows of the shortest pattern's length, a bit set that rejects almost
// every window with one load, and a map from window hash to the patterns starting with that
// window, verified byte by byte. Overlapping and adjacent matches merge into one span, so a
// secret overlapping another is redacted whole. It is immutable and safe for concurrent use.
type matcher struct {
	window     int
	pow        uint64 // hashBase^window, to drop the byte leaving the window
	filter     []uint64
	candidates map[uint64][]string // longest first
}

// newMatcher builds a matcher of patterns (each at least one byte long).
func newMatcher(patterns []string) *matcher {
	if len(patterns) == 0 {
		return nil
	}
	m := &matcher{window: len(patterns[0]), filter: make([]uint64, (1<<filterBits)/64),
		candidates: map[uint64][]string{}}
	for _, p := range patterns {
		m.window = min(m.window, len(p))
	}
	m.pow = 1
	for range m.window {
		m.pow *= hashBase
	}
	for _, p := range patterns {
		h := hashOf(p[:m.window])
		m.filter[filterIndex(h)/64] |= 1 << (filterIndex(h) % 64)
		m.candidates[h] = append(m.candidates[h], p)
	}
	for _, list := range m.candidates {
		sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	}
	return m
}

// hashOf returns the polynomial hash of s.
func hashOf(s string) uint64 {
	var h uint64
	for i := 0; i < len(s); i++ {
		h = h*hashBase + uint64(s[i])
	}
	return h
}

// filterIndex maps a hash to a bit of the filter.
func filterIndex(h uint64) uint64 { return h >> (64 - filterBits) }

// span is a half-open byte range [start, end) to redact.
type span struct{ start, end int }

// find returns the merged spans of s covered by pattern occurrences, in order (nil when none).
func (m *matcher) find(s string) []span {
	if m == nil || len(s) < m.window {
		return nil
	}
	var spans []span
	h := hashOf(s[:m.window])
	for i := 0; ; i++ {
		if idx := filterIndex(h); m.filter[idx/64]&(1<<(idx%64)) != 0 {
			spans = m.verify(s, i, h, spans)
		}
		if i+m.window >= len(s) {
			return spans
		}
		h = h*hashBase + uint64(s[i+m.window]) - m.pow*uint64(s[i])
	}
}

// verify checks the patterns whose first window hashes to h against s at i and adds the
// longest match to spans, merging it with the previous span when they overlap or touch.
func (m *matcher) verify(s string, i int, h uint64, spans []span) []span {
	for _, p := range m.candidates[h] {
		if len(s)-i < len(p) || s[i:i+len(p)] != p {
			continue
		}
		end := i + len(p)
		if n := len(spans); n > 0 && i <= spans[n-1].end {
			spans[n-1].end = max(spans[n-1].end, end)
			return spans
		}
		return append(spans, span{i, end})
	}
	return spans
}
