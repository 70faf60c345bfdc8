package httpcall

import "errors"

// Sentinels of parameter validation; callers turn them into their own failures (a
// ValidationError step failure, a connector user error).
var (
	// ErrUnknownParam marks a `with` key that neither this package nor the caller reads.
	ErrUnknownParam = errors.New("is not a parameter of the http step")
	ErrWantString   = errors.New("want a string")
	ErrWantMap      = errors.New("want an object of names to values")

	errWantBool             = errors.New("want true or false")
	errWantInteger          = errors.New("want a whole number")
	errUnknownFetcherOption = errors.New("unknown fetcher option")
)

// ParamError is a bad `with` key: its name and what is wrong with it.
type ParamError struct {
	Key string
	Err error
}

// Error reads "with.<key>: <what is wrong>", or "with.<key> is not a parameter of the http
// step" for an unknown key.
func (e *ParamError) Error() string {
	if errors.Is(e.Err, ErrUnknownParam) {
		return "with." + e.Key + " " + e.Err.Error()
	}
	return "with." + e.Key + ": " + e.Err.Error()
}

func (e *ParamError) Unwrap() error { return e.Err }
