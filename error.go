package herald

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: API clients match on them, and the HTTP layer
// maps each to one status.
const (
	EConflict     = "conflict"
	EForbidden    = "forbidden"
	EInternal     = "internal"
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EUnauthorized = "unauthorized"
	EGone         = "gone"
	ETooMany      = "too_many_requests"
	// EConflictRetired refuses a new connection to a retired connector.
	EConflictRetired = "connector_retired"
)

// Error is an error a person can act on: a stable code and a message safe to
// show to whoever made the request. Anything else is reported as EInternal
// with a generic message, and its text is only logged.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal when err is not an *Error,
// and "" when err is nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that no detail leaks.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Internal error; the server log has the details."
}
