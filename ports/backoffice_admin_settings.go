package ports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/shopspring/decimal"
)

// SettingsInput is what the billing service sets on its settings screen.
// Instants are absolute: the adapter reads the form's local times in
// domain.Paris.
type SettingsInput struct {
	Notice           string
	HomeText         string
	MultiplePayments bool

	SuspensionMode    domain.SuspensionMode
	SuspensionMessage string
	SuspensionFrom    time.Time // zero: from now
	SuspensionUntil   time.Time // zero: until lifted

	TreasuryDelayDays int
	MinPasswordLength int
	LockDuration      time.Duration
	Numcli            string
	Saisie            domain.Saisie

	// MinAmount and MaxAmount bound one payment, within PayFiP's limits
	// for the instance's mode (domain.PayFiPAmountLimits).
	MinAmount, MaxAmount decimal.Decimal

	// Reminders are the « Avis et relances » settings; nil keeps them
	// (backoffice_admin_settings_reminders.go).
	Reminders *domain.Reminders
	// Certificate is the « Attestation annuelle » setting; nil keeps it
	// (backoffice_admin_settings_certificate.go).
	Certificate *domain.CertificateSettings
	// RetentionMonths is the « Conservation des comptes clos » setting;
	// nil keeps it (backoffice_admin_settings_retention.go).
	RetentionMonths *int
}

// SettingsInputOf returns the input that keeps b's settings as they are,
// for a form's initial values.
func SettingsInputOf(b domain.Biller) SettingsInput {
	min, max := b.AmountBounds()
	retention := b.RetentionMonths
	if retention == 0 { // a biller stored before the setting: the default
		retention = domain.DefaultRetentionMonths
	}
	return SettingsInput{
		Notice: b.Notice, HomeText: b.HomeText, MultiplePayments: b.MultiplePayments,
		SuspensionMode: b.Suspension.Mode(), SuspensionMessage: b.Suspension.Message,
		SuspensionFrom: b.Suspension.From, SuspensionUntil: b.Suspension.Until,
		TreasuryDelayDays: b.TreasuryDelayDays, MinPasswordLength: b.MinPasswordLength,
		LockDuration: b.LockDuration, Numcli: b.Numcli, Saisie: b.Saisie,
		MinAmount: min, MaxAmount: max,
		Reminders: &b.Reminders, Certificate: &b.Certificate,
		RetentionMonths: &retention,
	}
}

// Settings returns the actor's biller with its settings.
func (p BackOfficeAdmin) Settings(ctx context.Context, a Actor) (domain.Biller, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return domain.Biller{}, err
	}
	b, err := p.store.Biller(ctx, a.BillerID)
	if err != nil {
		return domain.Biller{}, notFoundAs(err, domain.ErrNotFound)
	}
	return p.withMode(b), nil
}

// UpdateSettings saves the biller's settings and writes in the audit log
// what changed. Nothing changed, nothing is written.
func (p BackOfficeAdmin) UpdateSettings(ctx context.Context, a Actor, in SettingsInput) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	now := p.clock.Now()
	return p.store.Atomic(ctx, func(tx Tx) error {
		old, err := tx.BillerForUpdate(ctx, a.BillerID)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		b, err := applySettings(p.withMode(old), in, now)
		if err != nil {
			return err
		}
		changes := settingsChanges(old, b)
		if len(changes) == 0 {
			return nil
		}
		if err := checkRetentionChange(a, old, b); err != nil {
			return err
		}
		b.UpdatedAt = now
		b.PayFiPMode = "" // the configuration's, never stored
		if err := mapSave(tx.SaveBiller(ctx, b)); err != nil {
			return err
		}
		return p.audit(ctx, tx, a, domain.AuditSettingsChanged, b.Name, "Paramètres modifiés : "+strings.Join(changes, " ; ")+".")
	})
}

// applySettings returns old with the input's settings, checked.
func applySettings(old domain.Biller, in SettingsInput, now time.Time) (domain.Biller, error) {
	b := old
	b.Notice = cleanText(in.Notice)
	b.HomeText = cleanText(in.HomeText)
	b.MultiplePayments = in.MultiplePayments
	s, err := domain.NewSuspension(in.SuspensionMode, cleanText(in.SuspensionMessage), in.SuspensionFrom, in.SuspensionUntil, now)
	if err != nil {
		return old, err
	}
	if s.Mode() == old.Suspension.Mode() && s.From.Equal(old.Suspension.From) && s.Until.Equal(old.Suspension.Until) {
		// The same instants: keep the stored values (and their location).
		s.From, s.Until = old.Suspension.From, old.Suspension.Until
	}
	b.Suspension = s
	b.TreasuryDelayDays = in.TreasuryDelayDays
	b.MinPasswordLength = in.MinPasswordLength
	b.LockDuration = in.LockDuration
	b.Numcli = strings.TrimSpace(in.Numcli)
	b.Saisie = in.Saisie
	b.MinAmount, b.MaxAmount = in.MinAmount, in.MaxAmount
	if in.Reminders != nil {
		b.Reminders = *in.Reminders
	}
	if in.Certificate != nil {
		b.Certificate = cleanCertificate(*in.Certificate)
	}
	if in.RetentionMonths != nil {
		if err := domain.CheckRetention(*in.RetentionMonths); err != nil {
			return old, err
		}
		b.RetentionMonths = *in.RetentionMonths
	}
	if err := b.Validate(); err != nil {
		return old, err
	}
	if err := b.CheckTexts(); err != nil {
		return old, err
	}
	return b, nil
}

// cleanText trims a text typed in a form and gives it Unix line endings.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// settingsChanges lists in French what differs between old and b.
func settingsChanges(old, b domain.Biller) []string {
	var out []string
	text := func(label, before, after string) {
		switch {
		case before == after:
		case after == "":
			out = append(out, label+" : texte supprimé")
		default:
			out = append(out, label+" : texte modifié")
		}
	}
	value := func(label string, before, after any) {
		if before != after {
			out = append(out, fmt.Sprintf("%s : %v → %v", label, before, after))
		}
	}
	text("information importante", old.Notice, b.Notice)
	text("texte d'accueil", old.HomeText, b.HomeText)
	value("paiement de plusieurs factures à la fois", yesNo(old.MultiplePayments), yesNo(b.MultiplePayments))
	value("suspension du paiement", old.Suspension.Describe(), b.Suspension.Describe())
	text("message de suspension", old.Suspension.Message, b.Suspension.Message)
	value("délai de transmission en trésorerie (jours)", old.TreasuryDelayDays, b.TreasuryDelayDays)
	value("longueur minimale du mot de passe", old.MinPasswordLength, b.MinPasswordLength)
	value("délai d'attente entre deux tentatives de paiement", DurationWords(old.LockDuration), DurationWords(b.LockDuration))
	value("identifiant collectivité PayFiP", old.Numcli, b.Numcli)
	value("mode de saisie PayFiP", old.Saisie, b.Saisie)
	value("montant minimum d'un paiement", domain.FormatEuros(old.MinAmount), domain.FormatEuros(b.MinAmount))
	value("montant maximum d'un paiement", domain.FormatEuros(old.MaxAmount), domain.FormatEuros(b.MaxAmount))
	out = append(out, remindersChanges(old.Reminders, b.Reminders)...)
	out = append(out, certificateChanges(old.Certificate, b.Certificate)...)
	out = append(out, retentionChanges(old.RetentionMonths, b.RetentionMonths)...)
	return out
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// DurationWords says a whole number of minutes in French: "2 h",
// "1 h 30 min", "45 min".
func DurationWords(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	h, m := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
