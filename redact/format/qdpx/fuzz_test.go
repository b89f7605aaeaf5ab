package qdpx

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// qdeSeeds are the seed documents for the fuzz targets: the golden
// project.qde, documents it accepts with other producers' habits, and broken
// ones.
func qdeSeeds(tb testing.TB) []string {
	tb.Helper()
	base := goldenQDE(tb)
	seeds := []string{
		base,
		`<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>`,
		`<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="11111111-2222-4333-8444-555555555555"><PlainTextContent>héllo</PlainTextContent><PlainTextSelection guid="21111111-2222-4333-8444-555555555555" startPosition="0" endPosition="2"/></TextSource></Sources></Project>`,
		`<?xml version="1.0"?><!DOCTYPE p><Project/>`,
		``,
		`<`,
	}
	for _, m := range [][2]string{
		{`isCodable="true"`, ``},
		{`startPosition="124"`, `startPosition="999999999999999999999999"`},
		{`<Users>`, `<Users><Users>`},
		{`guid="`, `guid="{`},
	} {
		seeds = append(seeds, strings.Replace(base, m[0], m[1], 1))
	}
	return seeds
}

func TestFuzzSeedsNotEmpty(t *testing.T) {
	if len(qdeSeeds(t)) == 0 {
		t.Fatal("no fuzz seeds")
	}
}

func FuzzValidateQDE(f *testing.F) {
	for _, s := range qdeSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := ValidateQDE(bytes.NewReader(doc))
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalidQDE) {
			t.Fatalf("error %v does not wrap ErrInvalidQDE", err)
		}
		if !utf8.ValidString(err.Error()) {
			t.Fatalf("error message is not valid UTF-8")
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add(writeBytes(f, sampleProject(f)))
	f.Add(writeBytes(f, edgeProject(f)))
	for _, s := range qdeSeeds(f) {
		f.Add(zipOf(f, ProjectEntry, s))
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		// Whatever Read accepts has selections inside its texts.
		for i, s := range p.Sources {
			n := utf8.RuneCountInString(p.Texts[i])
			for j, sel := range s.Selections {
				if sel.Start < 0 || sel.End < sel.Start || sel.End > n {
					t.Fatalf("source %d selection %d: %d-%d outside 0-%d", i, j, sel.Start, sel.End, n)
				}
			}
		}
	})
}
