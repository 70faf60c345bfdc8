package httpstep

import "errors"

// errMissingURL is the parameter validation failure of a step without with.url; it ends up
// in a ValidationError step failure.
var errMissingURL = errors.New("is required (the full URL to call)")
