package qdpx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// goldenQDE is the project.qde of the sample project, the base that the
// broken documents below are made from.
func goldenQDE(tb testing.TB) string {
	tb.Helper()
	_, files := unzip(tb, writeBytes(tb, sampleProject(tb)))
	return string(files[ProjectEntry])
}

// mutate replaces the first occurrence of old in doc, failing the test if
// the fixture no longer contains it (a mutation that changes nothing would
// make its test pass vacuously).
func mutate(tb testing.TB, doc, old, new string) string {
	tb.Helper()
	if !strings.Contains(doc, old) {
		tb.Fatalf("fixture lacks %q", old)
	}
	return strings.Replace(doc, old, new, 1)
}

const (
	userGUID = "c4a6c905-e73a-5b54-9717-8fa195622d72"
	dnqGUID  = "e89268ef-ac54-526a-a612-fd7d795d97bd"
	d12GUID  = "4a7f9de4-9e62-505e-ae98-9a3688d693f4"
)

func TestValidateQDEAcceptsGolden(t *testing.T) {
	if err := ValidateQDE(strings.NewReader(goldenQDE(t))); err != nil {
		t.Fatalf("ValidateQDE(golden) = %v, want nil", err)
	}
}

func TestValidateQDEAccepts(t *testing.T) {
	base := goldenQDE(t)
	tests := []struct{ name, old, new string }{
		{"braced upper-case guid", `<User guid="` + userGUID + `"`, `<User guid="{` + strings.ToUpper(userGUID) + `}"`},
		{"schema location", `<Project xmlns=`, `<Project xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:project:1.0 Project.xsd" xmlns=`},
		{"notes and links unchecked", `<Sets>`, `<Notes><Note guid="11111111-2222-4333-8444-555555555555" name="memo"><PlainTextContent>memo</PlainTextContent></Note></Notes><Links/><Sets>`},
		{"picture source unchecked", `</Sources>`, `<PictureSource guid="11111111-2222-4333-8444-555555555555" path="internal://x.png"/></Sources>`},
		{"inline text instead of path", `plainTextPath="internal://85ce72e9-0028-592b-9449-e77b9d13b3e0.txt" creatingUser="` + userGUID + `" creationDateTime="2026-03-14T09:30:00Z"/>`,
			`creatingUser="` + userGUID + `"><PlainTextContent>inline</PlainTextContent></TextSource>`},
		{"nested code", `color="#999"/>`, `color="#999"><Code guid="11111111-2222-4333-8444-555555555555" name="sub" isCodable="false"/></Code>`},
		{"no users element", "<Users>\n    <User guid=\"" + userGUID + "\" name=\"researcher\"/>\n  </Users>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mutate(t, base, tt.old, tt.new)
			if err := ValidateQDE(strings.NewReader(doc)); err != nil {
				t.Errorf("ValidateQDE = %v, want nil", err)
			}
		})
	}
}

func TestValidateQDERejects(t *testing.T) {
	base := goldenQDE(t)
	tests := []struct {
		name, old, new string
		wantMsg        string // a fragment of the error
	}{
		{"wrong namespace", `xmlns="urn:QDA-XML:project:1.0"`, `xmlns="urn:QDA-XML:codebook:1.0"`, "not in namespace"},
		{"no namespace", `xmlns="urn:QDA-XML:project:1.0" `, ``, "not in namespace"},
		{"root not Project", `<Project `, `<Projekt `, "malformed XML"},
		{"project name missing", `name="Community food study" `, ``, "required attribute name missing"},
		{"guid malformed", `<User guid="` + userGUID, `<User guid="P07-researcher`, "is not a GUID"},
		{"guid without dashes", `<User guid="` + userGUID, `<User guid="c4a6c905e73a5b5497178fa195622d72`, "is not a GUID"},
		{"duplicate guid", `<Code guid="246bb456-5959-5749-a376-7d64bdded84c"`, `<Code guid="` + dnqGUID + `"`, "already used"},
		{"unknown element", `<Sets>`, `<Memos/><Sets>`, "not allowed here"},
		{"elements out of order", `<Description>Pseudonymised export; withheld passages are marked.</Description>`, ``, ""},
		{"empty code book", `<Codes>`, `<Codes></Codes><Codes>`, "required element Code missing"},
		{"code without isCodable", `isCodable="true" color="#999"`, `color="#999"`, "isCodable missing"},
		{"bad colour", `color="#999"`, `color="grey"`, "RGB colour"},
		{"bad variable type", `typeOfVariable="Text"/>`, `typeOfVariable="String"/>`, "variable type"},
		{"value of wrong type", `<TextValue>chair</TextValue>`, `<IntegerValue>7</IntegerValue>`, "needs TextValue"},
		{"boolean not boolean", `<TextValue>chair</TextValue>`, `<BooleanValue>maybe</BooleanValue>`, "not a boolean"},
		{"dangling code ref", `<CodeRef targetGUID="` + dnqGUID, `<CodeRef targetGUID="11111111-2222-4333-8444-555555555555`, "names no code"},
		{"dangling source ref", `<SourceRef targetGUID="` + d12GUID, `<SourceRef targetGUID="11111111-2222-4333-8444-555555555555`, "names no source"},
		{"dangling variable ref", `<VariableRef targetGUID="2f539b22-8afb-5740-8b2c-73a5c487acda"/>
        <TextValue>chair`, `<VariableRef targetGUID="11111111-2222-4333-8444-555555555555"/>
        <TextValue>chair`, "names no variable"},
		{"unknown creating user", `creatingUserGUID="` + userGUID, `creatingUserGUID="11111111-2222-4333-8444-555555555555`, "names no user"},
		{"inverted selection", `startPosition="124" endPosition="161"`, `startPosition="161" endPosition="124"`, "startPosition <= endPosition"},
		{"negative position", `startPosition="124"`, `startPosition="-1"`, "non-negative"},
		{"position not integer", `startPosition="124"`, `startPosition="12.5"`, "not an integer"},
		{"position missing", `startPosition="124" `, ``, "startPosition missing"},
		{"bad date time", `creationDateTime="2026-03-14T09:30:00Z">`, `creationDateTime="14/03/2026">`, "date and time"},
		{"unknown attribute", `<Set guid=`, `<Set hostname="laptop" guid=`, "attribute hostname is not allowed"},
		{"foreign attribute", `<Set guid=`, `<Set xmlns:x="urn:x" x:y="z" guid=`, "foreign namespace"},
		{"text in container", `<Users>`, `<Users>stray words`, "text not allowed"},
		{"element in text-only", `<Description>Transcript, version 2.</Description>`, `<Description>Transcript <b>2</b></Description>`, "not allowed inside Description"},
		{"text and path both", `<Description>Transcript, version 2.</Description>`, `<Description>Transcript, version 2.</Description><PlainTextContent>x</PlainTextContent>`, "exactly one of"},
		{"neither text nor path", `plainTextPath="internal://85ce72e9-0028-592b-9449-e77b9d13b3e0.txt" `, ``, "exactly one of"},
		{"coding without code ref", `<CodeRef targetGUID="` + dnqGUID + `"/>`, ``, "required element CodeRef missing"},
		{"doctype", `<Project `, `<!DOCTYPE Project [<!ENTITY x "y">]><Project `, "document type"},
		{"malformed", `</Project>`, `</Projec>`, "malformed XML"},
		{"two roots", `</Project>`, `</Project><Project name="x" xmlns="urn:QDA-XML:project:1.0"/>`, ""},
		{"truncated", "  </Sets>\n", "", "malformed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mutate(t, base, tt.old, tt.new)
			if tt.name == "elements out of order" {
				// Move the Description ahead of Users.
				doc = mutate(t, doc, "<Users>", "<Description>d</Description><Users>")
			}
			err := ValidateQDE(strings.NewReader(doc))
			if err == nil {
				t.Fatal("ValidateQDE = nil, want an error")
			}
			if !errors.Is(err, ErrInvalidQDE) {
				t.Errorf("error %v does not wrap ErrInvalidQDE", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("error %T is not a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
			// Errors name places, never content.
			for _, secret := range []string{"Hazel", "Brackenford", "laptop", "stray words", "P07-researcher", "maybe", "14/03/2026"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats document content %q", err, secret)
				}
			}
		})
	}
}

func TestValidateQDEDepthLimit(t *testing.T) {
	doc := `<Project xmlns="urn:QDA-XML:project:1.0" name="x">` + strings.Repeat("<a>", maxDepth+5) + strings.Repeat("</a>", maxDepth+5) + `</Project>`
	err := ValidateQDE(strings.NewReader(doc))
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("ValidateQDE = %v, want a nesting error", err)
	}
}

func TestWriteRejects(t *testing.T) {
	const secret = "Margery Quennell-Tarrant" // a canary standing for a real name
	tests := []struct {
		name   string
		modify func(p *Project)
		want   string
	}{
		{"no name", func(p *Project) { p.Name = " " }, "project name"},
		{"no users", func(p *Project) { p.Users = nil }, "at least one user"},
		{"bad user guid", func(p *Project) { p.Users[0].GUID = secret }, "user 1: GUID"},
		{"missing code guid", func(p *Project) { p.Codes[1].GUID = "" }, "code 2: missing GUID"},
		{"duplicate guid", func(p *Project) { p.Codes[1].GUID = p.Codes[0].GUID }, "already used by code 1"},
		{"duplicate guid across kinds", func(p *Project) { p.Cases[0].GUID = p.Sources[0].GUID }, "already used by source 1"},
		{"duplicate guid braces and case", func(p *Project) { p.Sets[0].GUID = "{" + strings.ToUpper(p.Codes[0].GUID) + "}" }, "already used by code 1"},
		{"bad colour", func(p *Project) { p.Codes[0].Color = "red" }, "colour"},
		{"empty code name", func(p *Project) { p.Codes[0].Name = "" }, "code 1: empty name"},
		{"bad variable type", func(p *Project) { p.Variables[0].Type = "String" }, "variable 1: type"},
		{"duplicate variable name", func(p *Project) { p.Variables[1].Name = p.Variables[0].Name }, "variable 2: name used"},
		{"undeclared attribute", func(p *Project) { p.Cases[0].Attributes[secret] = "x" }, "case 1: attribute names no declared variable"},
		{"value of wrong type", func(p *Project) {
			p.Variables[0].Type = TypeInteger
		}, "not an integer"},
		{"selection past end", func(p *Project) { p.Sources[1].Selections[0].End = 10000 }, "source 2 selection 1: positions"},
		{"selection inverted", func(p *Project) { s := &p.Sources[0].Selections[0]; s.Start, s.End = s.End, s.Start }, "source 1 selection 1: positions"},
		{"selection negative", func(p *Project) { p.Sources[0].Selections[0].Start = -1 }, "positions"},
		{"selection unknown code", func(p *Project) { p.Sources[0].Selections[0].CodeGUID = gid("nope") }, "not in the code book"},
		{"control character in name", func(p *Project) { p.Sources[0].Name = "D12\x00" + secret }, "U+0000"},
		{"case source unknown", func(p *Project) { p.Cases[0].SourceGUIDs = append(p.Cases[0].SourceGUIDs, gid("nope")) }, "case 1 source reference 3"},
		{"set source unknown", func(p *Project) { p.Sets[0].MemberSourceGUIDs = []string{gid("nope")} }, "set 1 member source 1"},
		{"set with cases", func(p *Project) { p.Sets[0].MemberCaseGUIDs = []string{p.Cases[0].GUID} }, "no case members in sets"},
		{"coding guid clash", func(p *Project) { p.Sources[0].Selections[0].CodingGUID = p.Codes[0].GUID }, "coding: GUID already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sampleProject(t)
			tt.modify(&p.Project)
			var buf bytes.Buffer
			err := p.write(&buf)
			if !errors.Is(err, ErrInvalidProject) {
				t.Fatalf("Writer.Close error = %v, want ErrInvalidProject", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "Hazel") {
				t.Errorf("error %q carries protected content", err)
			}
			// The texts go first; a project refused writes no project.qde
			// (the caller stages the archive and discards it).
			if bytes.Contains(buf.Bytes(), []byte(ProjectEntry)) {
				t.Errorf("project.qde written before failing")
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriterError(t *testing.T) {
	err := sampleProject(t).write(failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("writing = %v, want the writer's error wrapped", err)
	}
}

// zipOf builds an archive from name/content pairs, in order.
func zipOf(tb testing.TB, kv ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(kv); i += 2 {
		w, err := zw.Create(kv[i])
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(kv[i+1])); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadRejects(t *testing.T) {
	qde := goldenQDE(t)
	_, files := unzip(t, writeBytes(t, sampleProject(t)))
	d12 := "sources/" + d12GUID + ".txt"
	rest := func(skip string, replace ...string) []string {
		kv := []string{ProjectEntry, qde}
		for _, n := range []string{d12, "sources/857be963-8ec0-5539-8308-fd67763e7493.txt", "sources/85ce72e9-0028-592b-9449-e77b9d13b3e0.txt"} {
			if n == skip {
				continue
			}
			kv = append(kv, n, string(files[n]))
		}
		for i := 0; i < len(replace); i += 2 {
			for j := 0; j < len(kv); j += 2 {
				if kv[j] == replace[i] {
					kv[j+1] = replace[i+1]
				}
			}
		}
		return kv
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("PK not really"), "reading qdpx archive"},
		{"no project.qde", zipOf(t, "sources/x.txt", "x"), "no project.qde"},
		{"invalid project.qde", zipOf(t, rest("", ProjectEntry, mutate(t, qde, `isCodable="true" color="#999"`, `color="#999"`))...), "isCodable missing"},
		{"missing source entry", zipOf(t, rest(d12)...), "names no entry"},
		{"source shorter than selections", zipOf(t, rest("", d12, "short")...), "endPosition beyond"},
		{"source not utf-8", zipOf(t, rest("", d12, strings.Repeat("\xff", 300))...), "not valid UTF-8"},
		{"path escapes Sources", zipOf(t, rest("", ProjectEntry, mutate(t, qde, `internal://`+d12GUID+`.txt`, `internal://../`+d12GUID+`.txt`))...), "not an internal:// path"},
		{"external path", zipOf(t, rest("", ProjectEntry, mutate(t, qde, `internal://`+d12GUID+`.txt`, `file:///home/someone/`+d12GUID+`.txt`))...), "not an internal:// path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data), int64(len(tt.data)))
			if err == nil {
				t.Fatal("Read = nil error, want one")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestReadByteOrderMark(t *testing.T) {
	qde := goldenQDE(t)
	_, files := unzip(t, writeBytes(t, sampleProject(t)))
	var kv []string
	for _, n := range []string{ProjectEntry, "sources/" + d12GUID + ".txt", "sources/857be963-8ec0-5539-8308-fd67763e7493.txt", "sources/85ce72e9-0028-592b-9449-e77b9d13b3e0.txt"} {
		c := string(files[n])
		if n == "sources/"+d12GUID+".txt" {
			c = "\ufeff" + c
		}
		if n == ProjectEntry {
			c = qde
		}
		kv = append(kv, n, c)
	}
	data := zipOf(t, kv...)
	p, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Texts[0] != textInterview {
		t.Errorf("text with a byte order mark read as %q", p.Texts[0])
	}
}

// TestCanary checks that an export holds what the caller gave and nothing
// about the machine or person that made it.
func TestCanary(t *testing.T) {
	const canary = "CANARY-7f3e: only this text, byte for byte. Ünïcödé 🌱\r\n"
	p := sampleProject(t)
	p.Texts[2] = canary
	data := writeBytes(t, p)
	names, files := unzip(t, data)
	if got := string(files["sources/"+p.Sources[2].GUID+".txt"]); got != canary {
		t.Errorf("source entry = %q, want exactly %q", got, canary)
	}
	if len(names) != 1+len(p.Sources) {
		t.Errorf("archive has %d entries, want %d", len(names), 1+len(p.Sources))
	}
	// Everything the caller gave, as XML would carry it; anything else in
	// project.qde would be leaked metadata.
	var leaks []string
	if h, err := os.Hostname(); err == nil && len(h) > 2 {
		leaks = append(leaks, h)
	}
	if u, err := user.Current(); err == nil {
		for _, s := range []string{u.Username, u.Name, u.HomeDir} {
			if len(s) > 2 {
				leaks = append(leaks, s)
			}
		}
	}
	if wd, err := os.Getwd(); err == nil {
		leaks = append(leaks, wd)
	}
	leaks = append(leaks, os.TempDir()+string(filepath.Separator), t.TempDir())
	for _, leak := range leaks {
		for name, content := range files {
			if bytes.Contains(content, []byte(leak)) {
				t.Errorf("entry %s contains machine or user detail %q", name, leak)
			}
		}
		if bytes.Contains(data, []byte(leak)) {
			t.Errorf("archive contains machine or user detail %q", leak)
		}
	}
	// The only dates in project.qde are the caller's CreatedAt.
	qde := string(files[ProjectEntry])
	if n, m := strings.Count(qde, "DateTime=\""), strings.Count(qde, `DateTime="2026-03-14T09:30:00Z"`); n != m {
		t.Errorf("project.qde has %d timestamps, only %d of them the caller's", n, m)
	}
	// With no CreatedAt, no timestamp at all.
	p.CreatedAt = time.Time{}
	_, files = unzip(t, writeBytes(t, p))
	if strings.Contains(string(files[ProjectEntry]), "DateTime") {
		t.Error("project.qde has a timestamp although CreatedAt is zero")
	}
}

// TestXMLSchema validates the golden project.qde with xmllint against the
// schema in testdata. It skips when xmllint is absent, unless
// FIELDVAULT_TEST_DISALLOW_SKIP is set (as CI does).
func TestXMLSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("FIELDVAULT_TEST_DISALLOW_SKIP") != "" {
			t.Fatal("xmllint not found (apt-get install libxml2-utils) and skipping is disallowed")
		}
		t.Skip("xmllint not found; apt-get install libxml2-utils to run the schema check")
	}
	schema := filepath.Join("testdata", "refi-qda-project-subset.xsd")
	dir := t.TempDir()
	run := func(name, doc string) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, path).CombinedOutput()
		if err != nil {
			return errors.New(string(out))
		}
		return nil
	}
	qde := goldenQDE(t)
	if err := run("golden.qde", qde); err != nil {
		t.Errorf("xmllint rejects the golden project.qde:\n%v", err)
	}
	_, files := unzip(t, writeBytes(t, edgeProject(t)))
	if err := run("edge.qde", string(files[ProjectEntry])); err != nil {
		t.Errorf("xmllint rejects the edge-case project.qde:\n%v", err)
	}
	// The check can fail: xmllint must reject what ValidateQDE rejects.
	for _, bad := range []struct{ old, new string }{
		{`isCodable="true" color="#999"`, `color="#999"`},
		{`<User guid="` + userGUID, `<User guid="P07`},
		{`typeOfVariable="Text"/>`, `typeOfVariable="String"/>`},
		{`startPosition="124"`, `startPosition="-1"`},
	} {
		if err := run("bad.qde", mutate(t, qde, bad.old, bad.new)); err == nil {
			t.Errorf("xmllint accepts a document with %q replaced by %q", bad.old, bad.new)
		}
	}
}

// TestReadLegacySourcesFolder checks that a project whose sources sit in
// "Sources/" (as earlier releases and some tools write it) still reads,
// while Writer writes the "sources/" folder REFI-QDA 1.5 names.
func TestReadLegacySourcesFolder(t *testing.T) {
	p := sampleProject(t)
	_, files := unzip(t, writeBytes(t, p))
	var kv []string
	for n, c := range files {
		if !strings.HasPrefix(n, "sources/") && n != ProjectEntry {
			t.Fatalf("the archive has %s outside sources/", n)
		}
		kv = append(kv, strings.Replace(n, "sources/", "Sources/", 1), string(c))
	}
	data := zipOf(t, kv...)
	got, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, p) {
		t.Errorf("legacy layout read as %+v, want %+v", *got, p)
	}
}
