package domain_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestNormalizeEmail(t *testing.T) {
	assert.Equal(t, "demo@demo.fr", domain.NormalizeEmail("  Demo@DEMO.fr \n"))
}

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{"demo@demo.fr", "jean.dupont+factures@mairie-demoville.fr", "a1@b.co"} {
		assert.NoError(t, domain.CheckEmail(ok), ok)
	}
	for _, bad := range []string{"", "demo", "demo@", "@demo.fr", "demo@demo", "a@b.c\r\nBcc: x@y.fr", "Jean <jean@demo.fr>",
		"demo @demo.fr", "d@d.f", strings.Repeat("a", 80) + "@demo.fr", "demo@.fr", "demo@demo.fr."} {
		err := domain.CheckEmail(bad)
		assert.Error(t, err, "%q", bad)
		assert.Equal(t, "email", domain.ErrorField(err))
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		min  int
		ok   bool
	}{
		{"too short for the default", "abc1234", 8, false},
		{"long enough for the default", "abcd1234", 8, true},
		{"the manual's 5 characters when so configured", "abcde", 5, true},
		{"4 characters never", "abcd", 5, false},
		{"length counts characters, not bytes", "éééé", 5, false},
		{"accented characters count once", "ééééé", 5, true},
		{"only spaces refused", "        ", 8, false},
		{"too long refused", strings.Repeat("x", 1025), 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckPassword(tt.pw, tt.min)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
		})
	}
	assert.Contains(t, domain.ErrorMessage(domain.CheckPassword("a", 8)), "au moins 8 caractères")
}

func TestAccountActivation(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	a := domain.NewAccount(uuid.New(), p, now)
	assert.Equal(t, domain.AccountPending, a.State)
	assert.False(t, a.Active(), "a pending account cannot log in")
	assert.Equal(t, p.Email, a.Email)
	later := now.Add(time.Hour)
	a.SetPassword("hash", later)
	assert.True(t, a.Active())
	assert.True(t, later.Equal(a.ActivatedAt))
	a.SetPassword("hash2", later.Add(time.Hour))
	assert.True(t, later.Equal(a.ActivatedAt), "a new password does not move the activation date")
}

func TestPaperlessRequestedOnce(t *testing.T) {
	p := mustPayer(t, mustBiller(t))
	assert.True(t, p.RequestPaperless(now))
	assert.False(t, p.RequestPaperless(now.Add(time.Hour)), "asking twice changes nothing")
	assert.True(t, now.Equal(p.PaperlessRequestedAt))
}

func newToken(t *testing.T, purpose domain.TokenPurpose, ttl time.Duration) (domain.Token, string) {
	t.Helper()
	tok, secret, err := domain.NewToken(bytes.Repeat([]byte{7}, domain.TokenBytes), uuid.New(), purpose, now, ttl)
	require.NoError(t, err)
	return tok, secret
}

func TestTokenStoresOnlyAHash(t *testing.T) {
	tok, secret := newToken(t, domain.TokenActivation, 48*time.Hour)
	assert.Len(t, secret, 43, "32 bytes in URL-safe base64")
	assert.NotContains(t, tok.Hash, secret)
	assert.Equal(t, domain.HashSecret(secret), tok.Hash)
	assert.Len(t, tok.Hash, 64)
	_, _, err := domain.NewToken([]byte("short"), uuid.New(), domain.TokenReset, now, time.Hour)
	assert.Error(t, err, "a token needs 32 random bytes")
}

func TestTokenUse(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(tok *domain.Token)
		purpose domain.TokenPurpose
		at      time.Time
		want    error
	}{
		{"fresh token works", func(*domain.Token) {}, domain.TokenActivation, now.Add(time.Hour), nil},
		{"expired at its expiry instant", func(*domain.Token) {}, domain.TokenActivation, now.Add(48 * time.Hour), domain.ErrTokenExpired},
		{"valid one second before", func(*domain.Token) {}, domain.TokenActivation, now.Add(48*time.Hour - time.Second), nil},
		{"used once already", func(tok *domain.Token) { require.NoError(t, tok.Use(domain.TokenActivation, now)) }, domain.TokenActivation, now.Add(time.Minute), domain.ErrTokenUsed},
		{"revoked by a newer one", func(tok *domain.Token) { tok.Revoke(now) }, domain.TokenActivation, now.Add(time.Minute), domain.ErrTokenRevoked},
		{"wrong purpose", func(*domain.Token) {}, domain.TokenEmailChange, now.Add(time.Minute), domain.ErrTokenUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, _ := newToken(t, domain.TokenActivation, 48*time.Hour)
			tt.prepare(&tok)
			err := tok.Use(tt.purpose, tt.at)
			if tt.want == nil {
				require.NoError(t, err)
				assert.True(t, tt.at.Equal(tok.UsedAt))
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestTokenRevokeOnlyOpenOnes(t *testing.T) {
	tok, _ := newToken(t, domain.TokenReset, time.Hour)
	require.NoError(t, tok.Use(domain.TokenReset, now))
	assert.False(t, tok.Revoke(now), "a used token stays used")
	tok2, _ := newToken(t, domain.TokenReset, time.Hour)
	assert.True(t, tok2.Revoke(now))
	assert.False(t, tok2.Revoke(now), "revoking twice changes nothing")
}

func TestBillerValidate(t *testing.T) {
	b := mustBiller(t)
	assert.NoError(t, b.Validate())
	assert.Equal(t, 8, b.MinPasswordLength)
	assert.Equal(t, 2*time.Hour, b.LockDuration, "the manual's 2 hours")
	bad := []func(*domain.Biller){
		func(b *domain.Biller) { b.Numcli = "4200" },
		func(b *domain.Biller) { b.Numcli = "00420A" },
		func(b *domain.Biller) { b.Name = "" },
		func(b *domain.Biller) { b.Saisie = "P" },
		func(b *domain.Biller) { b.MinPasswordLength = 4 },
		func(b *domain.Biller) { b.LockDuration = 0 },
		func(b *domain.Biller) { b.MinAmount = dec("100"); b.MaxAmount = dec("10") },
		func(b *domain.Biller) { b.TreasuryDelayDays = -1 },
		func(b *domain.Biller) { b.Email = "pas une adresse" },
	}
	for i, change := range bad {
		c := b
		change(&c)
		assert.Error(t, c.Validate(), "case %d", i)
	}
}

func TestSuspension(t *testing.T) {
	from, until := now.Add(time.Hour), now.Add(3*time.Hour)
	tests := []struct {
		name string
		s    domain.Suspension
		at   time.Time
		want bool
	}{
		{"not active", domain.Suspension{}, now, false},
		{"active now, no dates", domain.Suspension{Active: true}, now, true},
		{"scheduled, not started", domain.Suspension{Active: true, From: from, Until: until}, now, false},
		{"scheduled, started at its first instant", domain.Suspension{Active: true, From: from, Until: until}, from, true},
		{"scheduled, over at its end instant", domain.Suspension{Active: true, From: from, Until: until}, until, false},
		{"open-ended from a date", domain.Suspension{Active: true, From: from}, now.Add(1000 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.s.In(tt.at))
		})
	}
	assert.Equal(t, domain.DefaultSuspensionMessage, domain.Suspension{Active: true}.Text())
	assert.Equal(t, "Maintenance", domain.Suspension{Active: true, Message: "Maintenance"}.Text())
	assert.Equal(t, "Maintenance", domain.Suspension{Active: true, Message: "Maintenance"}.Notice(now))
	assert.Empty(t, domain.Suspension{Active: true, Message: "Maintenance", From: from}.Notice(now), "not yet suspended")
}
