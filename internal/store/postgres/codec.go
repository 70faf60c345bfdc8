package postgres

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/store/sqlquery"
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

// The encodings that do not depend on the database are shared with the other driver.
var (
	jsonArg      = sqlquery.JSONArg
	jsonOf       = sqlquery.JSONOf
	tagsArg      = sqlquery.TagsArg
	tagsOf       = sqlquery.TagsOf
	pageLimit    = sqlquery.PageLimit
	likePattern  = sqlquery.LikePattern
	newID        = sqlquery.NewID
	placeholders = sqlquery.Placeholders
)

// codec is this driver's sqlquery.Codec.
type codec struct{}

func (codec) Time(t time.Time) any      { return timeArg(t) }
func (codec) NullTime(t *time.Time) any { return nullTimeArg(t) }
func (codec) Bool(b bool) any           { return b }
