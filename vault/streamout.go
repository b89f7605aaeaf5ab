package vault

import (
	"errors"
	"fmt"
	"io"
)

// A stream (standard output: a pipe, a terminal) cannot be staged and
// renamed into place like a file, nor taken back: what reached it has left.
// An output to a stream is therefore delivered under an intent that holds
// the change's audit entries, and a delivery the stream cut short (a pipe
// closed by its reader, "| head") is recorded with the outcome "partial",
// as an exit that let the participants' words out, never as nothing.

// OutcomePartial is the audit outcome of an exit (or an open) whose output
// to a stream was cut short: some of it left.
const OutcomePartial = "partial"

// streamOutput names a stream in an intent file.
const streamOutput = "(standard output)"

// PartialDeliveryError is a delivery to a stream that failed after Bytes
// of it had been written there.
type PartialDeliveryError struct {
	Bytes int64
	Err   error
}

func (e *PartialDeliveryError) Error() string {
	return fmt.Sprintf("%v; %d bytes of it had reached standard output (recorded in the audit log as a partial exit)", e.Err, e.Bytes)
}

func (e *PartialDeliveryError) Unwrap() error { return e.Err }

// DeliverStream registers an output to write to the stream w when the
// change is complete and before it commits. An intent file first records
// the change's audit entries, so that if the process dies while writing,
// the next writer records them (outcome partial); if write fails after some
// bytes reached w, the entries are committed with the outcome partial.
func (tx *Tx) DeliverStream(w io.Writer, write func(io.Writer) error) {
	s := tx.s
	var intent string
	remove := func() {
		if intent != "" {
			s.FS.Remove(intent)
		}
	}
	tx.OnCommit(remove)
	tx.OnAbort(remove)
	tx.Deliver(func() error {
		name, err := s.newIntent()
		if err != nil {
			return err
		}
		if err := writeIntent(s.FS, name, outputIntent{Output: streamOutput, Stream: true, Entries: tx.entries}); err != nil {
			s.FS.Remove(name)
			return nameSide(err, "recording the output in the vault")
		}
		intent = name
		cw := &countWriter{w: w}
		if err := write(cw); err != nil {
			if cw.n > 0 {
				return &PartialDeliveryError{Bytes: cw.n, Err: err}
			}
			return err
		}
		return nil
	}, nil)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if n > 0 {
		crashPoint("stream-written")
	}
	return n, err
}

// deliveryEntries are the entries of a change whose delivery failed: with
// the outcome partial if some of a stream's output left (err is a
// PartialDeliveryError), else failed.
func deliveryEntries(entries []Entry, err error) []Entry {
	var pd *PartialDeliveryError
	if !errors.As(err, &pd) {
		return failedEntries(entries)
	}
	return partialEntries(entries, fmt.Sprint(pd.Bytes))
}

// partialEntries marks entries as a delivery to a stream cut short;
// delivered says how many bytes reached it ("unknown" after a crash).
func partialEntries(entries []Entry, delivered string) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.Action == "key-pin" {
			continue
		}
		e.Outcome = OutcomePartial
		d := make(map[string]string, len(e.Detail)+1)
		for k, v := range e.Detail {
			d[k] = v
		}
		d["delivered_bytes"] = delivered
		e.Detail = d
		out = append(out, e)
	}
	return out
}
