package store

import "errors"

var (
	// ErrNotFound is returned when a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned on a duplicate key or a failed conditional update.
	ErrConflict = errors.New("conflict")
	// ErrAmbiguous is returned when a name matches more than one record.
	ErrAmbiguous = errors.New("ambiguous name")
	// ErrLeased is returned when another owner holds an execution's lease.
	ErrLeased = errors.New("execution leased by another worker")
)
