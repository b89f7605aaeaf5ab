package gate

import (
	"golang.org/x/text/unicode/norm"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
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

// ScanDoc shows what the residual scan finds in a document as it would
// leave (after the gate and pseudonymisation), without letting it out.
func ScanDoc(s *vault.Study, handle string) ([]redact.Finding, error) {
	cat, rd, err := s.Redactor()
	if err != nil {
		return nil, err
	}
	g, err := gate(s, cat, rd, handle, 0, policy.ModeExport, 0, 0, "")
	if err != nil {
		return nil, err
	}
	return origin{handle, sourceLines(g.blocks)}.locate(scanText(plain(g.blocks), rd)), nil
}

// scanText is the residual scan of text about to leave, with the
// registered name parts that are ordinary words found capitalised at a
// sentence start (left as written by the redactor) reported as possible
// names.
func scanText(text string, rd *redact.Redactor) []redact.Finding {
	return append(redact.Scan(text, rd), redact.SentenceStartNames(text, rd)...)
}
