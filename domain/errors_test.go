package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/domain"
)

func TestErrorCodeAndMessage(t *testing.T) {
	infra := errors.New("pq: connection refused on 10.0.0.3")
	tests := []struct {
		name    string
		err     error
		code    domain.Code
		message string
	}{
		{"nil has no code", nil, "", ""},
		{"domain error keeps its code and message", domain.ErrUnknownEmail, domain.NotFound, domain.ErrUnknownEmail.Message},
		{"wrapped domain error is still found", fmt.Errorf("activation: %w", domain.ErrTokenExpired), domain.Invalid, domain.ErrTokenExpired.Message},
		{"infrastructure error is internal with a generic French message", infra, domain.Internal, "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."},
		{"wrapped internal error hides its detail", domain.WrapInternal(infra), domain.Internal, "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."},
		{"unavailable says to try again", domain.WrapUnavailable(infra), domain.Unavailable, "Le service est momentanément indisponible. Veuillez réessayer dans quelques minutes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, domain.ErrorCode(tt.err))
			assert.Equal(t, tt.message, domain.ErrorMessage(tt.err))
			if tt.err != nil {
				assert.NotContains(t, domain.ErrorMessage(tt.err), "10.0.0.3")
			}
		})
	}
}

func TestSentinelsMatchThroughWrapping(t *testing.T) {
	err := fmt.Errorf("login: %w", domain.ErrBadCredentials)
	assert.ErrorIs(t, err, domain.ErrBadCredentials)
	assert.NotErrorIs(t, err, domain.ErrUnknownEmail)
	internal := domain.WrapInternal(errors.New("disk full"))
	assert.ErrorContains(t, internal, "disk full", "the detail stays available to logs")
	assert.Equal(t, "email", domain.ErrorField(domain.ErrEmailTaken))
}

func TestCodeValid(t *testing.T) {
	for _, c := range []domain.Code{domain.Invalid, domain.NotFound, domain.Conflict, domain.Forbidden, domain.Unauthenticated, domain.Unavailable, domain.Internal} {
		assert.True(t, c.Valid(), c)
	}
	assert.False(t, domain.Code("teapot").Valid())
}
