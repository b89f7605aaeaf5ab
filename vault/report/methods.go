package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
)

var kindNames = map[redact.Kind]string{
	redact.KindPerson:  "people (participants and others named)",
	redact.KindPlace:   "places",
	redact.KindOrg:     "organisations",
	redact.KindMeeting: "meetings",
	redact.KindOther:   "other",
}

// WriteMethods writes the pseudonymisation summary for a thesis's methods
// appendix as Markdown: prose and tables of counts. It names no person and
// quotes no text; pseudonyms themselves are not listed either.
func (r *Report) WriteMethods(w io.Writer) error {
	var b bytes.Buffer
	m := r.Methods
	fmt.Fprintf(&b, "# Pseudonymisation and disclosure control\n\n")
	fmt.Fprintf(&b, "## How pseudonyms were derived\n\n")
	fmt.Fprintf(&b, "Study material was held in an encrypted study vault (fieldvault, on-disk format %d) and left it only through one gate that pseudonymised the text, applied the participants' consent and the \"do not quote\" and confidentiality flags, scanned what remained for identifiers and recorded every exit in a hash-chained audit log.\n\n", r.Study.Format)
	fmt.Fprintf(&b, "Every participant and every other person, place, organisation and meeting named in the material was registered with the forms of their name in use (%s in all). ", plural(m.registered(), "name", "names"))
	fmt.Fprintf(&b, "Each was given a pseudonym derived with a keyed hash, HMAC-SHA256 over the kind of entity and the normalised name, which selects a readable replacement from name lists shipped with the software; collisions step to the next candidate. Once given, a pseudonym is fixed in a registry and never changes, so every chapter, quotation and export uses the same one. ")
	if c := m.chosen(); c > 0 {
		fmt.Fprintf(&b, "%s chosen by participants or by the researcher instead of derived. ", plural(c, "pseudonym was", "pseudonyms were"))
	}
	fmt.Fprintf(&b, "Names were replaced as whole words in one pass over the text, case-insensitively and with the replacement keeping the case style of what it replaced.\n\n")
	fmt.Fprintf(&b, "%s.", keyProse(r.Study.Key))
	fmt.Fprintf(&b, " Without the key a pseudonym cannot be traced back to a name by trying candidate names.\n\n")

	fmt.Fprintf(&b, "## What was replaced\n\n")
	fmt.Fprintf(&b, "| Kind | Registered | Further name forms | Pseudonyms fixed | Chosen, not derived |\n|---|--:|--:|--:|--:|\n")
	var reg, ali, ps, ch int
	for _, k := range m.Replaced {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", cell(kindNames[k.Kind]), k.Registered, k.Aliases, k.Pseudonyms, k.Chosen)
		reg, ali, ps, ch = reg+k.Registered, ali+k.Aliases, ps+k.Pseudonyms, ch+k.Chosen
	}
	fmt.Fprintf(&b, "| **Total** | **%d** | **%d** | **%d** | **%d** |\n\n", reg, ali, ps, ch)

	fmt.Fprintf(&b, "## What was withheld\n\n")
	if m.Exits == 0 {
		fmt.Fprintf(&b, "No material has left the vault yet.")
	} else {
		fmt.Fprintf(&b, "%s left the vault (%s)", plural(m.Exits, "exit", "exits"), actionList(m.ExitsByAction))
		fmt.Fprintf(&b, "; %s withheld from them in all, each replaced by a neutral marker (or, for do-not-quote lines, a marker saying they are not for quotation).", plural(m.WithheldLines, "line was", "lines were"))
	}
	if m.Refusals > 0 {
		fmt.Fprintf(&b, " The gate refused %s outright.", plural(m.Refusals, "further exit", "further exits"))
	}
	fmt.Fprintf(&b, " Counts are taken from the audit log.\n\n")
	if len(m.Withheld) > 0 {
		fmt.Fprintf(&b, "| Rule | What it protects | Delivered exits it withheld lines from | Lines withheld | Exits it refused |\n|---|---|--:|--:|--:|\n")
		for _, rc := range m.Withheld {
			lines := "not recorded separately"
			if rc.Lines >= 0 {
				lines = fmt.Sprint(rc.Lines)
			}
			if rc.Exits == 0 {
				lines = "–"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %d | %s | %d |\n", cell(string(rc.Rule)), cell(rc.Description), rc.Exits, lines, rc.Refused)
		}
		fmt.Fprintf(&b, "\nWhere one exit withheld lines under several rules, the audit log records the lines only in total, so they are not attributed to a rule.\n\n")
	}

	fmt.Fprintf(&b, "## Residual identifiers\n\n")
	fmt.Fprintf(&b, "Everything that left was scanned for identifiers the pseudonyms did not cover (e-mail addresses, web addresses, telephone numbers, postcodes, National Insurance numbers, full dates and names nobody registered). High-confidence findings blocked the exit unless the researcher explicitly accepted them, which the audit log records. ")
	switch {
	case m.Exits == 0:
		fmt.Fprintf(&b, "Nothing has left the vault, so no finding was accepted.\n")
	case m.ResidualAccepted == 0:
		fmt.Fprintf(&b, "No finding was accepted: every exit passed the scan or was refused.\n")
	default:
		fmt.Fprintf(&b, "%s accepted in %s.\n", plural(m.ResidualAccepted, "finding was", "findings were"), plural(m.ResidualExits, "exit", "exits"))
	}
	_, err := w.Write(b.Bytes())
	return err
}

func keyProse(k KeyProvider) string {
	if k.Type == vault.ProviderTransit {
		return fmt.Sprintf("The HMAC key was held in HashiCorp Vault's Transit engine (key %s on mount %s) and never left it; the software sent names to Vault in batches and the study pinned key version %d, so rotating the key would not change a pseudonym already given",
			cell(k.Key), cell(mountOr(k.Mount)), k.KeyVersion)
	}
	return "The HMAC key was a random 256-bit key generated when the vault was set up, stored inside the vault encrypted (age) to the researcher's and supervisors' keys only, and never written anywhere in clear"
}

func (m Methods) registered() int {
	n := 0
	for _, k := range m.Replaced {
		n += k.Registered + k.Aliases
	}
	return n
}

func (m Methods) chosen() int {
	n := 0
	for _, k := range m.Replaced {
		n += k.Chosen
	}
	return n
}

func actionList(as []ActionCount) string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s %d", a.Action, a.Count))
	}
	return strings.Join(out, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// cell makes a value safe in a Markdown table cell and in prose: no pipe,
// no line break, no markup.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]").Replace(s)
}
