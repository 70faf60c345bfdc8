package postgres

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

// timeArg normalises t to what a timestamptz column keeps: UTC, whole microseconds
// (truncated, as the SQLite driver does, rather than rounded as PostgreSQL would).
func timeArg(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTimeArg encodes an optional time (nil ⇒ NULL).
func nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeArg(*t)
}

// timeOf returns a scanned time in UTC.
func timeOf(t time.Time) time.Time { return t.UTC() }

// nullTimeOf decodes an optional time.
func nullTimeOf(v sql.NullTime) *time.Time {
	if !v.Valid {
		return nil
	}
	t := v.Time.UTC()
	return &t
}

// now returns the current time as the store keeps it.
func now() time.Time { return timeArg(time.Now()) }

// jsonArg passes raw JSON through as text (nil ⇒ NULL); json columns keep it byte for byte.
func jsonArg(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

// jsonOf returns the bytes of a scanned JSON column (nil for NULL).
func jsonOf(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

// tagsArg encodes tags as a JSON array (no tags ⇒ NULL).
func tagsArg(tags []string) (any, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return nil, fmt.Errorf("encoding tags: %w", err)
	}
	return string(b), nil
}

// tagsOf decodes a tags column.
func tagsOf(b []byte) ([]string, error) {
	if b == nil {
		return nil, nil
	}
	var tags []string
	if err := json.Unmarshal(b, &tags); err != nil {
		return nil, fmt.Errorf("decoding tags: %w", err)
	}
	return tags, nil
}

// pageLimit applies the default page size (100) to a zero or negative limit.
func pageLimit(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}

// likePattern builds a LIKE pattern matching q anywhere, escaping LIKE's wildcards with '\'.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// rebind rewrites the '?' placeholders of query into PostgreSQL's $1, $2 ... The queries of
// this package never hold a '?' inside a literal.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// newID returns a new UUID (version 7: time-ordered, so new rows land at the end of the
// primary-key index instead of on a random page).
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
