package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// A bgWriter writes to w on a goroutine of its own, so that what produces
// the bytes (age encrypting, an exit writing its output) and what consumes
// them (the kernel copying them to a file, SHA-256) run on two cores
// instead of taking turns on one. Write copies p into the buffer being
// filled and returns, handing each full buffer (bgBufSize) to the
// goroutine; Close hands over the rest, waits for the writes and returns
// the first error. Memory is bgBufs buffers, whatever the size of the
// stream and of the writes.
type bgWriter struct {
	w      io.Writer
	work   chan []byte
	free   chan []byte
	cur    []byte // being filled; nil until the first Write after a hand-over
	done   chan struct{}
	failed atomic.Bool
	err    error // set by the goroutine; read after done
	closed bool
}

// bgBufs buffers of bgBufSize may be in flight: enough for the producer to
// run ahead while the consumer catches up, and writes of a quarter MiB.
const (
	bgBufs    = 4
	bgBufSize = 256 << 10
)

// errBGFailed stops a producer early; Close returns the cause.
var errBGFailed = errors.New("background write failed")

func newBGWriter(w io.Writer) *bgWriter {
	c := &bgWriter{w: w, work: make(chan []byte, bgBufs), free: make(chan []byte, bgBufs), done: make(chan struct{})}
	for range bgBufs {
		c.free <- nil // allocated when first needed
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
			c.free <- b[:0]
		}
	}()
	return c
}

func (c *bgWriter) Write(p []byte) (int, error) {
	if c.failed.Load() {
		return 0, errBGFailed
	}
	n := len(p)
	for len(p) > 0 {
		if c.cur == nil {
			if c.cur = <-c.free; c.cur == nil {
				c.cur = make([]byte, 0, bgBufSize)
			}
		}
		k := copy(c.cur[len(c.cur):cap(c.cur)], p)
		c.cur, p = c.cur[:len(c.cur)+k], p[k:]
		if len(c.cur) == cap(c.cur) {
			c.work <- c.cur
			c.cur = nil
		}
	}
	return n, nil
}

// Close waits for the writes and returns the first error. It may be called
// more than once; no Write may follow it.
func (c *bgWriter) Close() error {
	if !c.closed {
		c.closed = true
		if len(c.cur) > 0 {
			c.work <- c.cur
		}
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

// A tee copies one stream to several destinations, each written on a
// goroutine of its own from the same buffers: reading (or decrypting),
// hashing and encrypting (or writing) run on separate cores, and no byte is
// copied for a destination. teeBufs buffers of teeBufSize are in flight at
// most (recycled through teePool across copies), whatever the stream's size:
// 1 MiB. Four 1 MiB buffers measured no faster on 256 MiB (CPU time within
// noise) and add 3 MiB to an export's peak heap.
const (
	teeBufSize = 256 << 10
	teeBufs    = 4
)

// teeBuf is a buffer in flight: refs counts the destinations still writing
// it; the last one hands it back.
type teeBuf struct {
	b    []byte
	refs atomic.Int32
}

var teePool = sync.Pool{New: func() any { return &teeBuf{b: make([]byte, teeBufSize)} }}

type teeChunk struct {
	buf *teeBuf
	n   int
}

// teeCopy copies src to every dst until src ends and returns the bytes
// copied. The calling goroutine reads src, filling each buffer before it
// passes it on. A destination that fails stops the copy, and its error is
// returned (the first in dsts order): it concerns bytes read before any
// later read error. Otherwise src's error is returned, after every
// destination has written what was read before it.
func teeCopy(src io.Reader, dsts ...io.Writer) (int64, error) {
	free := make(chan *teeBuf, teeBufs)
	for range teeBufs {
		free <- nil // allocated (or taken from teePool) when first needed
	}
	var failed atomic.Bool
	var wg sync.WaitGroup
	errs := make([]error, len(dsts))
	work := make([]chan teeChunk, len(dsts))
	for i, w := range dsts {
		work[i] = make(chan teeChunk, teeBufs)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work[i] {
				if errs[i] == nil {
					if _, err := w.Write(c.buf.b[:c.n]); err != nil {
						errs[i] = err
						failed.Store(true)
					}
				}
				if c.buf.refs.Add(-1) == 0 {
					free <- c.buf
				}
			}
		}()
	}
	var total int64
	var err error
	for err == nil && !failed.Load() {
		b := <-free
		if b == nil {
			b = teePool.Get().(*teeBuf)
		}
		var n int
		n, err = readFull(src, b.b)
		if n == 0 {
			free <- b
			continue
		}
		total += int64(n)
		b.refs.Store(int32(len(dsts)))
		for _, c := range work {
			c <- teeChunk{b, n}
		}
	}
	for _, c := range work {
		close(c)
	}
	wg.Wait()
	for range teeBufs {
		if b := <-free; b != nil {
			teePool.Put(b)
		}
	}
	for _, e := range errs {
		if e != nil {
			return total, e
		}
	}
	if err == io.EOF {
		err = nil
	}
	return total, err
}

// readFull reads from r until b is full or r fails (io.EOF included), unlike
// io.ReadFull, which turns a stream's own io.ErrUnexpectedEOF (a truncated
// age payload) into a short read.
func readFull(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
