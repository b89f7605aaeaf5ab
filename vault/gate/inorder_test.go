package gate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInOrder: documents worked on side by side, finishing in any order,
// come out in order, each entry whole; a document left out (hold) leaves
// no entry; the first error in order stops the run and is returned; a
// document's output larger than what a spool holds in memory passes
// through its temporary file.
func TestInOrder(t *testing.T) {
	big := strings.Repeat("pseudonymised line\n", spoolMem/19+100) // over spoolMem
	errStop := errors.New("document refused")
	tests := []struct {
		name    string
		n       int
		hold    bool
		text    func(i int) string
		delay   func(i int) time.Duration // documents that end late
		drop    func(i int) bool          // left out at their end (hold)
		fail    func(i int) bool
		want    string // the entries, "name:text" in order
		wantErr bool
	}{
		{name: "in order", n: 5, want: "0:a0|1:a1|2:a2|3:a3|4:a4"},
		{name: "early ones end last", n: 6, delay: func(i int) time.Duration { return time.Duration(6-i) * 3 * time.Millisecond }, want: "0:a0|1:a1|2:a2|3:a3|4:a4|5:a5"},
		{name: "held, some left out", n: 5, hold: true, drop: func(i int) bool { return i%2 == 1 }, want: "0:a0|2:a2|4:a4"},
		{name: "held, the first ends last", n: 4, hold: true, delay: func(i int) time.Duration {
			if i == 0 {
				return 20 * time.Millisecond
			}
			return 0
		}, want: "0:a0|1:a1|2:a2|3:a3"},
		{name: "a large one spooled to a file", n: 3, text: func(i int) string {
			if i == 1 {
				return big
			}
			return fmt.Sprint("a", i)
		}, delay: func(i int) time.Duration {
			if i == 0 {
				return 20 * time.Millisecond
			}
			return 0
		}, want: "0:a0|1:" + big + "|2:a2"},
		{name: "an error stops it", n: 6, fail: func(i int) bool { return i == 2 || i == 4 }, wantErr: true, want: "0:a0|1:a1"},
		{name: "none", n: 0, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu      sync.Mutex
				entries []string
				cur     *bytes.Buffer
				doneSeq []int
			)
			closeCur := func() {
				if cur != nil {
					entries[len(entries)-1] += cur.String()
				}
			}
			open := func(i int) (io.Writer, error) {
				mu.Lock()
				defer mu.Unlock()
				closeCur()
				entries = append(entries, fmt.Sprint(i, ":"))
				cur = &bytes.Buffer{}
				return lockedWriter{&mu, cur}, nil
			}
			do := func(i int, w io.Writer) (bool, error) {
				text := fmt.Sprint("a", i)
				if tt.text != nil {
					text = tt.text(i)
				}
				half := len(text) / 2
				if _, err := io.WriteString(w, text[:half]); err != nil {
					return false, err
				}
				if tt.delay != nil {
					time.Sleep(tt.delay(i))
				}
				if tt.fail != nil && tt.fail(i) {
					return false, fmt.Errorf("%w: %d", errStop, i)
				}
				if _, err := io.WriteString(w, text[half:]); err != nil {
					return false, err
				}
				return tt.drop == nil || !tt.drop(i), nil
			}
			err := inOrder(tt.n, tt.hold, open, do, func(i int, keep bool, err error) error {
				doneSeq = append(doneSeq, i)
				return err
			})
			mu.Lock()
			closeCur()
			mu.Unlock()
			if tt.wantErr {
				if !errors.Is(err, errStop) || !strings.HasSuffix(err.Error(), ": 2") {
					t.Fatalf("error %v, want the first document's in order (2)", err)
				}
				// A failed document's entry may hold part of its text; the
				// caller discards the archive. Those before it are whole.
				if got := strings.Join(entries[:min(2, len(entries))], "|"); got != tt.want {
					t.Errorf("entries before the error %q, want %q", got, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(entries, "|"); got != tt.want {
				if len(got) > 200 {
					got = got[:200] + "..."
				}
				t.Errorf("entries %q", got)
			}
			for k, i := range doneSeq {
				if k != i {
					t.Fatalf("done called in order %v", doneSeq)
				}
			}
			if len(doneSeq) != tt.n {
				t.Errorf("done called for %d documents, want %d", len(doneSeq), tt.n)
			}
		})
	}
}

// lockedWriter lets the test read what the entries hold while documents
// write: inOrder writes each entry from one goroutine at a time.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
