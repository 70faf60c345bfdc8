package workflow

import "strings"

// suggest returns the candidate closest to s by edit distance (ignoring case, `_` versus
// `-`), or "" when none is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	norm := func(x string) string {
		return strings.ReplaceAll(strings.ToLower(x), "_", "-")
	}
	best, bestDist := "", -1
	ns := norm(s)
	for _, c := range candidates {
		nc := norm(c)
		d := editDistance(ns, nc)
		if strings.ReplaceAll(nc, "-", "") == strings.ReplaceAll(ns, "-", "") {
			d = 0 // onFailure, on_failure, connectorId → on-failure, connector-id
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, min(3, len(s)/3))
	if bestDist < 0 || bestDist > limit || best == s {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, over bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
