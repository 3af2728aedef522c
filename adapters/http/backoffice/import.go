package backoffice

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/importfile"
)

// The import screen (/gestion/import) loads a file of the `portal import`
// format (ports/importfile) in two steps: "Simuler" shows what every line
// would do and changes nothing; "Importer" applies the file, all or
// nothing.
//
// The second step trusts nothing from the first one's page: the browser
// sends the file again and it is parsed, checked and planned again from
// scratch, in the same transaction that applies it. The report of the
// simulation carries only the SHA-256 of the file simulated, sent back in
// a hidden field: if the file sent to "Importer" has another hash the
// import is refused, so that a staff member cannot apply a file other
// than the one they checked by picking the wrong one. The hash guards
// against a mistake, not an attacker: a forged one can only make the
// server apply a file that is checked in full anyway. Keeping the file
// on the server between the steps would need storage shared by every
// instance and its clean-up, for no gain in safety.

const (
	pageStaffImport = "import"
	// importLinesShown bounds the report's tables; the counts cover every
	// line.
	importLinesShown = 1000
)

var importFields = []string{"fichier", "format"}

type staffImportPage struct {
	kit.Base
	Form *kit.Form
	// Report is the outcome of the last step; nil on the empty form.
	Report *ports.ImportReport
	// FileName and Fingerprint name the file of the report.
	FileName    string
	Fingerprint string
	// Confirm offers "Importer" for the file just simulated without error.
	Confirm bool
	// Counts of the report's lines.
	Created, Updated, Unchanged, Rejected int
	// Planned is set when some line was planned (not rejected): a refused
	// import then says what it would have done.
	Planned bool
	// Lines and RejectedLines are the first importLinesShown of each;
	// Hidden says how many lines the first table leaves out.
	Lines         []domain.ImportLine
	RejectedLines []domain.ImportLine
	Hidden        int
	MaxLines      int
	MaxMegabytes  int
}

func (s *BackOffice) showImport(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := &kit.Form{Values: map[string]string{"format": "auto"}, Errors: map[string]string{}}
	return s.renderImport(w, r, u, http.StatusOK, &staffImportPage{Form: f})
}

func (s *BackOffice) renderImport(w http.ResponseWriter, r *http.Request, u *staffUser, st int, p *staffImportPage) error {
	p.Base = kit.Base{Title: "Import de redevables et de factures", Menu: menuStaffImport, Errors: kit.ErrorSummary(importFields, p.Form)}
	if p.Report != nil {
		switch {
		case p.Report.DryRun:
			p.Title = "Simulation d'import"
		case p.Report.Applied:
			p.Title = "Import effectué"
		default:
			p.Title = "Import refusé"
		}
	}
	p.MaxLines, p.MaxMegabytes = ports.MaxImportFileLines, kit.MaxUploadBytes>>20
	return s.renderStaff(w, r, u, st, pageStaffImport, p)
}

// postImport serves both buttons: action "simuler" or "importer".
func (s *BackOffice) postImport(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := kit.NewForm(r, "", "fichier", "format", "empreinte")
	dryRun := r.PostForm.Get("action") != "importer"
	p := &staffImportPage{Form: f}
	batch, structure, name, sum, err := readImportFile(r, f.Values["format"])
	if err != nil {
		if !kit.FieldError(err) {
			return err
		}
		f.Set(err)
		return s.renderImport(w, r, u, http.StatusBadRequest, p)
	}
	p.FileName, p.Fingerprint = name, sum
	if len(structure) > 0 {
		// The file's structure is wrong: nothing reaches the import.
		rep := ports.ImportReport{DryRun: dryRun, Errors: structure}
		for _, e := range structure {
			rep.Lines = append(rep.Lines, domain.ImportLine{Line: e.Line, Outcome: domain.ImportRejected, Field: e.Field, Detail: e.Message})
		}
		p.setReport(rep)
		return s.renderImport(w, r, u, http.StatusBadRequest, p)
	}
	if want := f.Values["empreinte"]; !dryRun && want != "" && want != sum {
		f.Errors["fichier"] = "Ce fichier n'est pas celui de la simulation. Choisissez le fichier simulé, ou simulez d'abord celui-ci."
		return s.renderImport(w, r, u, http.StatusBadRequest, p)
	}
	rep, err := s.portal.BackOffice().ImportFile(r.Context(), u.actor, batch, dryRun)
	if err != nil {
		if !kit.FieldError(err) {
			return err
		}
		f.Set(err)
		return s.renderImport(w, r, u, http.StatusBadRequest, p)
	}
	p.setReport(rep)
	st := http.StatusOK
	if len(rep.Errors) > 0 {
		st = http.StatusUnprocessableEntity
	}
	return s.renderImport(w, r, u, st, p)
}

// setReport fills the page's counts and tables from rep.
func (p *staffImportPage) setReport(rep ports.ImportReport) {
	p.Report = &rep
	p.Confirm = rep.DryRun && len(rep.Errors) == 0
	p.Created, p.Updated = rep.Count(domain.ImportCreated), rep.Count(domain.ImportUpdated)
	p.Unchanged, p.Rejected = rep.Count(domain.ImportUnchanged), rep.Count(domain.ImportRejected)
	p.Planned = p.Created+p.Updated+p.Unchanged > 0
	p.Lines = rep.Lines[:min(len(rep.Lines), importLinesShown)]
	p.Hidden = len(rep.Lines) - len(p.Lines)
	for _, l := range rep.Lines {
		if l.Outcome == domain.ImportRejected && len(p.RejectedLines) < importLinesShown {
			p.RejectedLines = append(p.RejectedLines, l)
		}
	}
}

var errNoImportFile = domain.FieldError("fichier", "Choisissez le fichier à importer.")

// readImportFile parses the uploaded file in the format chosen and
// returns its name (for the page) and its SHA-256.
func readImportFile(r *http.Request, format string) (domain.ImportBatch, []domain.LineError, string, string, error) {
	file, header, err := r.FormFile("fichier")
	if err != nil {
		return domain.ImportBatch{}, nil, "", "", errNoImportFile
	}
	defer file.Close()
	if header.Size == 0 {
		return domain.ImportBatch{}, nil, "", "", domain.FieldError("fichier", "Le fichier choisi est vide.")
	}
	parse := importfile.Parse
	switch format {
	case "csv":
		parse = importfile.ParseCSV
	case "json":
		parse = importfile.ParseJSON
	case "auto", "":
	default:
		return domain.ImportBatch{}, nil, "", "", domain.FieldError("format", "Choisissez le format CSV, JSON ou automatique.")
	}
	h := sha256.New()
	batch, structure, err := parse(io.TeeReader(file, h))
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			return domain.ImportBatch{}, nil, "", "", domain.FieldError("fichier", domain.ErrorMessage(err))
		}
		return domain.ImportBatch{}, nil, "", "", domain.WrapInternal(err)
	}
	// Parsing may stop early on a broken file: hash the rest too.
	if _, err := io.Copy(h, file); err != nil {
		return domain.ImportBatch{}, nil, "", "", domain.WrapInternal(err)
	}
	return batch, structure, fileLabel(header.Filename), hex.EncodeToString(h.Sum(nil)), nil
}

// fileLabel bounds a file name given by the browser, for the page.
func fileLabel(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if utf8.RuneCountInString(name) > 80 {
		name = string([]rune(name)[:80]) + "…"
	}
	return name
}
