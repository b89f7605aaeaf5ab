package qdpx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// memStore is a SpoolStore in memory.
type memStore struct {
	buf    bytes.Buffer
	closed bool
	mangle func([]byte) []byte // what Reader gives back, if set
}

func (m *memStore) Write(p []byte) (int, error) {
	if m.closed {
		return 0, errors.New("write after close")
	}
	return m.buf.Write(p)
}

func (m *memStore) Close() error { m.closed = true; return nil }

func (m *memStore) Reader() (io.ReadCloser, error) {
	b := m.buf.Bytes()
	if m.mangle != nil {
		b = m.mangle(append([]byte(nil), b...))
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

var spoolSpace = uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8")

// spooledPair gives p's project twice, ready for Writer.Close: with each
// source's selections held, their GUIDs those a spool gives (keys 3, 13,
// 23 ...), and with them spooled.
func spooledPair(tb testing.TB, p textProject) (held, spooled Project) {
	tb.Helper()
	held, spooled = p.streamed(), p.streamed()
	held.Sources = append([]Source(nil), held.Sources...)
	for i := range spooled.Sources {
		s := &spooled.Sources[i]
		sp := NewSelectionSpool(spoolSpace, fmt.Sprintf("sel:%d:", i), &memStore{})
		var hs []Selection
		for j, sel := range s.Selections {
			key := int64(10*j + 3)
			sel.GUID, sel.CodingGUID = "", ""
			if j == 0 {
				sel.Description = "a description & <more>"
			}
			if err := sp.Add(key, sel); err != nil {
				tb.Fatal(err)
			}
			sel.GUID = sp.GUID(key)
			hs = append(hs, sel)
		}
		held.Sources[i].Selections = hs
		s.Selections, s.Spool = nil, sp
	}
	return held, spooled
}

// TestSpoolSameBytes: a project whose selections are spooled is the same
// archive, byte for byte, as with the same selections held.
func TestSpoolSameBytes(t *testing.T) {
	for _, p := range []textProject{sampleProject(t), edgeProject(t)} {
		held, spooled := spooledPair(t, p)
		var want, got bytes.Buffer
		text := func(i int) string { return p.Texts[i] }
		if err := p.writeIn(&want, held, text, 1<<30); err != nil {
			t.Fatalf("held: %v", err)
		}
		if err := p.writeIn(&got, spooled, text, 1<<30); err != nil {
			t.Fatalf("spooled: %v", err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: spooled selections give another archive than held ones", p.Name)
		}
		if !bytes.Contains(unzipQDE(t, got.Bytes()), []byte("PlainTextSelection")) {
			t.Errorf("%s: no selection written", p.Name)
		}
	}
}

func unzipQDE(tb testing.TB, data []byte) []byte {
	_, files := unzip(tb, data)
	return files[ProjectEntry]
}

// TestSpoolRefuses: what would break the uniqueness of spooled GUIDs by
// construction, or a spooled selection that does not fit its project,
// fails Close with ErrInvalidProject naming the place, never the content.
func TestSpoolRefuses(t *testing.T) {
	p := sampleProject(t)
	tests := []struct {
		name   string
		change func(sp *Project)
		want   string
	}{
		{"prefix ends in a digit", func(sp *Project) {
			sp.Sources[0].Spool = NewSelectionSpool(spoolSpace, "sel:1", &memStore{})
		}, "source 1: selection spool's prefix"},
		{"empty prefix", func(sp *Project) {
			sp.Sources[0].Spool = NewSelectionSpool(spoolSpace, "", &memStore{})
		}, "source 1: selection spool's prefix"},
		{"prefix shared", func(sp *Project) {
			sp.Sources[1].Spool = NewSelectionSpool(spoolSpace, "sel:0:", &memStore{})
		}, "source 2: selection spool's namespace and prefix already used by source 1"},
		{"held and spooled", func(sp *Project) {
			sp.Sources[0].Selections = []Selection{{GUID: gid("x"), End: 1}}
		}, "source 1: selections both held and spooled"},
		{"GUID of a held part", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{End: 1}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
			sp.Sets = append(sp.Sets, Set{GUID: s.GUID(7), Name: "clash"})
		}, "source 1 selection 1: GUID already used by set"},
		{"coding GUID of a held part", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{End: 1, CodeGUID: gid("code:dnq")}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
			sel := Selection{GUID: s.GUID(7)}
			sp.Sets = append(sp.Sets, Set{GUID: codingGUID(&sel), Name: "clash"})
		}, "source 1 selection 1: GUID already used by set"},
		{"outside the text", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{Start: 2, End: sp.Sources[0].Length + 1, Name: "Hazel"}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
		}, "source 1 selection 1: positions"},
		{"inverted", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{Start: 5, End: 4}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
		}, "source 1 selection 1: positions"},
		{"unknown code", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{End: 1, CodeGUID: gid("nope")}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
		}, "source 1 selection 1: code GUID is not in the code book"},
		{"not XML text", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			if err := s.Add(7, Selection{End: 1, Name: "Hazel\x00"}); err != nil {
				t.Fatal(err)
			}
			sp.Sources[0].Spool = s
		}, "source 1 selection 1 name: character U+0000"},
		{"store truncated", func(sp *Project) {
			st := sp.Sources[0].Spool.store.(*memStore)
			st.mangle = func(b []byte) []byte { return b[:len(b)-3] }
		}, "the spool is damaged"},
		{"store longer", func(sp *Project) {
			st := sp.Sources[0].Spool.store.(*memStore)
			st.mangle = func(b []byte) []byte { return append(b, 0) }
		}, "the spool is damaged"},
		{"keys out of order in the store", func(sp *Project) {
			s := NewSelectionSpool(spoolSpace, "sel:x:", &memStore{})
			for _, k := range []int64{7, 8} {
				if err := s.Add(k, Selection{End: 1}); err != nil {
					t.Fatal(err)
				}
			}
			st := s.store.(*memStore)
			// Both records say key 7: two selections, one GUID.
			st.mangle = func(b []byte) []byte { return bytes.Replace(b, []byte{8, 0, 1}, []byte{7, 0, 1}, 1) }
			sp.Sources[0].Spool = s
		}, "the spool is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sp := spooledPair(t, p)
			tt.change(&sp)
			err := p.writeIn(io.Discard, sp, func(i int) string { return p.Texts[i] }, 1<<30)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if !strings.Contains(tt.want, "damaged") && !errors.Is(err, ErrInvalidProject) {
				t.Errorf("error %v does not wrap ErrInvalidProject", err)
			}
			if strings.Contains(err.Error(), "Hazel") {
				t.Errorf("error %q repeats a selection's text", err)
			}
		})
	}
}

// TestSpoolAddRefuses: keys that do not increase, and GUIDs the caller
// chose, are refused as they are added.
func TestSpoolAddRefuses(t *testing.T) {
	s := NewSelectionSpool(spoolSpace, "sel:", &memStore{})
	if err := s.Add(5, Selection{End: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key int64
		sel Selection
	}{
		{5, Selection{End: 1}},
		{4, Selection{End: 1}},
		{-1, Selection{End: 1}},
		{9, Selection{GUID: gid("mine"), End: 1}},
		{9, Selection{CodingGUID: gid("mine"), End: 1}},
		{9, Selection{Start: -1, End: 1}},
	} {
		if err := s.Add(tc.key, tc.sel); err == nil {
			t.Errorf("Add(%d, %+v) = nil, want an error", tc.key, tc.sel)
		}
	}
	if s.Len() != 1 {
		t.Errorf("Len = %d after refusals, want 1", s.Len())
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(10, Selection{End: 1}); err == nil {
		t.Error("Add after End = nil, want an error")
	}
}

// TestSpoolGUIDsUnique: spooled GUIDs follow the rule the package states
// (the name-based UUID of prefix and key), so that the gate's
// "sel:<handle>:<byte>" GUIDs come out as before.
func TestSpoolGUIDsUnique(t *testing.T) {
	s := NewSelectionSpool(spoolSpace, "sel:D12:", &memStore{})
	if got, want := s.GUID(4711), uuid.NewSHA1(spoolSpace, []byte("sel:D12:4711")).String(); got != want {
		t.Errorf("GUID(4711) = %s, want %s", got, want)
	}
	seen := map[string]bool{}
	for _, prefix := range []string{"sel:D1:", "sel:D1:1:", "sel:D11:"} {
		s := NewSelectionSpool(spoolSpace, prefix, &memStore{})
		for k := int64(0); k < 200; k++ {
			g := s.GUID(k)
			if seen[g] {
				t.Fatalf("%s%d: GUID repeated", prefix, k)
			}
			seen[g] = true
		}
	}
}

// TestValidateTrustedSelections: Close's validator does not hold
// selection GUIDs (they are unique by construction), while ValidateQDE
// still finds two selections sharing one.
func TestValidateTrustedSelections(t *testing.T) {
	doc := goldenQDE(t)
	i := strings.Index(doc, `<PlainTextSelection guid="`)
	if i < 0 {
		t.Fatal("golden has no selection")
	}
	g := doc[i+len(`<PlainTextSelection guid="`):][:36]
	j := strings.LastIndex(doc, `<PlainTextSelection guid="`)
	if j == i {
		t.Fatal("golden has one selection")
	}
	k := j + len(`<PlainTextSelection guid="`)
	dup := doc[:k] + g + doc[k+36:]
	if err := ValidateQDE(strings.NewReader(dup)); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("ValidateQDE = %v, want a duplicate GUID", err)
	}
	if err := validateQDE(strings.NewReader(dup), true); err != nil {
		t.Errorf("validateQDE(trusted) = %v, want nil", err)
	}
	if err := validateQDE(strings.NewReader(goldenQDE(t)), true); err != nil {
		t.Errorf("validateQDE(trusted, golden) = %v, want nil", err)
	}
}

// TestCloseBeyondMaxQDESize: with its selections spooled, Close writes
// and validates a project.qde larger than MaxQDESize, the bound of
// ValidateQDE, which holds every GUID: Close's validation holds none per
// selection, so it needs no bound.
func TestCloseBeyondMaxQDESize(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 70 MB project.qde")
	}
	const n = 300_000
	text := strings.Repeat("x\n", n)
	sp := NewSelectionSpool(spoolSpace, "sel:big:", &memStore{})
	for k := range n {
		if err := sp.Add(int64(2*k), Selection{Name: "[withheld: 1 line]", Start: 2 * k, End: 2*k + 1, CodeGUID: gid("code:dnq")}); err != nil {
			t.Fatal(err)
		}
	}
	p := textProject{Texts: []string{text}, Project: Project{
		Name:    "big",
		Users:   []User{{GUID: gid("user"), Name: "researcher"}},
		Codes:   []Code{{GUID: gid("code:dnq"), Name: "withheld"}},
		Sources: []Source{{GUID: gid("doc"), Name: "big", Spool: sp}},
	}}
	var buf bytes.Buffer
	if err := p.write(&buf); err != nil {
		t.Fatalf("Close: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == ProjectEntry && f.UncompressedSize64 <= MaxQDESize {
			t.Errorf("project.qde is %d bytes, want over %d", f.UncompressedSize64, MaxQDESize)
		}
	}
}
