package portstest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The invoices' documents (ports.DocumentStore).

var documentTests = []storeTest{
	{"a saved document reads back byte for byte, and a save of the same name replaces it", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, b := twoBillers(t, tx)
			d := fullDocument(t, a, "2024-0001")
			require.NoError(t, tx.SaveDocument(ctx, d))
			got, err := tx.Document(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, d, got)

			other := fullDocument(t, b, "2024-0001")
			other.Data = append(other.Data, "autre service"...)
			require.NoError(t, tx.SaveDocument(ctx, other), "the same name in another biller")

			newer := fullDocument(t, a, "2024-0001")
			newer.Data = []byte("%PDF-1.4 version corrigée")
			newer.SHA256 = domain.HashSecret(string(newer.Data))
			newer.CreatedAt = at(5 * time.Hour)
			require.NoError(t, tx.SaveDocument(ctx, newer))
			got, err = tx.Document(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, newer, got)
			got, err = tx.Document(ctx, b.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, other, got, "the other biller's document is untouched")
		})
	}},
	{"a missing document is NotFound, and a name is looked up within its biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		require.NoError(t, s.SaveDocument(ctx, fullDocument(t, a, "2024-0001")))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.Document(ctx, b.ID, "2024-0001")
			requireNotFound(t, err, "Document of another biller")
			_, err = tx.Document(ctx, a.ID, "2024-0002")
			requireNotFound(t, err, "Document")
			_, err = tx.DocumentInfo(ctx, b.ID, "2024-0001")
			requireNotFound(t, err, "DocumentInfo of another biller")
			_, err = tx.DocumentInfo(ctx, a.ID, "2024-0002")
			requireNotFound(t, err, "DocumentInfo")
		})
	}},
	{"DocumentInfo describes a saved document, its size in bytes included, and follows a replacement", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, b := twoBillers(t, tx)
			d := fullDocument(t, a, "2024-0001")
			require.NoError(t, tx.SaveDocument(ctx, d))
			other := fullDocument(t, b, "2024-0001")
			other.Data = append(other.Data, "autre service"...)
			require.NoError(t, tx.SaveDocument(ctx, other))
			got, err := tx.DocumentInfo(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, ports.DocumentInfo{Name: d.Name, SHA256: d.SHA256, Size: len(d.Data), CreatedAt: d.CreatedAt}, got)

			big := fullDocument(t, a, "2024-0001")
			noise := make([]byte, 300<<10) // incompressible: a SQL store keeps it out of line
			_, _ = NewSeqRandom(1).Read(noise)
			big.Data = append([]byte("%PDF-1.7\n"), noise...)
			big.SHA256 = domain.HashSecret(string(big.Data))
			big.CreatedAt = at(5 * time.Hour)
			require.NoError(t, tx.SaveDocument(ctx, big))
			got, err = tx.DocumentInfo(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, ports.DocumentInfo{Name: big.Name, SHA256: big.SHA256, Size: len(big.Data), CreatedAt: big.CreatedAt}, got)
			got, err = tx.DocumentInfo(ctx, b.ID, d.Name)
			require.NoError(t, err)
			assert.Equal(t, len(other.Data), got.Size, "the other biller's document")
		})
	}},
}
