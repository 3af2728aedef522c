package ports

import "github.com/portail-factures/portail/domain"

// The « Conservation des comptes clos » block of the settings (issue 16,
// item 7): how many months a closed account's personal data are kept
// before the retention job erases them (jobs_retention.go).

// retentionChanges lists in French, for the audit log, a change of the
// retention period; a biller stored without one has the default.
func retentionChanges(old, months int) []string {
	if RetentionWords(old) == RetentionWords(months) {
		return nil
	}
	return []string{"conservation des comptes clos : " + RetentionWords(old) + " → " + RetentionWords(months)}
}

// checkRetentionChange lets only an administrateur change the retention
// period: it decides when the payers' data are erased.
func checkRetentionChange(a Actor, old, b domain.Biller) error {
	if retentionChanges(old.RetentionMonths, b.RetentionMonths) == nil || a.Kind != domain.ActorStaff || a.Role == domain.RoleAdmin {
		return nil
	}
	return domain.FieldError("retention_months", "Seul un administrateur peut modifier la durée de conservation des comptes clos.")
}
