package vault

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSVWriter writes CSV for people to open in a spreadsheet: every CSV
// fieldvault writes (the consent report, the audit log, data lists) goes
// through it. A cell that a spreadsheet would run as a formula is
// neutralised as OWASP recommends ("CSV Injection"): one that begins with
// = + - @, a tab or a carriage return (or their full-width forms) gets a
// leading single quote, so Excel, LibreOffice Calc and Google Sheets show it
// as text. A participant registered as =HYPERLINK(...) stays text.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one row, each cell neutralised.
func (c *CSVWriter) Write(row []string) error {
	safe := make([]string, len(row))
	for i, cell := range row {
		safe[i] = SafeCSVCell(cell)
	}
	return c.w.Write(safe)
}

// Flush writes out what is buffered and reports the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// SafeCSVCell is cell as a spreadsheet will show it, never run it: a cell
// beginning with a formula trigger gets a leading single quote.
func SafeCSVCell(cell string) string {
	if cell == "" {
		return cell
	}
	if strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(cell)[0]) {
		return "'" + cell
	}
	return cell
}
