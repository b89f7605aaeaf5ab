// Package gate is the one exit pipeline: everything that leaves a study
// vault goes through Run as one Request (export, quote, render, check,
// export-qda, scan DOC, deposit), through the same stages: decrypt and
// parse a version (the store), resolve speakers against the register,
// decide line by line what may leave for the purpose (policy.Decide),
// pseudonymise what is kept (redact), scan it for what is left, write it
// in the requested format (redact/format/transcript, redact/format/qdpx),
// and stage it so that it is delivered only as its audit entry commits. A
// refusal is audited and returned as an error matching policy.ErrRefused,
// with the reasons for the researcher only; markers in the output stay
// neutral.
//
// Export and quote stream (stream.go): the document is never held whole.
// Each line is decided as the parser hands it over (policy.Decider) and
// the lines that leave go through the redactor a run at a time
// (redact.LineRedactor), the writer (transcript.Writer) and, on a
// goroutine of its own, the residual scan (redact.LineScanner), into
// staged output; memory does not grow with the document. The other exits
// hold the documents they combine (gate).
//
// Dependencies point one way: cmd → gate → vault, redact, policy, formats.
// The store knows nothing of exits; gate uses its narrow API (vault's
// exits.go).
package gate
