package gate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/fieldvault/fieldvault/vault"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// An export or quote streams its document and never holds it whole
// (streamExit), as every exit does (pass.go). The store decrypts the
// version and the parser hands over one line at a time
// (Study.StreamLines); each line's speaker is resolved
// (vault.SpeakerTracker) and the policy decides it (policy.Decider), and
// the lines that leave go on, a run at a time, through the redactor
// (redact.LineRedactor: names broken across a line end are still matched),
// the writer (transcript.Writer) and, on a goroutine of its own, the
// residual scan (redact.LineScanner), hashed as they are written to staged
// output. An export takes one pass; a quote first counts the lines, and an
// analysis export also finds where its marked runs end. A deposit's data
// files are written by streamExit too, a chapter's quotes by writeExit,
// which leaves their scan to the chapter's.

// exitChunkLines is how many lines of a run of kept lines go to the writer
// in one block: enough to keep the writer busy, few enough that memory
// does not grow with the document.
const exitChunkLines = 256

// A composer turns a document's lines and the gate's decisions on them,
// in order, into the blocks that leave: runs of kept lines pseudonymised,
// a marker for every run of lines that does not leave. With chunk > 0 a
// long run goes out in pieces of about chunk lines
// (transcript.Block.Continued), cut only between two lines that are not
// blank so the writers lay the pieces out as one run.
//
// It works in two halves: line decides what each line is (a kept line to
// pseudonymise, the end of a run, a marker), and a runWriter pseudonymises
// the kept lines and emits the blocks. After pipeline the runWriter works
// on a goroutine of its own, fed batches of lines, so that reading and
// deciding the next lines goes on while the last ones are pseudonymised
// and written; end (or close) waits for it.
type composer struct {
	w         *runWriter
	runMarked bool

	marker   *policy.Marker // the run of lines that do not leave so far
	mref     transcript.LineRef
	withheld int

	// With pipeline: the batch being filled, the batches on their way to
	// the runWriter's goroutine, used batches coming back, and its end.
	batch []compOp
	work  chan []compOp
	free  chan []compOp
	done  chan struct{}
	err   error // the runWriter's error, read once done is closed
}

// compOp is one step for the runWriter: a kept line to pseudonymise, the
// end of a run, or a marker to emit.
type compOp struct {
	kind   uint8
	marked bool // a line: its run leaves marked
	text   string
	p      pushed
	marker *transcript.Block
	rule   policy.Rule
}

const (
	opLine = iota
	opEndRun
	opMarker
)

// pipeBatch is how many steps go to the runWriter's goroutine at a time,
// and pipeDepth how many batches may wait for it: enough that neither side
// waits often, few enough that memory does not grow with the document.
const (
	pipeBatch = 128
	pipeDepth = 2
)

type pushed struct {
	ref   transcript.LineRef
	label string
}

func newComposer(rd *redact.Redactor, chunk int, emit func(transcript.Block, policy.Rule, bool) error) *composer {
	w := &runWriter{rd: rd, chunk: chunk, emit: emit, labels: map[string]string{}}
	w.lr = rd.LineBytes(w.redacted)
	return &composer{w: w}
}

// pipeline moves the runWriter (the redactor and emit) to a goroutine of
// its own. From then on emit is called on that goroutine, one call at a
// time and in order, until end or close returns.
func (c *composer) pipeline() {
	c.work = make(chan []compOp, pipeDepth)
	c.free = make(chan []compOp, pipeDepth+2)
	c.done = make(chan struct{})
	c.batch = make([]compOp, 0, pipeBatch)
	work := c.work
	go func() {
		defer close(c.done)
		for ops := range work {
			if c.err == nil {
				for i := range ops {
					if c.err = c.w.do(&ops[i]); c.err != nil {
						break
					}
				}
			}
			clear(ops)
			select {
			case c.free <- ops[:0]:
			default:
			}
		}
	}()
}

// op hands the runWriter its next step.
func (c *composer) op(o compOp) error {
	if c.work == nil {
		return c.w.do(&o)
	}
	c.batch = append(c.batch, o)
	if len(c.batch) < pipeBatch {
		return nil
	}
	return c.send()
}

// send passes the batch being filled to the runWriter's goroutine; it
// returns the runWriter's error if it has stopped.
func (c *composer) send() error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	if len(c.batch) == 0 {
		return nil
	}
	select {
	case c.work <- c.batch:
	case <-c.done:
		return c.err
	}
	select {
	case c.batch = <-c.free:
	default:
		c.batch = make([]compOp, 0, pipeBatch)
	}
	return nil
}

// close stops the runWriter's goroutine and waits for it; it returns its
// error. It may be called more than once.
func (c *composer) close() error {
	if c.work == nil {
		return nil
	}
	close(c.work)
	c.work = nil
	<-c.done
	return c.err
}

// line takes the document's next line of the exit, its speaker and the
// gate's decision on it.
func (c *composer) line(l transcript.Line, who vault.LineSpeaker, d policy.LineDecision) error {
	if d.Action != policy.Keep {
		if c.marker != nil && c.marker.Joins(d) {
			c.marker.Add(d)
		} else {
			if err := c.flushMarker(); err != nil {
				return err
			}
			if err := c.op(compOp{kind: opEndRun}); err != nil {
				return err
			}
			m := policy.NewMarker(d)
			c.marker, c.mref = &m, transcript.LineRef{}
		}
		// The marker takes the time of the first withheld line that has one.
		if !c.mref.HasTime && l.HasTime {
			c.mref.Start, c.mref.HasTime = l.Start, true
		}
		return nil
	}
	if err := c.flushMarker(); err != nil {
		return err
	}
	if l.MarkupOnly {
		return nil
	}
	if marked := len(d.Marks) > 0; marked != c.runMarked {
		if err := c.op(compOp{kind: opEndRun}); err != nil {
			return err
		}
		c.runMarked = marked
	}
	text, lab := l.Text, ""
	if l.Turn {
		lab = l.Speaker
	}
	if who.Text != "" {
		text, lab = who.Text, who.Role
	}
	if lab != "" && strings.HasPrefix(text, "**") {
		// A label set in bold in the source: the writers set labels in
		// bold themselves, so the label leaves as a plain "Name: ".
		if l2, rest, ok := transcript.ParseLabel(text); ok {
			text = l2 + ": " + rest
		}
	}
	p := pushed{transcript.LineRef{N: l.N, Start: l.Start, HasTime: l.HasTime, Row: l.Row, Note: l.Note}, lab}
	return c.op(compOp{kind: opLine, marked: c.runMarked, text: text, p: p})
}

// flushMarker emits the marker of the run of lines that do not leave.
func (c *composer) flushMarker() error {
	m := c.marker
	if m == nil {
		return nil
	}
	c.marker = nil
	m.Close()
	c.withheld += m.To - m.From + 1
	ref := c.mref
	ref.N, ref.To = m.From, m.To
	return c.op(compOp{kind: opMarker, marker: &transcript.Block{Text: m.Text, Marker: true, Lines: []transcript.LineRef{ref}}, rule: m.Rule})
}

// end finishes the document: the last run and marker are emitted, and the
// runWriter's goroutine, if any, has stopped.
func (c *composer) end() error {
	err := c.op(compOp{kind: opEndRun})
	if err == nil {
		err = c.flushMarker()
	}
	if err == nil && c.work != nil {
		err = c.send()
	}
	if cerr := c.close(); err == nil {
		err = cerr
	}
	return err
}

// A runWriter is the composer's second half: it pseudonymises the runs of
// kept lines (redact.LineRedactor: names broken across a line end are
// still matched) and emits them, and the markers between them, in order.
type runWriter struct {
	rd    *redact.Redactor
	chunk int
	emit  func(b transcript.Block, rule policy.Rule, marked bool) error

	lr        *redact.LineRedactor
	queue     []pushed // lines given to the redactor, waiting for their text
	head      int
	text      []byte // the chunk being filled: its lines joined by "\n"
	lines     int    // how many
	lastBlank bool   // its last line is blank
	refs      []transcript.LineRef
	cont      bool // the chunk continues a run already partly emitted
	runMarked bool
	labels    map[string]string // speaker label → its pseudonymised form with colon
}

// do takes the next step.
func (w *runWriter) do(o *compOp) error {
	switch o.kind {
	case opLine:
		w.runMarked = o.marked
		w.queue = append(w.queue, o.p)
		return w.lr.Line(o.text)
	case opEndRun:
		return w.endRun()
	default:
		return w.emit(*o.marker, o.rule, false)
	}
}

// redacted takes the redactor's next line (valid during the call only).
func (w *runWriter) redacted(text []byte) error {
	p := w.queue[w.head]
	w.queue[w.head] = pushed{}
	w.head++
	if w.head >= 64 && 2*w.head >= len(w.queue) {
		// The redactor may always hold a line back (a name may run on):
		// drop what it has passed so the queue does not grow.
		n := copy(w.queue, w.queue[w.head:])
		w.queue, w.head = w.queue[:n], 0
	}
	p.ref.Label = w.labelLen(text, p.label)
	isBlank := len(bytes.TrimSpace(text)) == 0
	if w.chunk > 0 && w.lines >= w.chunk && !isBlank && !w.lastBlank {
		if err := w.flushChunk(); err != nil {
			return err
		}
	}
	if w.lines > 0 {
		w.text = append(w.text, '\n')
	}
	w.text = append(w.text, text...)
	w.lines++
	w.lastBlank = isBlank
	w.refs = append(w.refs, p.ref)
	return nil
}

func (w *runWriter) flushChunk() error {
	if w.lines == 0 {
		return nil
	}
	b := transcript.Block{Text: string(w.text), Lines: w.refs, Continued: w.cont}
	w.cont = true
	w.text, w.lines, w.lastBlank = w.text[:0], 0, false
	w.refs = make([]transcript.LineRef, 0, max(w.chunk, len(w.refs)))
	return w.emit(b, "", w.runMarked)
}

// endRun finishes the run of kept lines in progress.
func (w *runWriter) endRun() error {
	if err := w.lr.End(); err != nil {
		return err
	}
	err := w.flushChunk()
	w.cont = false
	return err
}

// labelLen is the length of the pseudonymised speaker label with its colon
// at the start of an output line, so writers can set it in bold; 0 if the
// line does not start with one.
func (w *runWriter) labelLen(line []byte, label string) int {
	if label == "" {
		return 0
	}
	p, ok := w.labels[label]
	if !ok {
		p = w.rd.Redact(label) + ":"
		w.labels[strings.Clone(label)] = p // not the line the label came from
	}
	if len(line) >= len(p) && string(line[:len(p)]) == p {
		return len(p)
	}
	s := string(line)
	if lab, _, ok := transcript.ParseLabel(s); ok && strings.HasPrefix(s, lab+":") {
		return len(lab) + 1
	}
	return 0
}

// A lineSource gives the gate a document version's lines in order, each
// time it is asked: streamed from the object, or from lines held.
type lineSource func(fn func(transcript.Line) error) error

// newTracker starts resolving a document's speakers from its first line.
type newTracker func() *vault.SpeakerTracker

// errProbe: the first lines of a document have no speaker, so whether
// any line has one is not known until its end (see decideStream).
var errProbe = errors.New("no speaker in the first lines")

// probeBytes bounds the text decideStream holds while it looks for the
// first line with a speaker.
const probeBytes = 1 << 20

// decideStream runs the gate over the lines of src: it resolves each
// line's speaker, decides it and passes the line, its speaker and the
// decision to fn (for the lines of the exit only: From..To of a quote).
// It returns the Decision (without Lines). n and labelled come from a
// first pass (count); an export may pass n < 0 and probe instead: the
// lines are then held until one has a speaker (almost always one of the
// first), and if none has within probeBytes of text, decideStream stops
// with errProbe, having called fn for no line, for the caller to count
// first.
func decideStream(req policy.Request, n int, labelled, probe bool, tracker newTracker, src lineSource, fn func(transcript.Line, vault.LineSpeaker, policy.LineDecision) error) (policy.Decision, error) {
	type held struct {
		l   transcript.Line
		who vault.LineSpeaker
	}
	var (
		wait  []held // lines whose decision has not come yet (blank lines, mostly)
		ferr  error
		dc    *policy.Decider
		early []policy.LineFacts // facts held while probing
		size  int
	)
	emit := func(ld policy.LineDecision) {
		k := 0
		for k < len(wait) && wait[k].l.N < ld.N {
			k++ // outside the exit's range
		}
		if k < len(wait) && wait[k].l.N == ld.N && ferr == nil {
			ferr = fn(wait[k].l, wait[k].who, ld)
			k++
		}
		wait = append(wait[:0], wait[k:]...)
	}
	start := func(labelled bool) error {
		dc = policy.NewDecider(req, n, labelled, emit)
		if err := dc.Err(); err != nil {
			return err
		}
		for _, f := range early {
			dc.Line(f)
		}
		early = nil
		return ferr
	}
	if !probe {
		if err := start(labelled); err != nil {
			return dc.Finish(), err
		}
	}
	tr := tracker()
	err := src(func(l transcript.Line) error {
		who := tr.Next(l)
		if req.Mode != policy.ModeQuote || req.From <= l.N && l.N <= req.To {
			wait = append(wait, held{l, who})
		}
		f := who.Facts(l)
		if dc != nil {
			dc.Line(f)
			return ferr
		}
		early = append(early, f)
		if who.Kind != policy.SpeakerNone {
			return start(true)
		}
		if size += len(l.Text) + 64; size > probeBytes {
			return errProbe
		}
		return nil
	})
	if err == nil && dc == nil {
		err = start(false) // a short document without speakers
	}
	if err != nil {
		return policy.Decision{}, err
	}
	d := dc.Finish()
	if ferr != nil {
		return d, ferr
	}
	return d, d.Err()
}

// runEnds is an extra pass for an analysis exit: the last line of each run
// of lines that leaves marked "do not quote", by its first line, so the
// opening marker can say which lines it covers before they are written.
func runEnds(req policy.Request, n int, labelled bool, tracker newTracker, src lineSource) (map[int]int, error) {
	ends := map[int]int{}
	start := 0
	_, err := decideStream(req, n, labelled, false, tracker, src, func(l transcript.Line, _ vault.LineSpeaker, d policy.LineDecision) error {
		switch {
		case d.Action != policy.Keep:
			start = 0
		case l.MarkupOnly:
		case len(d.Marks) == 0:
			start = 0
		default:
			if start == 0 {
				start = l.N
			}
			ends[start] = l.N
		}
		return nil
	})
	return ends, err
}

// exitSink writes the blocks of one exit: the writer, and the residual
// scan of the text as it leaves.
type exitSink struct {
	w        *transcript.Writer
	scan     chan transcript.Block
	scanned  chan []redact.Finding
	analysis bool // mark runs that leave for analysis only
	quote    bool
	inMarked bool
	runEnds  map[int]int // analysis: the last line of each marked run, by its first
}

func (x *exitSink) block(b transcript.Block, _ policy.Rule, marked bool) error {
	if x.inMarked && !b.Continued {
		x.inMarked = false
		if err := x.write(transcript.Block{Text: MarkDNQClose, Marker: true}); err != nil {
			return err
		}
	}
	if marked && x.analysis && !b.Continued {
		open := transcript.Block{Text: MarkDNQOpen, Marker: true}
		if len(b.Lines) > 0 {
			// The opening marker takes the time of the run's first line:
			// a caption of its own in vtt and srt. The closing one joins
			// the run's last caption.
			f := b.Lines[0]
			open.Lines = []transcript.LineRef{{N: f.N, To: x.runEnds[f.N], Start: f.Start, HasTime: f.HasTime}}
		}
		if err := x.write(open); err != nil {
			return err
		}
		x.inMarked = true
	}
	b.Quote = x.quote
	return x.write(b)
}

// write writes a block and hands it to the scan, if one runs.
func (x *exitSink) write(b transcript.Block) error {
	if err := x.w.Block(b); err != nil {
		return err
	}
	if x.scan != nil {
		x.scan <- b
	}
	return nil
}

// startScan runs the residual scan of the blocks written on a goroutine of
// its own, beside the pipeline that redacts and writes; stopScan waits for
// it and returns the findings.
func (x *exitSink) startScan(rd *redact.Redactor) {
	in, out := make(chan transcript.Block, 4), make(chan []redact.Finding, 1)
	x.scan, x.scanned = in, out
	go func() {
		sc := redact.NewLineScanner(rd)
		for b := range in {
			scanBlock(sc, b)
		}
		out <- sc.Findings()
	}()
}

func (x *exitSink) stopScan() []redact.Finding {
	if x.scan == nil {
		return nil
	}
	close(x.scan)
	x.scan = nil
	return <-x.scanned
}

// scanBlock scans a block's text as plain gives it.
func scanBlock(sc *redact.LineScanner, b transcript.Block) {
	if b.Marker {
		src := 0
		if len(b.Lines) > 0 {
			src = b.Lines[0].N
		}
		sc.Line("", src)
		return
	}
	text := b.Text
	if b.Speaker != "" {
		text = b.Speaker + ": " + text
	}
	n := strings.Count(text, "\n") + 1
	for k := 0; k < n; k++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		}
		src := 0
		if len(b.Lines) == n {
			src = b.Lines[k].N
		}
		sc.Line(line, src)
	}
}

// finish closes an open analysis run.
func (x *exitSink) finish() error {
	if x.inMarked {
		x.inMarked = false
		return x.write(transcript.Block{Text: MarkDNQClose, Marker: true})
	}
	return nil
}

// spoolMem is how much output to standard output is held in memory before
// it is spooled to a temporary file.
const spoolMem = 4 << 20

// A spool stages output for standard output until the exit commits: in
// memory up to spoolMem, then in a temporary file (mode 0600, removed when
// the exit ends). It holds pseudonymised output only, which has not left
// yet (not verified, not audited): the file is encrypted with age to an
// X25519 identity made for it and kept only in memory, so a file a killed
// process leaves behind is unreadable.
type spool struct {
	buf bytes.Buffer
	f   *os.File
	id  *age.X25519Identity
	w   io.WriteCloser // age's writer over f, until copyTo
}

func (s *spool) Write(p []byte) (int, error) {
	if s.f == nil && s.buf.Len()+len(p) <= spoolMem {
		return s.buf.Write(p)
	}
	if s.f == nil {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return 0, fmt.Errorf("staging the output: %w", err)
		}
		f, err := os.CreateTemp("", "fieldvault-exit-*")
		if err != nil {
			return 0, fmt.Errorf("staging the output: %w", err)
		}
		s.f, s.id = f, id
		if s.w, err = age.Encrypt(f, id.Recipient()); err != nil {
			return 0, fmt.Errorf("staging the output: %w", err)
		}
		if _, err := s.w.Write(s.buf.Bytes()); err != nil {
			return 0, fmt.Errorf("staging the output: %w", err)
		}
		s.buf = bytes.Buffer{}
	}
	if s.w == nil {
		return 0, errors.New("staging the output: written after its end")
	}
	n, err := s.w.Write(p)
	if err != nil {
		err = fmt.Errorf("staging the output: %w", err)
	}
	return n, err
}

// copyTo writes what was staged to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.f == nil {
		_, err := w.Write(s.buf.Bytes())
		return err
	}
	if s.w != nil {
		if err := s.w.Close(); err != nil {
			return fmt.Errorf("staging the output: %w", err)
		}
		s.w = nil
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := age.Decrypt(s.f, s.id)
	if err != nil {
		return fmt.Errorf("reading the staged output: %w", err)
	}
	_, err = io.Copy(w, r)
	return err
}

// discard removes what was staged.
func (s *spool) discard() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f, s.w, s.id = nil, nil, nil
	}
	s.buf = bytes.Buffer{}
}

// streamExit lets a document version out in a format (an export, a
// quote, a deposit's data file): it decides each line as it streams past
// (pass) and writes the document's blocks in format to w, scanning them
// as they go. It returns the scan's findings, the hash and the size of
// what it wrote; g.decision is set. quoteEnd, for a quote, gives the
// attribution that follows it.
func streamExit(s *vault.Study, g *gated, rd *redact.Redactor, w io.Writer, format string, opt transcript.WriteOptions, quoteEnd func() string) ([]redact.Finding, string, int, error) {
	x := &exitSink{}
	x.startScan(rd)
	defer x.stopScan()
	sum, n, err := writeExit(s, g, rd, x, w, format, opt, quoteEnd)
	if err != nil {
		return nil, "", 0, err
	}
	return x.stopScan(), sum, n, nil
}

// writeExit is streamExit without a scan of its own unless x has one
// running: a chapter's quote is scanned as the chapter's lines, with the
// prose around it, once (chapter.write). It returns the hash and the size
// of what it wrote.
func writeExit(s *vault.Study, g *gated, rd *redact.Redactor, x *exitSink, w io.Writer, format string, opt transcript.WriteOptions, quoteEnd func() string) (string, int, error) {
	x.quote = g.req.Mode == policy.ModeQuote
	// An export decides as it writes, in one pass, unless it is for
	// analysis (the opening marker of a marked run says where the run
	// ends); a quote needs the line count first (pass).
	if g.req.Mode == policy.ModeExport && g.req.Purpose == policy.PurposeAnalysis {
		x.analysis = true
		src := g.source(s)
		err := g.count(src)
		if err == nil {
			x.runEnds, err = runEnds(g.req, g.n, g.labelled, g.tracker, src)
		}
		if err != nil {
			return "", 0, err
		}
	}
	hc := &hashCount{h: sha256.New()}
	var err error
	if x.w, err = transcript.NewWriter(io.MultiWriter(w, hc), transcript.Format(format), opt); err != nil {
		return "", 0, err
	}
	if g.heldAll && !x.analysis {
		// A pass held the lines (a chapter's quote): no need to read
		// and decide them again.
		err = g.replay(rd, x.block)
	} else {
		g.pipeline = true // x.block may be called from the composer's own goroutine
		err = g.pass(s, rd, x.block)
	}
	if err != nil {
		return "", 0, err
	}
	if err := x.finish(); err != nil {
		return "", 0, err
	}
	if quoteEnd != nil {
		if err := x.write(transcript.Block{Text: quoteEnd()}); err != nil {
			return "", 0, err
		}
	}
	if err := x.w.Close(); err != nil {
		if errors.Is(err, transcript.ErrNoTimings) {
			return "", 0, fmt.Errorf("%w: %v; export it as md, txt or docx", vault.ErrInvalid, err)
		}
		return "", 0, err
	}
	return hex.EncodeToString(hc.h.Sum(nil)), int(hc.n), nil
}

// source is the source of the version's lines for every pass over them:
// streamed from its object each time, a .docx's object fetched once for
// them all (vault.VersionLines) and kept until close.
func (g *gated) source(s *vault.Study) lineSource {
	if g.text == nil {
		g.text = s.VersionLines(g.ver)
	}
	return g.text.Stream
}

// close releases what the passes kept of the document (a temp copy of a
// .docx's ciphertext on object storage). Every exit closes each document
// it opened when it is done with it, whatever happened; it may be called
// more than once, and on a nil g.
func (g *gated) close() {
	if g != nil && g.text != nil {
		g.text.Close()
	}
}

// hashCount hashes and counts what is written through it.
type hashCount struct {
	h hash.Hash
	n int64
}

func (c *hashCount) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}
