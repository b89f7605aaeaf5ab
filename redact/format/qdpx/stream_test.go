package qdpx

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestStreamSameBytes: a project whose texts are streamed in pieces of any
// size (a character cut between two writes included) is the same archive
// as with each text written in one piece (the golden one).
func TestStreamSameBytes(t *testing.T) {
	p := sampleProject(t)
	want := writeBytes(t, p)
	for _, piece := range []int{1, 2, 3, 7, 64, 1 << 20} {
		var got bytes.Buffer
		if err := p.writeIn(&got, p.streamed(), func(i int) string { return p.Texts[i] }, piece); err != nil {
			t.Fatalf("pieces of %d bytes: %v", piece, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("pieces of %d bytes: the archive differs from the one written in whole texts", piece)
		}
	}
}

// TestStreamRefuses: a streamed text that does not match what project.qde
// says of it, or is not UTF-8, fails the archive.
func TestStreamRefuses(t *testing.T) {
	p := sampleProject(t)
	sp, texts := p.streamed(), p.Texts
	for _, tc := range []struct {
		name, text, want string
	}{
		{"short", strings.TrimSuffix(texts[0], "\n"), "characters"},
		{"long", texts[0] + "more", "characters"},
		{"not UTF-8", texts[0][:len(texts[0])-2] + "\xff\n", "UTF-8"},
		{"cut off", texts[0] + "\xe6\x9d", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := p.writeIn(io.Discard, sp, func(i int) string {
				if i == 0 {
					return tc.text
				}
				return texts[i]
			}, 1<<30)
			if !errors.Is(err, ErrInvalidProject) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "source 1") {
				t.Errorf("error %v, want ErrInvalidProject naming source 1 and %q", err, tc.want)
			}
		})
	}
}
