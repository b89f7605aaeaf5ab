package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
)

//go:embed style.css
var styleCSS string

//go:embed page.html.tmpl
var pageTmpl string

// CSP is the page's Content-Security-Policy: nothing may be fetched or run;
// the one inline style sheet is allowed by its hash.
var CSP = func() string {
	sum := sha256.Sum256([]byte(styleCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'"
}()

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"csp":             func() string { return CSP },
	"style":           func() template.CSS { return template.CSS(styleCSS) },
	"studyTitle":      studyTitle,
	"join":            func(list []string) string { return strings.Join(list, ", ") },
	"erasedOnRequest": func(s Summary) int { return s.ErasedDocuments - s.DestroyedDocuments },
	"classes":         classes,
	"plural":          plural,
	"roleBadge":       roleBadge,
	"statusBadge": func(s policy.Status) string {
		switch s {
		case policy.StatusActive:
			return "b-ok"
		case policy.StatusPartlyWithdrawn:
			return "b-warn"
		case policy.StatusWithdrawn, policy.StatusErased:
			return "b-bad"
		}
		return "b-grey"
	},
	"consent": func(ref string) string {
		h, seq, ok := strings.Cut(ref, "#")
		if !ok {
			return ref
		}
		return h + " consent #" + seq
	},
}).Parse(pageTmpl))

func studyTitle(s Study) string {
	if s.Name != "" {
		return s.Name
	}
	return "Study " + s.ID
}

func classes(cs []string) string {
	var out []string
	for _, c := range cs {
		switch c {
		case vault.ClassCatalog:
			out = append(out, "catalogue, audit log, signed forms")
		case vault.ClassRaw:
			out = append(out, "raw material, pseudonym key")
		default:
			out = append(out, c)
		}
	}
	return strings.Join(out, "; ")
}

func roleBadge(role string) string {
	switch role {
	case RoleResearcher:
		return "b-info"
	case RoleEthics:
		return "b-ok"
	case RoleSupervisor:
		return "b-warn"
	}
	return "b-grey"
}

// WriteHTML writes the report as one self-contained HTML page: inline style,
// no script, nothing fetched, a Content-Security-Policy that forbids both.
// Every value is escaped by html/template.
func (r *Report) WriteHTML(w io.Writer) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, r); err != nil {
		return fmt.Errorf("rendering the report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
