// Package transcript parses the stored bytes of a study's text documents into
// numbered lines with speakers and inline flags, and writes exports back out
// as Markdown, plain text, Word .docx, WebVTT or SRT (Write).
//
// Writers: Markdown is one paragraph per line, labels in bold, escaping only
// what CommonMark (or GitHub's tables and strikethrough) would interpret;
// .docx lays a document's lines out as an appendix with the vault's line
// numbers in a narrow column (see docxwrite.go); WebVTT and SRT start a
// caption at every timed line. WriteOptions.Timestamps prefixes each timed
// line with "[00:01:23] " in Markdown, text and .docx.
//
// Formats read: plain UTF-8 text (FormatText), Markdown (FormatMarkdown),
// WebVTT (FormatVTT, as written by Teams and Zoom), SubRip (FormatSRT) and
// Word .docx (FormatDocx). The package knows nothing of disk, consent or
// pseudonyms: the gate resolves speaker labels to participants and applies
// policy to the lines it gets from Parse.
//
// # Line numbers
//
// Line numbers are the citation unit. For plain text and Markdown they are
// the file's own 1-based line numbers, exactly as an editor shows them (lines
// holding only markup count; "\n", "\r\n" and a lone "\r" all end a line; a
// final line ending does not start another line). For WebVTT and SRT every cue
// is one line (its text lines joined with a space), carrying the cue's start
// time; a cue whose later text line starts a new speaker is split, each part
// keeping the cue's start time. For .docx every paragraph is one line, a
// line break inside a paragraph (w:br, w:cr) starts a new line, and every
// table row is one line with its cells joined by " | ".
//
// # Speakers
//
// ParseLabel holds the speaker-label rule: at the start of a line, one to six
// words followed by ":" and a space (or the end of the line), optionally
// wrapped in Markdown bold ("**Carol:**" or "**Carol**:"), optionally
// followed by up to two short parenthesised annotations ("Amy Li (she/her)
// (Guest)"; a time, "Speaker 1 (00:01)", may be one), optionally after a
// time stamp ("[00:01:23] Amy Li: …", "(12:04) Q: …"). A word is made of
// letters, digits, combining marks and . ' ’ -; words start with an
// upper-case letter, a digit (not the first: "Speaker 2"), or are lower-case
// name particles (ap, ab, ibn, bin, al, de, van, von, zu, af, of, the, …); a
// label may begin with a particle ("de la Cruz", "al-Sayed") but must hold a
// capital somewhere; a capitalised possessive may be followed by up to two
// lower-case words ("Dafydd's mum"). A label whose first word is
// a common non-speaker heading is not a speaker, whatever its case and with
// or without a full stop (Note, Date, Time, Location, Agenda, Item, Action,
// Re, Subject, Summary, Present, Apologies, http, https, …: the list is in
// label.go). The rule says only
// that a line begins as a turn does: the label is returned as written
// (Line.Speaker) and whether it names anyone is the caller's question
// (fieldvault's gate withholds a label that names nobody registered).
// LoosePrefix drops the rule on capitals, for look-ups in a register only,
// and NameLine gives a line holding only a name the same use. A word may
// also hold "_" (diarisation's "SPEAKER_00"); a label may be set off by a
// tab instead of a colon ("Gideon<TAB>words", as typed in Word), be
// followed by a no-break space, or be written in square brackets
// ("[SPEAKER_01]: …"; without the colon only when numbered, "[Speaker 2] …",
// so "[Music]" is text), after a time or Whisper's time range
// ("[00:00:12.345 --> 00:00:15.000] SPEAKER_01: …").
// A list or quotation marker, a broadcast caption's ">> " or a typed line
// number before a label is skipped ("- Amy: …", "1. Amy: …", ">> AMY: …").
// Lines without a label keep the speaker in force; a blank line does not end a
// turn, but ">>" without a name does (the line is nobody's in particular).
//
// In plain text, Markdown and .docx, a transcription service's speaker line
// (Otter.ai "Name  0:09", Rev "Name (00:01:23):", Trint-style
// "Name [00:01:23]" or "[00:01:23] Name:", NVivo-style "00:01:23 Name",
// Zoom's saved transcript "[Name] 10:01:02" and saved chat "10:01:40 From
// Name to Everyone:" (the recipient is not carried); the name may be
// written surname first, "Okafor, Ada   0:09", as Teams writes it; see
// ParseTimedLabel) is a turn too: the line keeps the time
// (Line.Start, HasTime) and its Text is written "Name:" (followed by any
// words after the colon), so every turn's text starts with its label. A cue
// timing line followed by a line holding only a name (Teams' older Word
// transcripts: "0:0:3.450 --> 0:0:7.120", then "Name", then the words) makes
// the name line such a turn, with the cue's start; the timing line stays a
// line of text. So does a line holding only a name followed by a line
// holding only a time (Teams' Word transcripts: "Name", "0:03", the words):
// the name line is the turn, with that time, and the time line stays text.
//
// In .docx a table row's first cell (after a time column) is its speaker,
// when it passes the label rule (also surname first) and words follow in
// another cell: "Speaker | Text" transcripts. A row whose first cell is
// empty continues the turn; a "Speaker" or "Name" column heading is not a
// speaker; after the table the turn in force before it goes on.
//
// WebVTT and SRT rolling captions (YouTube's automatic captions, broadcast
// roll-up) repeat each line in the cues after it; each spoken line is kept
// once, with the time it was first shown (see rollState). Lines of spaces inside a cue
// are not text and do not end the cue. In WebVTT a voice span (<v Name>, Teams) gives the speaker, and the
// line's Text is written "Name: text" so that every turn's text starts with
// its label; otherwise a label at the start of the cue text (Zoom, SRT) does,
// after an SRT dialogue dash ("- Name: …") is removed. Once a cue has begun
// with a label, a later cue's prefix up to ": " is a display name whatever
// it holds ("Amy Li 🌻", "amy", "Dr. Amy Li, PhD"; see displayLabel), so a
// speaker a meeting service named freely is never taken for the one before. Consecutive cues of one
// speaker are merged into one turn: only the first carries the label (the
// repeated label is removed from the later cues' text), every cue stays its
// own line. In .docx a label at the start of a paragraph is a turn whether or
// not it is bold; runs are joined before the rule is applied.
//
// # Inline markup
//
// [dnq]…[/dnq], [confidential]…[/confidential] and [off-record]…[/off-record]
// (tag names case-insensitive) set flags on every line they cover in part,
// including the lines holding the tags. Tags may span lines and different
// kinds may nest properly. An unclosed tag, a stray closing tag, a tag opened
// again inside itself or wrongly nested tags are a *ParseError naming the
// line. Markup works in every format, after text extraction.
//
// # What is not carried
//
// In .docx, the paragraphs of a text box are lines of their own after the
// paragraph that anchors the box; footnotes, then endnotes, follow the body
// as note lines (Line.Note) that nobody speaks: a note's first line starts
// "[footnote 1] ", numbered in the order of the notes part, one line per
// paragraph. Note lines are pseudonymised like every other line.
//
// Summary.Dropped lists, without content, what was left out: WebVTT NOTE
// blocks, .docx comments, headers and footers (counted by part), document
// properties (author, company) and tracked deletions (tracked changes are
// taken as accepted). Callers must show it: nothing is dropped silently.
//
// # Encodings
//
// Text formats are UTF-8 (a byte-order mark is dropped), or UTF-16 with a
// byte-order mark (Windows Notepad's "Unicode"), decoded as it is read.
// Any other encoding is refused, never guessed: NotTextReason names it.
//
// Errors never quote the file's content: they name the format, the line and
// column (or the docx part) and what is wrong.
//
// # Limits
//
// Parsers stream and count, so that no input, however hostile, makes a
// parse hold more than a bounded amount of memory (one line, one cue, one
// XML token at a time: ParseLines holds none of the lines it passes on) or
// run unbounded (limits.go; a ten-hour recording's transcript, about
// 108,000 words, is far inside every one, and so are a 200 MB transcript
// and a caption file of a million cues). A document may have at most
// MaxLines (2,000,000) lines, each at most MaxLineBytes (1 MiB), and
// MaxTextBytes (256 MiB) of text in all, opening at most MaxTags (250,000)
// markup tags; a WebVTT or SRT file at most MaxCues (1,500,000) cues, each
// at most MaxCueBytes (1 MiB) of text lines; a .docx at most MaxRuns
// (4,000,000) runs, MaxElements (8,000,000) XML elements nested at most
// MaxDepth (2,000) deep, no XML token over 4 MiB, and a word/document.xml of
// at most 512 MiB uncompressed. Passing one is a *ParseError wrapping a
// *LimitError (errors.Is ErrLimit) that names the limit. ParseLines stops
// soon after its context is cancelled (checked every 1,024 lines, cues or
// XML tokens, and on every read of a text format). It holds no line: every
// caller streams (ingest, every exit, open --lines, the participant record);
// tests that want a whole document use package transcripttest.
package transcript
