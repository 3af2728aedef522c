package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The administration commands: billers and their staff. They are the
// instance operator's, who runs them with the database's credentials;
// everything else a billing service does from its back office.
//
//	portal biller add --name N --numcli 004200 --email E [--host H]... [--id ID]
//	portal biller hosts --biller ID HOST...
//	portal biller list
//	portal staff add --biller ID --email E [--name N] [--role administrateur|gestionnaire|lecture] [--password-stdin]
//	portal staff disable --biller ID --email E
//	portal staff list --biller ID

// adminArgs are the arguments of the biller and staff commands.
type adminArgs struct {
	sub           string
	biller        uuid.UUID
	id            uuid.UUID
	name, numcli  string
	email, role   string
	hosts         []string
	passwordStdin bool
}

// adminFlagValues are the flags of biller and staff, as parsed.
type adminFlagValues struct {
	biller, id, name, numcli, email, role *string
	hosts                                 *hostList
	passwordStdin                         *bool
}

type hostList []string

func (h *hostList) String() string     { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error { *h = append(*h, v); return nil }

// adminSubcommands lists what biller and staff do.
var adminSubcommands = map[string][]string{
	"biller": {"add", "hosts", "list"},
	"staff":  {"add", "disable", "list"},
}

// adminFlags declares the flags of biller and staff beside the settings'.
func adminFlags(fs *flag.FlagSet) adminFlagValues {
	v := adminFlagValues{
		biller:        fs.String("biller", "", "id of the biller"),
		id:            fs.String("id", "", "biller add: the new biller's id (default: a new one)"),
		name:          fs.String("name", "", "biller add: the service's name; staff add: the member's name"),
		numcli:        fs.String("numcli", "", "biller add: the 6-digit PayFiP client number"),
		email:         fs.String("email", "", "biller add: the service's address (contact messages go there); staff: the member's login"),
		role:          fs.String("role", string(domain.RoleManager), "staff add: administrateur (reads, changes and manages the biller's staff), gestionnaire (reads and changes) or lecture (reads only)"),
		hosts:         &hostList{},
		passwordStdin: fs.Bool("password-stdin", false, "staff add: read the password from the first line of standard input instead of generating one"),
	}
	fs.Var(v.hosts, "host", "biller add: a host name of the biller's portal (repeat for several)")
	return v
}

// parseAdminArgs checks the arguments of `portal biller|staff SUB`.
func parseAdminArgs(command, sub string, v adminFlagValues, positional []string) (adminArgs, error) {
	a := adminArgs{sub: sub, name: *v.name, numcli: *v.numcli, email: *v.email, role: *v.role,
		hosts: *v.hosts, passwordStdin: *v.passwordStdin}
	usage := func(format string, args ...any) (adminArgs, error) {
		return adminArgs{}, &usageError{fmt.Sprintf("%s %s: ", command, sub) + fmt.Sprintf(format, args...)}
	}
	known := false
	for _, s := range adminSubcommands[command] {
		known = known || s == sub
	}
	if !known {
		return usage("unknown; want one of %s", strings.Join(adminSubcommands[command], ", "))
	}
	needBiller := !(command == "biller" && (sub == "add" || sub == "list"))
	if needBiller {
		id, err := uuid.Parse(*v.biller)
		if err != nil || id == uuid.Nil {
			return usage("needs --biller ID, the id of the biller (portal biller list shows them)")
		}
		a.biller = id
	}
	if *v.id != "" {
		id, err := uuid.Parse(*v.id)
		if err != nil || id == uuid.Nil {
			return usage("--id %q is not an id", *v.id)
		}
		a.id = id
	}
	switch {
	case command == "biller" && sub == "hosts":
		a.hosts = positional
	case len(positional) > 0:
		return usage("takes no arguments, got %q", positional)
	}
	if command == "staff" && sub != "list" && a.email == "" {
		return usage("needs --email")
	}
	if command == "biller" && sub == "add" && (a.name == "" || a.numcli == "") {
		return usage("needs --name and --numcli")
	}
	return a, nil
}

// commandPortal opens the database and returns the use cases for a
// command-line command: no mail goes out and no payment is taken.
func (m *Main) commandPortal(ctx context.Context) (*ports.Portal, error) {
	db, err := m.openDatabase(ctx, m.Config.Database.Migrate)
	if err != nil {
		return nil, err
	}
	return m.importPortal(db)
}

// admin runs a biller or staff command on the database.
func (m *Main) admin(ctx context.Context) error {
	portal, err := m.commandPortal(ctx)
	if err != nil {
		return err
	}
	a := m.adm
	switch m.command + " " + a.sub {
	case "biller add":
		return m.billerAdd(ctx, portal, a)
	case "biller hosts":
		return m.billerHosts(ctx, portal, a)
	case "biller list":
		return m.billerList(ctx, portal)
	case "staff add":
		return m.staffAdd(ctx, portal, a)
	case "staff disable":
		if err := portal.Operator().DisableStaff(ctx, a.biller, a.email); err != nil {
			return operatorError(err)
		}
		fmt.Fprintf(m.Stdout, "staff member %s of biller %s disabled; their sessions are closed\n", domain.NormalizeEmail(a.email), a.biller)
		return nil
	case "staff list":
		return m.staffList(ctx, portal, a)
	}
	return fmt.Errorf("%s %s: not a command", m.command, a.sub)
}

func normalizeHosts(in []string) []string {
	out := make([]string, 0, len(in))
	for _, h := range in {
		out = append(out, domain.NormalizeHost(h))
	}
	return out
}

func (m *Main) billerAdd(ctx context.Context, portal *ports.Portal, a adminArgs) error {
	id := a.id
	if id == uuid.Nil {
		id = uuid.Must(uuid.NewV7())
	}
	b, err := portal.Operator().CreateBiller(ctx, id, a.name, a.numcli, a.email, normalizeHosts(a.hosts))
	if err != nil {
		return operatorError(err)
	}
	fmt.Fprintf(m.Stdout, "biller %s created: %s, PayFiP client %s (saisie %s: test), hosts %s\n", b.ID, b.Name, b.Numcli, b.Saisie, hostsText(b.Hosts))
	fmt.Fprintf(m.Stdout, "next: portal staff add --biller %s --email ADDRESS, then set the rest in its back office (/gestion/parametres)\n", b.ID)
	return nil
}

func (m *Main) billerHosts(ctx context.Context, portal *ports.Portal, a adminArgs) error {
	b, err := portal.Operator().SetBillerHosts(ctx, a.biller, normalizeHosts(a.hosts))
	if err != nil {
		return operatorError(err)
	}
	fmt.Fprintf(m.Stdout, "biller %s (%s) now serves hosts %s\n", b.ID, b.Name, hostsText(b.Hosts))
	return nil
}

func hostsText(h []string) string {
	if len(h) == 0 {
		return "(none: only as the default biller, biller.id)"
	}
	return strings.Join(h, ", ")
}

func (m *Main) billerList(ctx context.Context, portal *ports.Portal) error {
	list, err := portal.Operator().AllBillers(ctx)
	if err != nil {
		return operatorError(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tNUMCLI\tSAISIE\tHOSTS")
	for _, b := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.ID, b.Name, b.Numcli, b.Saisie, strings.Join(b.Hosts, " "))
	}
	return tw.Flush()
}

func (m *Main) staffAdd(ctx context.Context, portal *ports.Portal, a adminArgs) error {
	role := domain.StaffRole(a.role)
	password, generated := "", false
	if a.passwordStdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = rand.Text(), true
	}
	st, created, err := portal.Operator().AddStaff(ctx, ports.StaffInput{BillerID: a.biller, Email: a.email, Name: a.name, Role: role, Password: password})
	if err != nil {
		return operatorError(err)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(m.Stdout, "staff member %s %s for biller %s, role %s\n", st.Email, verb, st.BillerID, st.Role)
	if generated {
		fmt.Fprintf(m.Stdout, "password (shown once; they may change it in the back office): %s\n", password)
	}
	return nil
}

func (m *Main) staffList(ctx context.Context, portal *ports.Portal, a adminArgs) error {
	list, err := portal.Operator().StaffOf(ctx, a.biller)
	if err != nil {
		return operatorError(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATE\tLAST LOGIN")
	for _, st := range list {
		state := "active"
		switch {
		case st.Disabled:
			state = "disabled"
		case !st.HasPassword():
			state = "no-password" // invited or reset from the back office
		}
		last := "-"
		if !st.LastLoginAt.IsZero() {
			last = st.LastLoginAt.In(domain.Paris).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Email, st.Name, st.Role, state, last)
	}
	return tw.Flush()
}
