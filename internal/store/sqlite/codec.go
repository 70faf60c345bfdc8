package sqlite

import (
	"database/sql"
	"time"

	"github.com/errand-dev/errand/internal/store/sqlquery"
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

// boolArg encodes a boolean as 0 or 1.
func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
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
func (codec) Bool(b bool) any           { return boolArg(b) }
