package engine

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// toStepError turns any executor error into a StepError; errors that are not (and do not
// wrap) a StepError become type "Error".
func toStepError(err error) *StepError {
	if err == nil {
		return nil
	}
	var se *StepError
	if errors.As(err, &se) {
		return se
	}
	return &StepError{Type: "Error", Message: err.Error()}
}

// asMap is the error as templates see it: {type, message, details?}.
func (e *StepError) asMap() map[string]any {
	m := map[string]any{"type": e.Type, "message": e.Message}
	if e.Details != nil {
		m["details"] = e.Details
	}
	return m
}

// encode is the stored JSON form {type, message, details?}.
func (e *StepError) encode() json.RawMessage {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(&StepError{Type: e.Type, Message: e.Message})
	}
	return b
}

// retryState is what a failed attempt's record keeps for the retry decision on replay.
func (e *StepError) retryState() map[string]any {
	if !e.Permanent && e.RetryAfter <= 0 {
		return nil
	}
	return map[string]any{"permanent": e.Permanent, "retryAfterMs": e.RetryAfter.Milliseconds()}
}

// decodeStepError reads a record's error, restoring Permanent and RetryAfter from its state.
func decodeStepError(rec *store.StepExecution) *StepError {
	if len(rec.Error) == 0 {
		return nil
	}
	se := &StepError{}
	if err := json.Unmarshal(rec.Error, se); err != nil {
		return &StepError{Type: "Error", Message: string(rec.Error)}
	}
	st := decodeState(rec)
	se.Permanent, _ = st["permanent"].(bool)
	if ms, ok := st["retryAfterMs"].(float64); ok {
		se.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	return se
}
