package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

// timeArg encodes t as microseconds since the Unix epoch, the column format for times.
func timeArg(t time.Time) int64 { return t.UnixMicro() }

// nullTimeArg encodes an optional time (nil ⇒ NULL).
func nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// now returns the current time as the store keeps it: UTC, whole microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// timeOf decodes microseconds since the epoch into a UTC time.
func timeOf(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullTimeOf decodes an optional time.
func nullTimeOf(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := timeOf(v.Int64)
	return &t
}

// jsonArg passes raw JSON through as TEXT (nil ⇒ NULL), byte for byte.
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

// boolArg encodes a boolean as 0 or 1.
func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
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
	r := []rune{}
	for _, c := range q {
		if c == '%' || c == '_' || c == '\\' {
			r = append(r, '\\')
		}
		r = append(r, c)
	}
	return "%" + string(r) + "%"
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
