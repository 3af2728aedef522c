package ports

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"sync"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The one-click unsubscribe links of the notices and reminders (issue 15,
// item 3; RFC 8058). A link names an account and a kind of mail and
// carries an HMAC-SHA-256 of both under the portal's own key, kept in the
// store (SecretStore) so that every instance signs and checks alike:
// nothing is stored per mail, a link cannot be guessed or derived from
// another (128 bits of MAC), and it stops only that kind for that
// account. Links do not expire: a mail read months later still works.

// PathUnsubscribe is the public page a notice's or reminder's link opens:
// PathUnsubscribe + "/" + token. GET shows a confirmation and changes
// nothing (mail scanners prefetch links); POST turns the mails off, from
// the page's button or from the payer's mail provider (RFC 8058).
const PathUnsubscribe = "/desabonnement"

// unsubscribeSecret names the links' key in the SecretStore.
const unsubscribeSecret = "unsubscribe-links"

// unsubscribeKeyBytes is the size of that key.
const unsubscribeKeyBytes = 32

// unsubscribeMACBytes is how much of the MAC a link carries.
const unsubscribeMACBytes = 16

// The kind byte of a link: the two choices of « Mes informations ».
const (
	unsubscribeNotices   byte = 'n'
	unsubscribeReminders byte = 'r'
)

// ErrBadUnsubscribeLink: a link that is not one of the portal's, or not
// of this biller's site. One message for every case, so that the page
// tells nothing more.
var ErrBadUnsubscribeLink = domain.Errorf(domain.NotFound, "Ce lien de désabonnement n'est pas valide. Vous pouvez choisir les courriels que vous recevez dans « Mes informations », après vous être connecté.")

// keyCache keeps the links' key once read from the store.
type keyCache struct {
	mu  sync.Mutex
	key []byte
}

// unsubscribeKey returns the links' key: read from the store (outside any
// transaction, so that a rolled-back transaction cannot lose a key already
// used), created there by the first instance that needs it.
func (p *Portal) unsubscribeKey(ctx context.Context) ([]byte, error) {
	p.unsubscribe.mu.Lock()
	defer p.unsubscribe.mu.Unlock()
	if p.unsubscribe.key != nil {
		return p.unsubscribe.key, nil
	}
	fresh := make([]byte, unsubscribeKeyBytes)
	if _, err := io.ReadFull(p.random, fresh); err != nil {
		return nil, domain.WrapInternal(err)
	}
	key, err := p.store.Secret(ctx, unsubscribeSecret, fresh)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	p.unsubscribe.key = key
	return key, nil
}

// unsubscribeKind is the kind byte of the mails of kind.
func unsubscribeKind(kind domain.NoticeKind) byte {
	if kind == domain.NoticeNewInvoice {
		return unsubscribeNotices
	}
	return unsubscribeReminders
}

// unsubscribeMAC signs an account and a kind byte.
func unsubscribeMAC(key []byte, account uuid.UUID, kind byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("portail-des-factures/unsubscribe/v1\x00"))
	m.Write(account[:])
	m.Write([]byte{kind})
	return m.Sum(nil)[:unsubscribeMACBytes]
}

// unsubscribeLink is the absolute link that stops the mails of kind for
// account a, on the biller's site.
func (p *Portal) unsubscribeLink(ctx context.Context, b domain.Biller, a domain.Account, kind domain.NoticeKind) (string, error) {
	key, err := p.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	k := unsubscribeKind(kind)
	raw := make([]byte, 0, 16+1+unsubscribeMACBytes)
	raw = append(raw, a.ID[:]...)
	raw = append(raw, k)
	raw = append(raw, unsubscribeMAC(key, a.ID, k)...)
	return p.SiteURL(b) + PathUnsubscribe + "/" + base64.RawURLEncoding.EncodeToString(raw), nil
}

// parseUnsubscribeToken checks a link's token and returns its account and
// kind byte; ErrBadUnsubscribeLink when it is not one the portal made.
func (p *Portal) parseUnsubscribeToken(ctx context.Context, token string) (uuid.UUID, byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 16+1+unsubscribeMACBytes {
		return uuid.Nil, 0, ErrBadUnsubscribeLink
	}
	account, _ := uuid.FromBytes(raw[:16])
	k := raw[16]
	if k != unsubscribeNotices && k != unsubscribeReminders {
		return uuid.Nil, 0, ErrBadUnsubscribeLink
	}
	key, err := p.unsubscribeKey(ctx)
	if err != nil {
		return uuid.Nil, 0, err
	}
	if !hmac.Equal(raw[17:], unsubscribeMAC(key, account, k)) {
		return uuid.Nil, 0, ErrBadUnsubscribeLink
	}
	return account, k, nil
}
