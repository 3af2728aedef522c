package portstest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The documents' verification codes (ports.VerificationStore).

func fullVerification(b domain.Biller, code, key string) domain.Verification {
	return domain.Verification{Code: code, BillerID: b.ID, Key: key, Kind: domain.VerifyReceipt,
		BillerName: b.Name, PayerName: "Hélène Œuvray", Total: decimal.RequireFromString("1234.50"),
		Date: at(3 * time.Hour), CreatedAt: at(4 * time.Hour)}
}

var verificationTests = []storeTest{
	{"an issued code reads back whole, and the same document asked again keeps its first code", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, b := twoBillers(t, tx)
			key := domain.ReceiptKey(uuid.New())
			v := fullVerification(a, "AAAA-CCCC-"+suffix(), key)
			got, err := tx.IssueVerification(ctx, v)
			require.NoError(t, err)
			AssertSame(t, v, got)
			read, err := tx.VerificationByCode(ctx, v.Code)
			require.NoError(t, err)
			AssertSame(t, v, read)

			again := fullVerification(a, "DDDD-EEEE-"+suffix(), key)
			again.Total = decimal.RequireFromString("1")
			got, err = tx.IssueVerification(ctx, again)
			require.NoError(t, err)
			AssertSame(t, v, got, "the earlier record is kept")
			_, err = tx.VerificationByCode(ctx, again.Code)
			requireNotFound(t, err, "the second code was not kept")

			other := fullVerification(b, "FFFF-GGGG-"+suffix(), key)
			got, err = tx.IssueVerification(ctx, other)
			require.NoError(t, err)
			AssertSame(t, other, got, "the same key in another biller is another document")
		})
	}},
	{"a code given to another document is a Conflict; an unknown or empty code is NotFound", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, _ := twoBillers(t, tx)
			code := "HHHH-JJJJ-" + suffix()
			_, err := tx.IssueVerification(ctx, fullVerification(a, code, domain.ReceiptKey(uuid.New())))
			require.NoError(t, err)
			_, err = tx.IssueVerification(ctx, fullVerification(a, code, domain.ReceiptKey(uuid.New())))
			requireConflict(t, err, "a taken code")
			_, err = tx.VerificationByCode(ctx, "KKKK-MMMM-NNNN")
			requireNotFound(t, err, "unknown code")
			_, err = tx.VerificationByCode(ctx, "")
			requireNotFound(t, err, "empty code")
		})
	}},
	{"the same document issued at once by several instances gets one code", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, _ := twoBillers(t, s)
		key := domain.CertificateKey(uuid.New(), 2025, decimal.RequireFromString("10"))
		const n = 8
		codes := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, err := s.IssueVerification(ctx, fullVerification(a, fmt.Sprintf("PPPP-QQQQ-RR%02d", 30+i), key))
				codes[i], errs[i] = v.Code, err
			})
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.Equal(t, codes[0], codes[i], "one code for the document")
		}
	}},
}

var suffixes struct {
	sync.Mutex
	n int
}

// suffix is a fresh last group of 4 characters for a test code.
func suffix() string {
	suffixes.Lock()
	defer suffixes.Unlock()
	suffixes.n++
	return fmt.Sprintf("W%03d", suffixes.n%1000)
}
