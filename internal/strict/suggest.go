package strict

import "strings"

// Closest returns the candidate closest to word, if it is within two edits, ignoring
// case; "" when none is. A candidate written with an abbreviation is also compared in
// full, so that "address" and "adress" find "addr", "dataDirectory" finds "dataDir".
// Long words get no suggestion, which keeps hostile input cheap.
func Closest(word string, candidates []string) string {
	if len(word) > 64 {
		return ""
	}
	best, bestDist := "", 3
	w := strings.ToLower(word)
	for _, c := range candidates {
		if len(c) > 64 {
			continue
		}
		lc := strings.ToLower(c)
		d := distance(w, lc)
		if full := expand(c); full != lc {
			d = min(d, distance(w, full))
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// abbreviations are the short words of jds's key names, in full.
var abbreviations = map[string]string{"addr": "address", "dir": "directory"}

// expand returns name in lower case with its abbreviated camelCase words in full:
// dataDir → datadirectory. Only whole words are expanded: redirect stays.
func expand(name string) string {
	var b strings.Builder
	start := 0
	flush := func(end int) {
		part := strings.ToLower(name[start:end])
		if full, ok := abbreviations[part]; ok {
			part = full
		}
		b.WriteString(part)
		start = end
	}
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' && !(name[i-1] >= 'A' && name[i-1] <= 'Z') {
			flush(i)
		}
	}
	flush(len(name))
	return b.String()
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
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
