package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync/atomic"
)

// A bgWriter writes to w on a goroutine of its own, so that what produces
// the bytes (age encrypting or decrypting) and what consumes them (the
// kernel copying them to a file, SHA-256) run on two cores instead of
// taking turns on one. Write copies p into one of a few fixed buffers and
// returns; Close waits for the writes and returns the first error. Memory
// is bgBufs times the largest write, whatever the size of the stream.
type bgWriter struct {
	w      io.Writer
	work   chan []byte
	free   chan []byte
	done   chan struct{}
	failed atomic.Bool
	err    error // set by the goroutine; read after done
	closed bool
}

// bgBufs is how many writes may be in flight: enough for the producer to
// run ahead while the consumer catches up.
const bgBufs = 4

// errBGFailed stops a producer early; Close returns the cause.
var errBGFailed = errors.New("background write failed")

func newBGWriter(w io.Writer) *bgWriter {
	c := &bgWriter{w: w, work: make(chan []byte, bgBufs), free: make(chan []byte, bgBufs), done: make(chan struct{})}
	for range bgBufs {
		c.free <- nil
	}
	go func() {
		defer close(c.done)
		for b := range c.work {
			if c.err == nil {
				if _, err := c.w.Write(b); err != nil {
					c.err = err
					c.failed.Store(true)
				}
			}
			c.free <- b
		}
	}()
	return c
}

func (c *bgWriter) Write(p []byte) (int, error) {
	if c.failed.Load() {
		return 0, errBGFailed
	}
	if len(p) == 0 {
		return 0, nil
	}
	b := <-c.free
	if cap(b) < len(p) {
		b = make([]byte, len(p), max(len(p), 64<<10))
	}
	b = b[:len(p)]
	copy(b, p)
	c.work <- b
	return len(p), nil
}

// Close waits for the writes and returns the first error. It may be called
// more than once; no Write may follow it.
func (c *bgWriter) Close() error {
	if !c.closed {
		c.closed = true
		close(c.work)
		<-c.done
	}
	return c.err
}

// bgHash counts and hashes the plaintext as it streams past, on a
// bgWriter's goroutine.
type bgHash struct {
	*bgWriter
	h    hash.Hash
	n    int64
	sumv string
}

func newBGHash() *bgHash {
	h := &bgHash{h: sha256.New()}
	h.bgWriter = newBGWriter(h.h)
	return h
}

func (c *bgHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.bgWriter.Write(p)
}

// sum finishes the hash and returns it in hex. No Write may follow it.
func (c *bgHash) sum() string {
	if c.sumv == "" {
		c.bgWriter.Close() // a hash never fails
		c.sumv = hex.EncodeToString(c.h.Sum(nil))
	}
	return c.sumv
}

// stop ends the hasher without a sum (on an error path).
func (c *bgHash) stop() { c.bgWriter.Close() }
