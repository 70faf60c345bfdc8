package queue

import "errors"

var (
	// ErrUnsupportedDialect is returned by New for a store whose dialect has no River driver.
	ErrUnsupportedDialect = errors.New("unsupported store dialect")
	// ErrAlreadyStarted is returned by Start when the queue runs already or was stopped.
	ErrAlreadyStarted = errors.New("queue already started")
	// ErrInvalidOptions is returned by New when an option is out of range.
	ErrInvalidOptions = errors.New("invalid queue options")
)

// errLeaseLost is the cancellation cause of an execution whose lease another node took over
// while it ran here (this node failed to renew it in time).
var errLeaseLost = errors.New("execution lease lost to another node")
