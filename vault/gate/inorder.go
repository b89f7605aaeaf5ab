package gate

import (
	"io"
	"runtime"
	"sync"
)

// inOrder lets n documents out into one archive in a single pass each,
// side by side: do(i, w) passes document i through the gate on one of up
// to GOMAXPROCS goroutines, writing what leaves to w, and says whether its
// entry goes into the archive (keep). The archive takes one entry at a
// time, in order: document i's output goes straight into its entry (opened
// by open(i)) once every earlier document is done, and is staged until
// then (a spool: in memory, then a temporary file of pseudonymised text),
// or until it ends if hold is set (whether it goes in is known only then).
// done(i, keep, err) runs on the calling goroutine in order, once document
// i is done and its entry written; its error stops the run and is
// returned. At most a few documents are on their way at a time, so memory
// does not grow with the number of documents.
func inOrder(n int, hold bool, open func(i int) (io.Writer, error), do func(i int, w io.Writer) (bool, error), done func(i int, keep bool, err error) error) error {
	outs := make([]*entryOut, n)
	for i := range outs {
		outs[i] = &entryOut{open: func() (io.Writer, error) { return open(i) }, hold: hold, ended: make(chan struct{})}
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	ahead := make(chan struct{}, 2*workers) // documents begun and not yet done
	work, quit := make(chan int), make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				o := outs[i]
				keep, err := do(i, o)
				o.end(keep, err)
			}
		}()
	}
	go func() {
		defer close(work)
		for i := range n {
			select {
			case ahead <- struct{}{}:
			case <-quit:
				return
			}
			select {
			case work <- i:
			case <-quit:
				return
			}
		}
	}()
	var err error
	for i := 0; i < n && err == nil; i++ {
		keep, derr := outs[i].finish()
		err = done(i, keep, derr)
		<-ahead
	}
	close(quit)
	wg.Wait()
	for _, o := range outs {
		o.discard()
	}
	return err
}

// An entryOut is one document's output on its way into the archive: staged
// until its turn (finish), then written straight into its entry.
type entryOut struct {
	open func() (io.Writer, error) // opens the entry, in turn
	hold bool                      // stage everything until the document ends

	mu   sync.Mutex
	sp   spool
	w    io.Writer // the entry, once open
	turn bool      // every earlier document is done
	werr error     // opening the entry or writing into it failed

	ended chan struct{} // closed as the document ends, keep and err set
	keep  bool
	err   error
}

func (o *entryOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.w == nil && o.turn && !o.hold && o.werr == nil {
		o.werr = o.take()
	}
	if o.werr != nil {
		return 0, o.werr
	}
	if o.w != nil {
		return o.w.Write(p)
	}
	return o.sp.Write(p)
}

// take opens the entry and writes what was staged into it (o.mu held).
func (o *entryOut) take() error {
	w, err := o.open()
	if err != nil {
		return err
	}
	o.w = w
	err = o.sp.copyTo(w)
	o.sp.discard()
	return err
}

// end: the document is done (its worker).
func (o *entryOut) end(keep bool, err error) {
	o.mu.Lock()
	o.keep, o.err = keep && err == nil, err
	if !o.keep {
		o.sp.discard()
	}
	o.mu.Unlock()
	close(o.ended)
}

// finish gives the document its turn, waits for it to end and writes what
// it staged into its entry if it goes in.
func (o *entryOut) finish() (bool, error) {
	o.mu.Lock()
	o.turn = true
	o.mu.Unlock()
	<-o.ended
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return false, o.err
	}
	if o.werr != nil {
		return false, o.werr
	}
	if o.keep && o.w == nil {
		if err := o.take(); err != nil {
			return false, err
		}
	}
	return o.keep, nil
}

// discard removes what is still staged.
func (o *entryOut) discard() {
	o.mu.Lock()
	o.sp.discard()
	o.mu.Unlock()
}
