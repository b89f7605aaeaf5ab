// Package qdpx writes REFI-QDA projects (.qdpx), the open exchange format
// that NVivo, ATLAS.ti, MAXQDA and QualCoder import.
//
// A .qdpx file is a zip archive holding project.qde, an XML document in the
// namespace urn:QDA-XML:project:1.0, and a sources/ folder (as REFI-QDA 1.5
// names it) with one UTF-8 plain-text file per text source, referenced from
// project.qde as plainTextPath="internal://<GUID>.txt".
//
// The package is pure: a Writer writes an already pseudonymised,
// policy-checked project's archive to an io.Writer; it never touches the
// disk, never sees real names and applies no policy of its own. A text is
// never held: the caller writes each text straight into its entry
// (Writer.Text) as it is produced, and project.qde, built from each
// source's length in characters and checked against the texts written,
// is the last entry (Writer.Close).
// project.qde itself is held: Close builds it in memory, one
// PlainTextSelection per Selection, and ValidateQDE parses it whole before
// it is written, so its memory, and its size (at most MaxQDESize, or
// Close fails), grow with the number of selections, not with the texts.
// That number is not bounded by a study's flags: fieldvault's export-qda
// codes one selection per marker (each run of lines that does not leave)
// and per run left marked "do not quote", and a document in which a
// withdrawn participant speaks every few turns has a marker per turn. A
// 20 MB interview whose second speaker withdrew gives about 28,000
// selections, a 6.7 MiB project.qde, and a peak heap of 54 MiB where a
// 2 MB one peaks at 23 MiB (measured for issue 15; streaming it needs a
// streaming ValidateQDE and the selections spooled until Close).
// Output is deterministic: the same Project and texts always give the same
// bytes (fixed zip timestamps, stable element order, GUIDs chosen by the
// caller or derived from them).
//
// Text positions (PlainTextSelection startPosition/endPosition) are counted,
// as the standard does, in characters of the plain text: zero-based Unicode
// code points, end exclusive.
//
// ValidateQDE checks a project.qde structurally against the REFI-QDA project
// schema (element order and cardinality, attribute types, GUID and colour
// formats) and against the rules the schema cannot express (unique GUIDs,
// references that resolve, selections that are not inverted).
// Writer.Close validates the project.qde it builds before it writes it. The
// package writes projects only: the reader its tests use to check a round
// trip is a test helper (read_test.go), which also accepts Sources/.
package qdpx
