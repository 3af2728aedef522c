package tipi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The SOAP 1.1 document/literal conventions of PaiementSecuriseService
// (docs/payfip.md §3.2): the operation elements and the fault elements are in
// the service namespace; arg0, return and the fields inside are
// unqualified.
const (
	nsSOAP    = "http://schemas.xmlsoap.org/soap/envelope/"
	nsService = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"
)

// The kinds of fault detail the service declares (§3.8).
const (
	FaultFunctional     = "FonctionnelleErreur"
	FaultMalfunction    = "TechDysfonctionnementErreur"
	FaultUnavailability = "TechIndisponibiliteErreur"
	FaultProtocol       = "TechProtocolaireErreur"
)

var faultKinds = []string{FaultFunctional, FaultMalfunction, FaultUnavailability, FaultProtocol}

// maxSOAPBody bounds what is read of a SOAP message, either way.
const maxSOAPBody = 1 << 20

// requestEnvelope is the envelope the gateway sends. encoding/xml writes
// the prefixed names as they are and escapes every text.
type requestEnvelope struct {
	XMLName xml.Name `xml:"soapenv:Envelope"`
	NSSOAP  string   `xml:"xmlns:soapenv,attr"`
	NSPai   string   `xml:"xmlns:pai,attr"`
	Header  struct{} `xml:"soapenv:Header"`
	Body    struct {
		Operation any
	} `xml:"soapenv:Body"`
}

// creerPaiementSecurise creates an operation; its fields follow the XSD
// order (§3.3). objet is omitted, not sent empty, when there is no label.
type creerPaiementSecurise struct {
	XMLName xml.Name `xml:"pai:creerPaiementSecurise"`
	Arg0    creerArg `xml:"arg0"`
}

type creerArg struct {
	Exer        string `xml:"exer"`
	Mel         string `xml:"mel"`
	Montant     string `xml:"montant"`
	Numcli      string `xml:"numcli"`
	Objet       string `xml:"objet,omitempty"`
	Refdet      string `xml:"refdet"`
	Saisie      string `xml:"saisie"`
	URLNotif    string `xml:"urlnotif"`
	URLRedirect string `xml:"urlredirect"`
}

// recupererDetailPaiementSecurise asks for a result. The field is idOp
// with a capital O: the real service answers P1 to "idop" (§3.2).
type recupererDetailPaiementSecurise struct {
	XMLName xml.Name `xml:"pai:recupererDetailPaiementSecurise"`
	Arg0    struct {
		IDOp string `xml:"idOp"`
	} `xml:"arg0"`
}

// marshalRequest writes a request envelope around operation.
func marshalRequest(operation any) ([]byte, error) {
	env := requestEnvelope{NSSOAP: nsSOAP, NSPai: nsService}
	env.Body.Operation = operation
	out, err := xml.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// Fault is a SOAP fault from PayFiP (docs/payfip.md §3.8). The gateway wraps
// it in the domain.Error it returns, so that the logs show it and
// errors.As finds it.
type Fault struct {
	// Kind is the detail element's name, one of the Fault* constants, or
	// "" when the fault names none.
	Kind        string
	Code        string
	Descriptif  string
	Libelle     string
	Message     string
	Severite    string
	FaultCode   string
	FaultString string
}

// Error describes the fault for the logs.
func (f *Fault) Error() string {
	kind := f.Kind
	if kind == "" {
		kind = "fault"
	}
	text := f.Descriptif
	if text == "" {
		text = f.Libelle
	}
	if text == "" {
		text = f.FaultString
	}
	return fmt.Sprintf("payfip %s %s: %s", kind, f.Code, text)
}

// GatewayCode returns PayFiP's own code (R3, A2, P5…), so that a caller
// that cannot import this package can still record it, through
// errors.As with an interface{ GatewayCode() string }.
func (f *Fault) GatewayCode() string { return f.Code }

// Functional reports whether PayFiP judged the request itself (a
// FonctionnelleErreur), rather than failing technically.
func (f *Fault) Functional() bool { return f.Kind == FaultFunctional }

// soapAnswer is a response's content.
type soapAnswer struct {
	// Element is the local name of the Body's child, such as
	// creerPaiementSecuriseResponse.
	Element string
	// Fields are the children of return, by lower-case local name; the
	// service has written idOp as idop at least once (§3.6).
	Fields map[string]string
}

// parseSOAPResponse reads a response envelope: either an answer or a
// fault. Names are matched on their local part, in any case, whatever
// their namespace.
func parseSOAPResponse(data []byte) (soapAnswer, *Fault, error) {
	root, err := parseXMLTree(data)
	if err != nil {
		return soapAnswer{}, nil, err
	}
	if !strings.EqualFold(root.local, "Envelope") {
		return soapAnswer{}, nil, fmt.Errorf("root element %q is not a SOAP Envelope", root.local)
	}
	body := root.child("Body")
	if body == nil || len(body.children) == 0 {
		return soapAnswer{}, nil, errors.New("SOAP envelope without a body element")
	}
	content := body.children[0]
	if strings.EqualFold(content.local, "Fault") {
		return soapAnswer{}, parseFault(content), nil
	}
	ret := content.child("return")
	if ret == nil {
		return soapAnswer{}, nil, fmt.Errorf("%s without a return element", content.local)
	}
	ans := soapAnswer{Element: content.local, Fields: make(map[string]string, len(ret.children))}
	for _, c := range ret.children {
		name := strings.ToLower(c.local)
		if _, dup := ans.Fields[name]; !dup {
			ans.Fields[name] = strings.TrimSpace(c.text)
		}
	}
	return ans, nil, nil
}

func parseFault(n *xmlNode) *Fault {
	f := &Fault{}
	if c := n.child("faultcode"); c != nil {
		f.FaultCode = strings.TrimSpace(c.text)
	}
	if c := n.child("faultstring"); c != nil {
		f.FaultString = strings.TrimSpace(c.text)
	}
	var detail *xmlNode
	if d := n.child("detail"); d != nil {
		for _, kind := range faultKinds {
			if detail = d.find(kind); detail != nil {
				f.Kind = kind
				break
			}
		}
		if detail == nil && len(d.children) > 0 {
			detail = d.children[0]
		}
	}
	if f.Kind == "" {
		// EO recognises a functional fault by its faultstring, the Java
		// class name ending in FonctionnelleErreur (§3.8).
		for _, kind := range faultKinds {
			if strings.HasSuffix(f.FaultString, kind) {
				f.Kind = kind
			}
		}
	}
	if detail != nil {
		get := func(name string) string {
			if c := detail.find(name); c != nil {
				return strings.TrimSpace(c.text)
			}
			return ""
		}
		f.Code, f.Descriptif, f.Libelle = get("code"), get("descriptif"), get("libelle")
		f.Message, f.Severite = get("message"), get("severite")
	}
	return f
}

// xmlNode is an element of a parsed document: its local name and
// namespace as written, its text, and its child elements.
type xmlNode struct {
	local    string
	space    string
	text     string
	children []*xmlNode
}

// child returns the first child element named name, in any case.
func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.children {
		if strings.EqualFold(c.local, name) {
			return c
		}
	}
	return nil
}

// find returns the first descendant element named name, in any case,
// depth first.
func (n *xmlNode) find(name string) *xmlNode {
	for _, c := range n.children {
		if strings.EqualFold(c.local, name) {
			return c
		}
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

// Limits on a parsed document, well above any real PayFiP message.
const (
	maxXMLDepth = 32
	maxXMLNodes = 4096
)

// parseXMLTree parses a whole document into a tree. encoding/xml does not
// read DTDs, so no external entity is ever fetched.
func parseXMLTree(data []byte) (*xmlNode, error) {
	if len(data) > maxSOAPBody {
		return nil, errors.New("XML document too large")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	var (
		root  *xmlNode
		stack []*xmlNode
		texts [][]byte
		count int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("XML: several root elements")
			}
			count++
			if count > maxXMLNodes || len(stack) >= maxXMLDepth {
				return nil, errors.New("XML: document too large or too deep")
			}
			n := &xmlNode{local: t.Name.Local, space: t.Name.Space}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
			texts = append(texts, nil)
		case xml.EndElement:
			top := len(stack) - 1
			stack[top].text = string(texts[top])
			stack, texts = stack[:top], texts[:top]
		case xml.CharData:
			if len(stack) > 0 {
				texts[len(texts)-1] = append(texts[len(texts)-1], t...)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("XML: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("XML: no element")
	}
	return root, nil
}

// charsetReader lets the decoder read ISO-8859-1, the other encoding a
// Java server may declare; UTF-8 needs no reader.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		data, err := io.ReadAll(io.LimitReader(input, maxSOAPBody))
		if err != nil {
			return nil, err
		}
		runes := make([]rune, len(data))
		for i, b := range data {
			runes[i] = rune(b)
		}
		return strings.NewReader(string(runes)), nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", label)
}
