package ports

// The back office's page bounds and paging.

// pageBounds returns a valid offset and limit.
func pageBounds(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = DefaultBackOfficePage
	}
	return max(offset, 0), min(limit, MaxBackOfficePage)
}

// Paging says where one page of a back-office list stands.
type Paging struct {
	Page    int // from 1
	Pages   int // at least 1
	PerPage int
}

func pagingOf(total, offset, limit int) Paging {
	pages := (total + limit - 1) / limit
	if pages == 0 {
		pages = 1
	}
	return Paging{Page: offset/limit + 1, Pages: pages, PerPage: limit}
}

// boundPage puts a query's offset and limit within bounds: the limit
// defaults to PaymentsPerPage and is at most MaxPerPage.
func boundPage(offset, limit int) (int, int) {
	if limit <= 0 || limit > MaxPerPage {
		limit = PaymentsPerPage
	}
	return max(offset, 0), limit
}

// Default and largest page sizes of the back office's lists.
const (
	DefaultBackOfficePage = 20
	MaxBackOfficePage     = 100
)
