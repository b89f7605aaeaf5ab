package vault

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestMatchActions(t *testing.T) {
	known := AuditActions()
	tests := []struct {
		filter string
		want   []string
	}{
		{"consent", []string{"consent-record", "consent-withdraw"}},
		{"consent-record", []string{"consent-record"}},
		{"export", []string{"export"}}, // an exact name is not also a family
		{"participant", []string{"participant-add", "participant-edit", "participant-remove"}},
		{"flag", []string{"flag"}}, // flag is an action itself; flag-clear needs its full name
		{"cons", nil},              // a family ends at a hyphen
		{"bogus", nil},
		{"", nil},
		{"-", nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			if got := MatchActions(tt.filter, known); !slices.Equal(got, tt.want) {
				t.Errorf("MatchActions(%q) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

// TestAuditActionsListed finds every action the package writes (Entry
// literals, exitEntry and refusalEntry calls, action variables) and
// requires it in AuditActions, so that 'audit log --action' accepts it.
func TestAuditActionsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var lit *ast.BasicLit
			switch x := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Action" {
					lit, _ = x.Value.(*ast.BasicLit)
				}
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "exitEntry" || id.Name == "refusalEntry") && len(x.Args) > 0 {
					lit, _ = x.Args[0].(*ast.BasicLit)
				}
			case *ast.AssignStmt:
				if id, ok := x.Lhs[0].(*ast.Ident); ok && id.Name == "action" && len(x.Rhs) == 1 {
					lit, _ = x.Rhs[0].(*ast.BasicLit)
				}
			}
			if lit != nil && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				found[v] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	if len(found) < 10 {
		t.Fatalf("found only %d actions written: %v", len(found), found)
	}
	for a, where := range found {
		if !slices.Contains(AuditActions(), a) {
			t.Errorf("%s writes action %q, which AuditActions does not list", where, a)
		}
	}
}

func TestConfigActor(t *testing.T) {
	cfg := &Config{Recipients: map[string][]string{
		ClassCatalog: {"age1researcher0000000000000000", "age1officer00000000000000000000"},
		ClassRaw:     {"age1researcher0000000000000000", "age1supervisor000000000000000"},
	}}
	tests := []struct {
		recipient, role, shown string
	}{
		{"age1researcher0000000000000000", ActorResearcher, "researcher age1resear…0000"},
		{"age1officer00000000000000000000", ActorEthics, "ethics officer age1office…0000"},
		{"age1supervisor000000000000000", ActorSupervisor, "supervisor age1superv…0000"},
		{"ssh-identity", ActorUnknown, "identity not in the config ssh-identity"},
		{"", "", "-"},
	}
	for _, tt := range tests {
		a := cfg.Actor(tt.recipient)
		if a.Role != tt.role || a.String() != tt.shown {
			t.Errorf("Actor(%q) = %q %q, want %q %q", tt.recipient, a.Role, a.String(), tt.role, tt.shown)
		}
	}
	if got := (Actor{Recipient: "age1x", Role: ActorSupervisor, Label: "Dr Quill"}).String(); got != "Dr Quill (supervisor)" {
		t.Errorf("labelled actor shown as %q", got)
	}
}

func TestQuotesOf(t *testing.T) {
	detail := "5:D1:3-4:P01,P02 7:D1:4-4:P02 9:D2:1-2: x:D3:1-1:P02 bad"
	got := quotesOf(detail, "P02")
	want := []RenderedQuote{{5, "D1", "3-4"}, {7, "D1", "4-4"}}
	if !slices.Equal(got, want) {
		t.Errorf("quotesOf(P02) = %v, want %v", got, want)
	}
	if got := quotesOf(detail, "P0"); got != nil {
		t.Errorf("a handle's prefix matched: %v", got)
	}
}

func FuzzQuotesOf(f *testing.F) {
	for _, s := range []string{"5:D1:3-4:P01,P02", "", ":::", "1:D1:1-1:P01 2:D2:2-2:P01,P02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, detail string) {
		// Never panics; every quote read is one that the detail holds,
		// naming P01 among its participants.
		for _, q := range quotesOf(detail, "P01") {
			item := q.Doc + ":" + q.Lines + ":"
			if !strings.Contains(detail, item) || !strings.Contains(detail, "P01") {
				t.Errorf("quote %+v is not in %q", q, detail)
			}
		}
	})
}
