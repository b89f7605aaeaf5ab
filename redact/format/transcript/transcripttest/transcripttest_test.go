package transcripttest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

func TestParse(t *testing.T) {
	lines, dropped, err := Parse(context.Background(), transcript.FormatVTT, strings.NewReader("WEBVTT\n\nNOTE a note\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hello\n\n00:00:03.000 --> 00:00:04.000\n<v Ben>There\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Speaker != "Ana" || lines[1].Text != "Ben: There" {
		t.Errorf("lines = %+v", lines)
	}
	if len(dropped) != 1 {
		t.Errorf("dropped = %q, want the NOTE block", dropped)
	}
	var pe *transcript.ParseError
	if _, _, err := Parse(context.Background(), transcript.FormatVTT, strings.NewReader("not a caption file\n")); !errors.As(err, &pe) {
		t.Errorf("Parse of a broken file: %v, want a *ParseError", err)
	}
}
