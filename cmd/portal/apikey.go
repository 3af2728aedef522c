package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The API key commands: the billing software of a biller calls the API
// (/api/v1/, documented in README.md) with a key the instance operator makes here.
// The store keeps only the key's hash: create prints the secret once.
//
//	portal apikey create --biller ID --name NAME
//	portal apikey revoke --biller ID --id KEY
//	portal apikey list --biller ID

// apikeyArgs are the arguments of `portal apikey SUB`.
type apikeyArgs struct {
	sub    string
	biller uuid.UUID
	id     uuid.UUID
	name   string
}

// apikeyFlagValues are the flags of apikey, as parsed.
type apikeyFlagValues struct {
	biller, id, name *string
}

// apikeySubcommands lists what apikey does.
var apikeySubcommands = []string{"create", "revoke", "list"}

// apikeyFlags declares the flags of apikey beside the settings'.
func apikeyFlags(fs *flag.FlagSet) apikeyFlagValues {
	return apikeyFlagValues{
		biller: fs.String("biller", "", "id of the biller (service de facturation) the key is for; required"),
		id:     fs.String("id", "", "revoke: the id of the key (portal apikey list shows them)"),
		name:   fs.String("name", "", `create: what uses the key, shown in lists and in the audit log ("logiciel de facturation")`),
	}
}

// parseAPIKeyArgs checks the arguments of `portal apikey SUB`.
func parseAPIKeyArgs(sub string, v apikeyFlagValues, positional []string) (apikeyArgs, error) {
	usage := func(format string, args ...any) (apikeyArgs, error) {
		return apikeyArgs{}, &usageError{"apikey " + sub + ": " + fmt.Sprintf(format, args...)}
	}
	known := false
	for _, s := range apikeySubcommands {
		known = known || s == sub
	}
	if !known {
		return usage("unknown; want one of %s", strings.Join(apikeySubcommands, ", "))
	}
	if len(positional) > 0 {
		return usage("takes no arguments, got %q", positional)
	}
	a := apikeyArgs{sub: sub, name: strings.TrimSpace(*v.name)}
	id, err := uuid.Parse(*v.biller)
	if err != nil || id == uuid.Nil {
		return usage("needs --biller ID, the id of the biller (portal biller list shows them)")
	}
	a.biller = id
	switch sub {
	case "create":
		if a.name == "" {
			return usage(`needs --name, what uses the key ("logiciel de facturation")`)
		}
	case "revoke":
		key, err := uuid.Parse(*v.id)
		if err != nil || key == uuid.Nil {
			return usage("needs --id KEY, the id of the key (portal apikey list shows them)")
		}
		a.id = key
	}
	return a, nil
}

// apikey runs an apikey command on the database.
func (m *Main) apikey(ctx context.Context) error {
	portal, err := m.commandPortal(ctx)
	if err != nil {
		return err
	}
	a := m.key
	switch a.sub {
	case "create":
		return m.apikeyCreate(ctx, portal, a)
	case "revoke":
		k, err := portal.Operator().RevokeAPIKey(ctx, a.biller, a.id)
		if err != nil {
			return operatorError(err)
		}
		fmt.Fprintf(m.Stdout, "API key %s (%s, %s…) of biller %s revoked on %s: requests with it now fail\n",
			k.ID, k.Name, k.Hint, k.BillerID, k.RevokedAt.In(domain.Paris).Format("2006-01-02 15:04"))
		return nil
	case "list":
		return m.apikeyList(ctx, portal, a)
	}
	return fmt.Errorf("apikey %s: not a command", a.sub)
}

func (m *Main) apikeyCreate(ctx context.Context, portal *ports.Portal, a apikeyArgs) error {
	k, secret, err := portal.Operator().CreateAPIKey(ctx, a.biller, a.name)
	if err != nil {
		return operatorError(err)
	}
	fmt.Fprintf(m.Stdout, "API key %s created for biller %s: %s\n", k.ID, k.BillerID, k.Name)
	fmt.Fprintf(m.Stdout, "secret (shown once; only its hash is kept):\n%s\n", secret)
	fmt.Fprintf(m.Stdout, "the billing software sends it as \"Authorization: Bearer %s…\" to the biller's portal address, /api/v1/\n", k.Hint)
	return nil
}

func (m *Main) apikeyList(ctx context.Context, portal *ports.Portal, a apikeyArgs) error {
	keys, err := portal.Operator().APIKeys(ctx, a.biller)
	if err != nil {
		return operatorError(err)
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(domain.Paris).Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTARTS WITH\tCREATED\tBY\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Hint, day(k.CreatedAt), k.CreatedBy, day(k.LastUsedAt), day(k.RevokedAt))
	}
	return tw.Flush()
}
