package tipi

import (
	"encoding/xml"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// serveSOAP answers the web service's two payment operations.
func (s *Simulator) serveSOAP(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxSOAPBody+1))
	if err != nil {
		writeFault(w, FaultProtocol, "999", "Requête illisible")
		return
	}
	root, err := parseXMLTree(data)
	var op *xmlNode
	if err == nil && root.local == "Envelope" && root.space == nsSOAP {
		if body := root.child("Body"); body != nil && body.space == nsSOAP && len(body.children) > 0 {
			op = body.children[0]
		}
	}
	if op == nil || op.space != nsService {
		writeFault(w, FaultProtocol, "999", "Message SOAP non conforme")
		return
	}
	args := argFields(op)
	switch op.local {
	case "creerPaiementSecurise":
		s.soapCreate(w, r, args)
	case "recupererDetailPaiementSecurise":
		s.soapDetail(w, args)
	default:
		writeFault(w, FaultProtocol, "999", "Opération inconnue : "+op.local)
	}
}

// argFields returns the unqualified fields of the unqualified arg0, by
// their exact names, as a JAXB server reads them: a misspelt or
// namespaced field is simply absent.
func argFields(op *xmlNode) map[string]string {
	fields := map[string]string{}
	for _, arg := range op.children {
		if arg.local != "arg0" || arg.space != "" {
			continue
		}
		for _, c := range arg.children {
			if _, dup := fields[c.local]; !dup && c.space == "" {
				fields[c.local] = c.text
			}
		}
		break
	}
	return fields
}

func (s *Simulator) soapCreate(w http.ResponseWriter, r *http.Request, f map[string]string) {
	code, text := checkCreate(f)
	switch {
	case code != "":
	case !s.allowed(r, f["urlnotif"]):
		code, text = "N1", "URL de notification non autorisée par le simulateur"
	case !s.allowed(r, f["urlredirect"]):
		code, text = "D1", "URL de redirection non autorisée par le simulateur"
	}
	if code != "" {
		writeFault(w, FaultFunctional, code, text)
		return
	}
	now := s.clock.Now()
	op := &Operation{
		ID: uuid.NewString(), CreatedAt: now,
		Exer: f["exer"], Mel: f["mel"], Montant: f["montant"], Numcli: f["numcli"], Objet: f["objet"],
		Refdet: f["refdet"], Saisie: f["saisie"], URLNotif: f["urlnotif"], URLRedirect: f["urlredirect"],
	}
	s.mu.Lock()
	s.purge(now)
	s.ops[op.ID] = op
	s.mu.Unlock()
	resp := creerResponse{NS: nsService}
	resp.Return.IDOp = op.ID
	writeSOAP(w, http.StatusOK, resp)
}

// checkCreate validates a creation as the service does. R3 and A2 are
// the DGFiP's own codes (docs/payfip.md §3.8); T1, S1, M1, M3, M5, A1, N1
// and D1 come from a weak source; O1 is the simulator's own, since the
// code the service gives a bad label is not known.
func checkCreate(f map[string]string) (code, text string) {
	switch {
	case !domain.ValidNumcli(f["numcli"]):
		return "T1", "Numéro de client incorrect"
	case !domain.Saisie(f["saisie"]).Valid():
		return "S1", "Mode de saisie incorrect"
	case domain.CheckRefdet(f["refdet"]) != nil:
		return "R3", "Le format du paramètre REFDET n'est pas conforme"
	}
	cents, ok := centsValue(f["montant"])
	switch {
	case !ok:
		return "M1", "Montant incorrect"
	case cents < 100:
		return "M3", "Montant inférieur au minimum autorisé"
	case cents > 10_000_000:
		return "M5", "Montant supérieur au maximum autorisé"
	case f["mel"] == "":
		return "A1", "Adresse électronique absente"
	case domain.CheckEmail(f["mel"]) != nil:
		return "A2", "Adresse électronique incorrecte"
	case !safeObjet(f["objet"]):
		return "O1", "Objet incorrect"
	case checkAbsolute(f["urlnotif"]) != nil:
		return "N1", "URL de notification incorrecte"
	case checkAbsolute(f["urlredirect"]) != nil:
		return "D1", "URL de redirection incorrecte"
	}
	return "", ""
}

// centsValue reads a montant of at most 12 digits.
func centsValue(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, true
}

// safeObjet reports whether s is a label PayFiP takes (§3.3).
func safeObjet(s string) bool {
	return len(s) <= maxObjet && normalizeObjet(s) == s
}

func (s *Simulator) soapDetail(w http.ResponseWriter, f map[string]string) {
	id := f["idOp"] // exactly: "idop" gets P1, as from the real service (§3.2)
	s.mu.Lock()
	s.purge(s.clock.Now())
	op, ok := s.ops[id]
	var snapshot Operation
	pending := false
	if ok {
		snapshot = *op
		if s.pending[id] > 0 {
			s.pending[id]--
			pending = true
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeFault(w, FaultFunctional, "P1", "IdOp incorrect")
	case pending || snapshot.Resultrans == "":
		writeFault(w, FaultFunctional, "P5", "Résultat de la transaction non connu")
	default:
		writeSOAP(w, http.StatusOK, detailResponse{NS: nsService, Return: detailReturn{
			Dattrans: snapshot.Dattrans, Exer: snapshot.Exer, Heurtrans: snapshot.Heurtrans, IDOp: snapshot.ID,
			Mel: snapshot.Mel, Montant: snapshot.Montant, Numauto: snapshot.Numauto, Numcli: snapshot.Numcli,
			Objet: snapshot.Objet, Refdet: snapshot.Refdet, Resultrans: snapshot.Resultrans, Saisie: snapshot.Saisie,
		}})
	}
}

// purge forgets the operations the DGFiP would have forgotten by now:
// those that never got a result after a night, and old results. The
// caller holds s.mu.
func (s *Simulator) purge(now time.Time) {
	for id, o := range s.ops {
		if now.Sub(o.CreatedAt) > keepResults || o.Resultrans == "" && now.Sub(o.CreatedAt) > purgeAfter {
			delete(s.ops, id)
			delete(s.pending, id)
		}
	}
}

// The simulator's SOAP answers, shaped as the service's (§3.2, §3.6).
type responseEnvelope struct {
	XMLName xml.Name `xml:"soap:Envelope"`
	NSSOAP  string   `xml:"xmlns:soap,attr"`
	Body    struct {
		Content any
	} `xml:"soap:Body"`
}

type creerResponse struct {
	XMLName xml.Name `xml:"ns2:creerPaiementSecuriseResponse"`
	NS      string   `xml:"xmlns:ns2,attr"`
	Return  struct {
		IDOp string `xml:"idOp"`
	} `xml:"return"`
}

type detailResponse struct {
	XMLName xml.Name     `xml:"ns2:recupererDetailPaiementSecuriseResponse"`
	NS      string       `xml:"xmlns:ns2,attr"`
	Return  detailReturn `xml:"return"`
}

type detailReturn struct {
	Dattrans   string `xml:"dattrans"`
	Exer       string `xml:"exer"`
	Heurtrans  string `xml:"heurtrans"`
	IDOp       string `xml:"idOp"`
	Mel        string `xml:"mel"`
	Montant    string `xml:"montant"`
	Numauto    string `xml:"numauto,omitempty"`
	Numcli     string `xml:"numcli"`
	Objet      string `xml:"objet,omitempty"`
	Refdet     string `xml:"refdet"`
	Resultrans string `xml:"resultrans"`
	Saisie     string `xml:"saisie"`
}

type faultResponse struct {
	XMLName     xml.Name `xml:"soap:Fault"`
	FaultCode   string   `xml:"faultcode"`
	FaultString string   `xml:"faultstring"`
	Detail      struct {
		Error faultDetail
	} `xml:"detail"`
}

type faultDetail struct {
	XMLName    xml.Name
	NS         string `xml:"xmlns:ns2,attr"`
	Code       string `xml:"code"`
	Descriptif string `xml:"descriptif"`
	Libelle    string `xml:"libelle"`
	Message    string `xml:"message"`
	Severite   int    `xml:"severite"`
}

// writeFault answers a SOAP 1.1 fault with HTTP 500. The faultstring is
// the Java exception's class name, which EO matches on (§3.8).
func writeFault(w http.ResponseWriter, kind, code, text string) {
	f := faultResponse{FaultCode: "soap:Server", FaultString: "fr.gouv.finances.cp.tpa.webservice.exceptions." + kind}
	severity := 1
	if code == "P5" {
		severity = 2
	}
	f.Detail.Error = faultDetail{XMLName: xml.Name{Local: "ns2:" + kind}, NS: nsService,
		Code: code, Descriptif: text, Libelle: text, Message: text, Severite: severity}
	writeSOAP(w, http.StatusInternalServerError, f)
}

func writeSOAP(w http.ResponseWriter, status int, content any) {
	env := responseEnvelope{NSSOAP: nsSOAP}
	env.Body.Content = content
	out, err := xml.Marshal(env)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(out)
}
