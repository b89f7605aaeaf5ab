// Package gate is the one exit pipeline: everything that leaves a study
// vault goes through Run as one Request (export, quote, render, check,
// export-qda, scan DOC, deposit), through the same stages: decrypt and
// parse a version (the store), resolve speakers against the register,
// decide line by line what may leave for the purpose (policy.Decider),
// pseudonymise what is kept (redact), scan it for what is left, write it
// in the requested format (redact/format/transcript, redact/format/qdpx),
// and stage it so that it is delivered only as its audit entry commits. A
// refusal is audited and returned as an error matching policy.ErrRefused,
// with the reasons for the researcher only; markers in the output stay
// neutral.
//
// Every exit streams: no document is ever held whole. A document version
// is opened as a target (the options of its way through the gate, by
// name) and passed through the gate (pass.go): the store decrypts the
// version and the parser hands over one line at a time
// (vault.Study.StreamLines); each line's speaker is resolved
// (vault.SpeakerTracker) and the policy decides it (policy.Decider), and
// the lines that leave go on, a run of at most a few hundred lines at a
// time, through the redactor (redact.LineRedactor) to the exit's sink.
// Export and quote (streamExit, stream.go) write them through the format
// writer (transcript.Writer) and, on a goroutine of its own, the residual
// scan (redact.LineScanner), hashed as they go into staged output. scan
// DOC only scans them. export-qda and deposit take one pass over each
// document, several documents side by side (inOrder): export-qda streams
// each text into its zip entry as it lays it out (its length, hash, coded
// selections and scan), each selection into an encrypted spool file
// (qdaSpools), and writes project.qde, which holds those, last, reading
// the selections back as it goes (qdpx.Writer); deposit stages each data
// file until its pass says whether it goes in, and writes the README and
// data list that describe the files last. A document's output waits (spooled) only until the documents
// before it are written.
// render and check decide every directive first, then write the chapter a
// line at a time, each quote streaming through the gate as a quote does,
// the whole text through the redactor and the scan. A quote, an analysis
// export and a chapter's quotes count the lines in a pass of their own
// first. Memory is a line, a run and the dictionary, never the document.
//
// Dependencies point one way: cmd → gate → vault, redact, policy, formats.
// The store knows nothing of exits; gate uses its narrow API (vault's
// exits.go).
package gate
