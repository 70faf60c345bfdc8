package httpstep

import "errors"

// Sentinels of parameter validation; they end up in ValidationError step failures.
var (
	errMissingURL           = errors.New("is required (the full URL to call)")
	errWantString           = errors.New("want a string")
	errWantMap              = errors.New("want an object of names to values")
	errWantBool             = errors.New("want true or false")
	errWantInteger          = errors.New("want a whole number")
	errUnknownFetcherOption = errors.New("unknown fetcher option")
)
