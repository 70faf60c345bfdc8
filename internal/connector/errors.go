package connector

import (
	"errors"
	"fmt"
)

var (
	// ErrConnectorNotFound is returned when no connector has the id or name asked for.
	ErrConnectorNotFound = errors.New("connector not found")
	// ErrAmbiguousConnector is returned when a name matches several connectors.
	ErrAmbiguousConnector = errors.New("ambiguous connector name")
	// ErrWrongConnectorType is returned when a connector's type does not serve a step type.
	ErrWrongConnectorType = errors.New("wrong connector type")
	// ErrUnknownType is returned for a connector type this build does not have.
	ErrUnknownType = errors.New("unknown connector type")
	// ErrInvalid is returned when a connector's name, config, secrets or a call's params do
	// not validate; the message names the field and the fix.
	ErrInvalid = errors.New("invalid connector")
	// ErrConnectorExists is returned when a connector with the id or name already exists.
	ErrConnectorExists = errors.New("connector already exists")
	// ErrReadOnly is returned when a preconfigured connector would be changed or deleted.
	ErrReadOnly = errors.New("preconfigured connectors are read-only")
	// ErrSecrets is returned when a connector's secrets cannot be decrypted (wrong key, or
	// the row was changed outside Errand).
	ErrSecrets = errors.New("cannot decrypt connector secrets")
)

// userError is an error whose message is written for the user in full; errors.Is matches
// its kind (one of the sentinels above).
type userError struct {
	kind error
	msg  string
}

// newUserError returns an error of kind with a formatted message.
func newUserError(kind error, format string, args ...any) error {
	return &userError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Error returns the message.
func (e *userError) Error() string { return e.msg }

// Unwrap returns the kind, for errors.Is.
func (e *userError) Unwrap() error { return e.kind }
