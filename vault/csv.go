package vault

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fieldvault/fieldvault/redact"
)

// errCSV is the error of a CSV file that cannot be imported. Its messages
// name lines and columns, never a cell's content.
var errCSV = errors.New("invalid csv")

// participantColumns and entityColumns are the columns the import files may
// have, in any order; the first row names them.
var (
	participantColumns = []string{"handle", "name", "aliases", "org", "role", "pseudonym", "name_order"}
	participantNeeded  = []string{"handle", "name"}
	entityColumns      = []string{"kind", "name", "aliases", "pseudonym", "name_order"}
	entityNeeded       = []string{"kind", "name"}
)

// csvRows reads a CSV file whose first row names its columns and returns,
// for each later row, its 1-based line number and its cells by column name.
func csvRows(r io.Reader, known, needed []string) ([]int, []map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("%w: the file is empty; the first row must name the columns (%s)", errCSV, strings.Join(known, ","))
	}
	if err != nil {
		return nil, nil, csvErr(err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		ok := false
		for _, k := range known {
			if h == k {
				ok = true
			}
		}
		if !ok {
			return nil, nil, fmt.Errorf("%w: line 1, column %d: unknown column name (the columns are %s)", errCSV, i+1, strings.Join(known, ","))
		}
		if seen[h] {
			return nil, nil, fmt.Errorf("%w: line 1, column %d: column %s named twice", errCSV, i+1, h)
		}
		seen[h] = true
		cols[i] = h
	}
	for _, n := range needed {
		if !seen[n] {
			return nil, nil, fmt.Errorf("%w: line 1: no %s column (the columns are %s)", errCSV, n, strings.Join(known, ","))
		}
	}
	var (
		lines []int
		rows  []map[string]string
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row := map[string]string{}
		for i, cell := range rec {
			row[cols[i]] = strings.TrimSpace(cell)
		}
		lines = append(lines, line)
		rows = append(rows, row)
	}
	return lines, rows, nil
}

// csvErr turns a csv.ParseError into a message that names the position only.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: line %d, column %d: %w", errCSV, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%w: %w", errCSV, err)
}

// nameOrder reads a name_order cell: "family-first" for a name written
// family name first ("Wang Xiuying"), "given-first" or empty otherwise.
func nameOrder(line int, cell string) (bool, error) {
	switch strings.ToLower(strings.ReplaceAll(cell, "_", "-")) {
	case "", "given-first":
		return false, nil
	case "family-first":
		return true, nil
	}
	return false, fmt.Errorf("%w: line %d: name_order must be family-first, given-first or empty", errCSV, line)
}

func splitAliases(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ParseParticipantsCSV reads participants from CSV. The first row names the
// columns, among handle,name,aliases,org,role,pseudonym,name_order (handle
// and name required); aliases are separated by ";"; name_order is
// "family-first" for a name written family name first. Any bad row fails the whole file,
// with an error that names its line.
func ParseParticipantsCSV(r io.Reader) ([]ParticipantRequest, error) {
	lines, rows, err := csvRows(r, participantColumns, participantNeeded)
	if err != nil {
		return nil, err
	}
	first := map[string]int{}
	out := make([]ParticipantRequest, 0, len(rows))
	for i, row := range rows {
		line := lines[i]
		h := row["handle"]
		switch {
		case h == "":
			return nil, fmt.Errorf("%w: line %d: empty handle", errCSV, line)
		case !ValidHandle(h):
			return nil, fmt.Errorf("%w: line %d: handle is not one to four letters then digits (such as P07)", errCSV, line)
		case row["name"] == "":
			return nil, fmt.Errorf("%w: line %d: participant %s has no name", errCSV, line, h)
		}
		if prev, dup := first[h]; dup {
			return nil, fmt.Errorf("%w: line %d: handle %s already used on line %d", errCSV, line, h, prev)
		}
		first[h] = line
		ff, err := nameOrder(line, row["name_order"])
		if err != nil {
			return nil, err
		}
		out = append(out, ParticipantRequest{
			Handle:      h,
			Name:        row["name"],
			Aliases:     splitAliases(row["aliases"]),
			Org:         row["org"],
			Role:        row["role"],
			Pseudonym:   row["pseudonym"],
			FamilyFirst: ff,
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no participants after the header row", errCSV)
	}
	return out, nil
}

// ParseEntitiesCSV reads entities from CSV. The first row names the columns,
// among kind,name,aliases,pseudonym,name_order (kind and name required); kind
// is one of person, place, org, meeting, other; aliases are separated by ";";
// name_order "family-first" marks a person's name written family name first.
func ParseEntitiesCSV(r io.Reader) ([]EntityRequest, error) {
	lines, rows, err := csvRows(r, entityColumns, entityNeeded)
	if err != nil {
		return nil, err
	}
	out := make([]EntityRequest, 0, len(rows))
	for i, row := range rows {
		line := lines[i]
		k := redact.Kind(strings.ToLower(row["kind"]))
		if !k.Valid() {
			return nil, fmt.Errorf("%w: line %d: kind must be one of %s", errCSV, line, EntityKindList())
		}
		if row["name"] == "" {
			return nil, fmt.Errorf("%w: line %d: empty name", errCSV, line)
		}
		ff, err := nameOrder(line, row["name_order"])
		if err != nil {
			return nil, err
		}
		if ff && k != redact.KindPerson {
			return nil, fmt.Errorf("%w: line %d: name_order is for a person's name; leave it empty for a %s", errCSV, line, k)
		}
		out = append(out, EntityRequest{
			Kind:        k,
			Name:        row["name"],
			Aliases:     splitAliases(row["aliases"]),
			Pseudonym:   row["pseudonym"],
			FamilyFirst: ff,
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no entities after the header row", errCSV)
	}
	return out, nil
}

// EntityKindList names the entity kinds for messages: "person, place, …".
func EntityKindList() string {
	var ks []string
	for _, k := range EntityKinds() {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}
