package tipi

import "strings"

// SOAP answers shaped as docs/payfip.md §3.3, §3.6 and §3.8 describe them,
// with the prefixes, spellings and encodings seen or allowed.
const (
	soapOpen  = `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>`
	soapClose = `</S:Body></S:Envelope>`

	answerCreate = soapOpen + `<ns2:creerPaiementSecuriseResponse xmlns:ns2="` + nsService + `"><return><idOp>cc0cb210-1cd4-11ea-8cca-0213ad91a103</idOp></return></ns2:creerPaiementSecuriseResponse>` + soapClose

	// answerPaid writes idop in lower case, as one fixture from the
	// guide's annex does (§3.6), and is indented.
	answerPaid = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="` + nsService + `">
      <return>
        <dattrans>12122019</dattrans>
        <exer>2019</exer>
        <heurtrans>1311</heurtrans>
        <idop>cc0cb210-1cd4-11ea-8cca-0213ad91a103</idop>
        <mel>payeur@exemple.fr</mel>
        <montant>24311</montant>
        <numauto>112233445566-tip</numauto>
        <numcli>006270</numcli>
        <objet>Facture 42</objet>
        <refdet>ABCDEF123456</refdet>
        <resultrans>P</resultrans>
        <saisie>T</saisie>
      </return>
    </ns2:recupererDetailPaiementSecuriseResponse>
  </soap:Body>
</soap:Envelope>`
)

// answerDetail is a status answer with the given resultrans; fields in
// set replace or add to the usual ones, an empty value removes one.
func answerDetail(resultrans string, set map[string]string) string {
	fields := [][2]string{
		{"dattrans", "04052021"}, {"exer", "2021"}, {"heurtrans", "1325"}, {"idOp", "cc0cb210-1cd4-11ea-8cca-0213ad91a103"},
		{"mel", "payeur@exemple.fr"}, {"montant", "1500"}, {"numcli", "006270"}, {"refdet", "ABCDEF123456"},
		{"resultrans", resultrans}, {"saisie", "W"},
	}
	var b strings.Builder
	b.WriteString(soapOpen + `<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="` + nsService + `"><return>`)
	done := map[string]bool{}
	write := func(name, value string) {
		if value != "" {
			b.WriteString("<" + name + ">" + value + "</" + name + ">")
		}
		done[name] = true
	}
	for _, f := range fields {
		if v, ok := set[f[0]]; ok {
			write(f[0], v)
		} else {
			write(f[0], f[1])
		}
	}
	for name, v := range set {
		if !done[name] {
			write(name, v)
		}
	}
	b.WriteString(`</return></ns2:recupererDetailPaiementSecuriseResponse>` + soapClose)
	return b.String()
}

// fault is a SOAP fault whose detail is a kind element.
func fault(kind, code, descriptif string) string {
	return soapOpen + `<S:Fault><faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.` + kind + `</faultstring>` +
		`<detail><ns2:` + kind + ` xmlns:ns2="` + nsService + `"><code>` + code + `</code><descriptif>` + descriptif + `</descriptif>` +
		`<libelle>` + descriptif + `</libelle><message>` + descriptif + `</message><severite>2</severite></ns2:` + kind + `></detail></S:Fault>` + soapClose
}
