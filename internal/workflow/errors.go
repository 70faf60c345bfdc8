package workflow

import "errors"

// ErrInvalidDuration reports a duration that is not in the workflow duration format
// (units w d h m s ms, combinable in descending order, such as "1h30m" or "2s500ms").
var ErrInvalidDuration = errors.New("invalid duration")

// ErrInvalidByteSize reports a byte size that is not a number followed by b, kb, mb or gb.
var ErrInvalidByteSize = errors.New("invalid byte size")
