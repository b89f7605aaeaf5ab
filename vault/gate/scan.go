package gate

import (
	"golang.org/x/text/unicode/norm"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault"
)

// ScanFile scans a file outside the vault for residual identifiers, knowing
// the study's names (so they are not reported as possible names).
func ScanFile(s *vault.Study, path string) ([]redact.Finding, error) {
	data, err := vault.ReadInput(path, "file")
	if err != nil {
		return nil, err
	}
	_, rd, err := s.Redactor()
	if err != nil {
		return nil, err
	}
	return scanText(norm.NFC.String(string(data)), rd), nil
}

// scanDoc shows what the residual scan finds in a document as it would
// leave for the request's purpose (after the gate and pseudonymisation),
// without letting it out. The document streams through the gate and the
// scan, as an export's does; nothing is written.
func scanDoc(s *vault.Study, req Request) (*Result, error) {
	cat, rd, err := s.Redactor()
	if err != nil {
		return nil, err
	}
	g, err := target{Doc: req.Doc, Version: req.Version, Mode: policy.ModeExport, Purpose: req.Purpose}.open(cat, rd)
	if err != nil {
		return nil, err
	}
	defer g.close()
	x := &exitSink{}
	x.startScan(rd)
	defer x.stopScan()
	if err := g.pass(s, rd, func(b transcript.Block, _ policy.Rule, _ bool) error {
		x.scan <- b
		return nil
	}); err != nil {
		return nil, err
	}
	return &Result{Findings: locate(req.Doc, x.stopScan())}, nil
}

// scanText is the residual scan of text about to leave, with the
// registered name parts that are ordinary words found capitalised at a
// sentence start (left as written by the redactor) reported as possible
// names.
func scanText(text string, rd *redact.Redactor) []redact.Finding {
	return append(redact.Scan(text, rd), redact.SentenceStartNames(text, rd)...)
}
