package ports

// OnStatusShared calls joined each time a caller waits for a status
// query already under way for the same attempt, instead of asking the
// gateway itself (tests only).
func (p *Portal) OnStatusShared(joined func()) { p.statuses.joined = joined }
