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
// project.qde is not held either, however many selections it has
// (fieldvault's export-qda codes one per marker and per run left marked
// "do not quote", so one per turn of a withdrawn speaker): a Source's
// selections can wait in a SelectionSpool, the caller's storage, as they
// are found, and Close writes project.qde as it builds it, each spooled
// selection read back and checked as it comes, while ValidateQDE's checks
// run on what is written. Spooled selections' GUIDs are unique by
// construction (name-based over a prefix and an increasing key), so
// neither Close nor its validation holds one per selection.
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
// Writer.Close validates the project.qde it builds as it writes it. The
// package writes projects only: the reader its tests use to check a round
// trip is a test helper (read_test.go), which also accepts Sources/.
package qdpx
