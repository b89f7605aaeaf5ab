package vault

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/google/uuid"
)

// A study on object storage (s3://BUCKET/PREFIX) keeps the directory
// layout under its prefix, except the audit log: an object cannot be
// appended to, so the log is a series of immutable segments, one per
// commit, named by the sequence number of their first entry and read in
// key order as one chain (docs/format.md, "Object storage"). No lock is
// taken: every commit replaces the catalogue it read by a conditional
// write, and a writer that lost the race runs its change again on the
// catalogue that won.

// AuditSegmentDir holds the audit log's segments on object storage.
const AuditSegmentDir = "audit/"

// segmentKey names the segment whose first entry is seq.
func segmentKey(seq uint64) string { return fmt.Sprintf("%s%020d.jsonl", AuditSegmentDir, seq) }

// isSegmentKey reports whether key has the form of a segment's key. Only
// those are read as the log: an item of another shape under audit/ (a
// study someone made under this one's prefix, a stray file) is not the
// study's.
func isSegmentKey(key string) bool {
	digits, ok := strings.CutPrefix(key, AuditSegmentDir)
	if !ok {
		return false
	}
	if digits, ok = strings.CutSuffix(digits, ".jsonl"); !ok || len(digits) != 20 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// objectID returns the id of an object's key, or false when key does not
// have the form of one (objects/<first two>/<uuid>.age): an item of another
// shape under objects/ is not the study's, and no writer removes it.
func objectID(key string) (string, bool) {
	id, ok := strings.CutSuffix(path.Base(key), ".age")
	if !ok || len(id) != 36 || uuid.Validate(id) != nil || key != objectKey(id) {
		return "", false
	}
	return id, true
}

// orphanGrace is how old an object no catalogue references must be before
// a writer removes it: younger ones may belong to a writer on another
// machine that has not committed yet.
var orphanGrace = 24 * time.Hour

// commitAttempts bounds how often a writer that keeps losing the race to
// commit runs its change again before giving up (with the backoff, some
// 15 s of other writers' commits).
const commitAttempts = 20

// ErrBusy: other writers' commits kept winning the race for the catalogue.
var ErrBusy = errors.New("the study is busy")

// openBackend opens the object store a --vault value names.
func openBackend(ctx context.Context, url string) (store.Backend, error) {
	loc, err := store.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("%w: --vault: %v", ErrInvalid, err)
	}
	b, err := store.OpenS3(ctx, loc)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// backendFor is the backend opts hand in, or the one dir names when it is
// an s3:// location; nil for a directory.
func backendFor(ctx context.Context, dir string, opts Options) (store.Backend, error) {
	if opts.Store != nil {
		return opts.Store, nil
	}
	if !store.IsURL(dir) {
		return nil, nil
	}
	return openBackend(ctx, dir)
}

// ctx is the context of the change in progress, or a background one.
func (s *Study) ctx() context.Context {
	if s.changing != nil {
		return s.changing
	}
	return context.Background()
}

// getItem reads a small item whole (the config, the pseudonym key, an
// audit segment) and its version.
func getItem(ctx context.Context, b store.Backend, key string) ([]byte, string, error) {
	r, err := b.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", err
	}
	ver, err := r.Version()
	return data, ver, err
}

func bytesFill(data []byte) store.Fill {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// readConfigStore reads fieldvault.json from object storage.
func readConfigStore(ctx context.Context, b store.Backend) (*Config, string, error) {
	data, ver, err := getItem(ctx, b, ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("%w: %s has no %s", ErrNotVault, b, ConfigFile)
	}
	if err != nil {
		return nil, "", err
	}
	c, err := decodeConfig(data)
	return c, ver, err
}

// writeConfig replaces fieldvault.json (atomically on a directory, on the
// version read on object storage).
func (s *Study) writeConfig(c *Config) error {
	if s.Store == nil {
		return writeConfig(s.FS, s.Dir, c)
	}
	var buf bytes.Buffer
	if err := encodeConfig(&buf, c); err != nil {
		return err
	}
	info, err := s.Store.Replace(s.ctx(), ConfigFile, s.configVersion, bytesFill(buf.Bytes()))
	if err != nil {
		return err
	}
	s.configVersion = info.Version
	return nil
}

// catalogStore reads the catalogue and remembers its version for the
// conditional write that replaces it.
func (s *Study) catalogStore() (*Catalog, error) {
	r, err := s.Store.Get(s.ctx(), CatalogFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, integrity("%s is missing", CatalogFile)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ver, err := r.Version()
	if err != nil {
		return nil, err
	}
	c, err := decodeCatalog(r, s.Identity, s.listed(ClassCatalog))
	if err != nil {
		return nil, err
	}
	c.version = ver
	if c.Config != nil && !sameRecipients(c.Config, s.Config) {
		// A recipient change committed whose config file was not
		// rewritten yet: the catalogue's copy is the authority.
		cfg := *c.Config
		if cfg.KeyCheck == "" {
			cfg.KeyCheck = s.Config.KeyCheck
		}
		s.Config = &cfg
		s.configStale = true
	}
	if err := s.checkConfigPin(c); err != nil {
		return nil, err
	}
	return c, nil
}

// sameRecipients reports whether two configs list the same people and
// recipients.
func sameRecipients(a, b *Config) bool {
	x, _ := json.Marshal(struct {
		R map[string][]string
		P []Person
	}{a.Recipients, a.People})
	y, _ := json.Marshal(struct {
		R map[string][]string
		P []Person
	}{b.Recipients, b.People})
	return bytes.Equal(x, y)
}

// replaceCatalog writes cat over the version it was read at. A conflict
// whose winner is this very commit (the first answer was lost and the
// client retried) is success.
func (s *Study) replaceCatalog(cat *Catalog, fill store.Fill) error {
	ctx := s.ctx()
	crashPoint("before-catalog-replace")
	info, err := s.Store.Replace(ctx, CatalogFile, cat.version, fill)
	if errors.Is(err, store.ErrConflict) {
		if now, rerr := s.catalogStore(); rerr == nil && now.Commit == cat.Commit {
			cat.version = now.version
			return nil
		}
	}
	if err != nil {
		return err
	}
	cat.version = info.Version
	return nil
}

// writeSegment stores committed entries as their audit segment. The
// content is fixed by the catalogue that committed them, so a segment
// another writer completed first must be the same bytes.
func (s *Study) writeSegment(entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, e := range entries {
		buf.Write(e.line())
	}
	key := segmentKey(entries[0].Seq)
	crashPoint("before-audit-append")
	_, err := s.Store.PutNew(s.ctx(), key, bytesFill(buf.Bytes()))
	if errors.Is(err, store.ErrExists) {
		have, _, gerr := getItem(s.ctx(), s.Store, key)
		if gerr != nil {
			return gerr
		}
		if !bytes.Equal(have, buf.Bytes()) {
			return fmt.Errorf("%w: audit segment %s differs from the entries the catalogue committed; run 'fieldvault audit verify'", ErrIntegrity, key)
		}
		return nil
	}
	return err
}

// readLogStore reads the audit segments as one log: following the chain
// (the segment after one holding entries up to n is named n+1), asking for
// each segment itself, and taking the segments a listing shows off the
// chain in key order (a planted or misplaced segment, which verifyChain
// then reports). A listing is not trusted for a segment's absence, since
// a store may answer listings from a lagging index.
func (s *Study) readLogStore() (*logState, [][]byte, error) {
	ctx := s.ctx()
	listed := map[string]bool{}
	if err := s.Store.List(ctx, AuditSegmentDir, func(i store.Info) error {
		if isSegmentKey(i.Key) {
			listed[i.Key] = true
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	st := &logState{}
	var lines [][]byte
	for {
		k := segmentKey(uint64(len(lines)) + 1)
		data, _, err := getItem(ctx, s.Store, k)
		if errors.Is(err, fs.ErrNotExist) {
			// The chain ends here, unless a listed segment lies beyond.
			rest := sortedKeys(listed)
			if len(rest) == 0 {
				break
			}
			k = rest[0]
			data, _, err = getItem(ctx, s.Store, k)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the audit log: %w", err)
		}
		delete(listed, k)
		n := len(lines)
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				lines = append(lines, data) // a segment is whole: a missing newline is damage verifyChain reports
				break
			}
			lines = append(lines, data[:i])
			st.size += int64(i + 1)
			data = data[i+1:]
		}
		if len(lines) == n {
			// An empty segment: nothing moves the chain on; take the
			// listed ones left in order.
			rest := sortedKeys(listed)
			if len(rest) == 0 {
				break
			}
			for _, k := range rest {
				d, _, err := getItem(ctx, s.Store, k)
				if err != nil {
					return nil, nil, fmt.Errorf("reading the audit log: %w", err)
				}
				lines = append(lines, bytes.Split(bytes.TrimSuffix(d, []byte("\n")), []byte("\n"))...)
				st.size += int64(len(d))
			}
			break
		}
	}
	return st, lines, nil
}

// readAuditLog reads the audit log wherever it is kept.
func (s *Study) readAuditLog() (*logState, [][]byte, error) {
	if s.Store != nil {
		return s.readLogStore()
	}
	return readLog(s.Dir)
}

// updateStore is Update on object storage: no lock, and the change is run
// again on the winner's catalogue when another writer committed first.
// Objects a losing attempt uploaded are reused by the next attempt's
// PutObject calls, in order; those no attempt ends up using are removed.
func (s *Study) updateStore(ctx context.Context, fn func(tx *Tx) error) error {
	s.uploads = &uploads{}
	defer func() { s.uploads, s.changing = nil, nil }()
	var err error
	var cat *Catalog
	for attempt := range commitAttempts {
		if attempt > 0 {
			// Full jitter over an exponential ceiling (20 ms, doubling,
			// at most 1 s), so that writers that collided spread out.
			wait := time.Duration(rand.Int64N(int64(min(20*time.Millisecond<<attempt, time.Second))))
			select {
			case <-ctx.Done():
				s.discardUploads(0)
				s.discardKeyed(nil)
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		s.uploads.used = 0
		s.changing = ctx
		cat, err = s.Catalog()
		if err != nil {
			break
		}
		err = s.apply(ctx, cat, fn)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
		s.lostRaces++
	}
	if err == nil {
		s.discardUploads(s.uploads.used)
		s.discardKeyed(cat.objectRefs())
		return nil
	}
	s.discardUploads(0)
	s.discardKeyed(nil)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %d other changes committed first, one after another; try again", ErrBusy, commitAttempts)
	}
	return err
}

// uploads are the objects an Update on object storage uploaded, kept
// across its attempts.
type uploads struct {
	list []upload
	used int // how many the current attempt has taken
	// keyed are re-encrypted objects, by source object and recipients.
	keyed map[string]string
}

type upload struct {
	class, id, sum string
	to             string // the recipients it is encrypted to
	size           int64
}

// discardUploads removes the uploaded objects from the keep'th on.
func (s *Study) discardUploads(keep int) {
	if s.uploads == nil {
		return
	}
	var ids []string
	for _, u := range s.uploads.list[min(keep, len(s.uploads.list)):] {
		ids = append(ids, u.id)
	}
	s.deleteObjects(ids)
	s.uploads.list = s.uploads.list[:min(keep, len(s.uploads.list))]
}

// discardKeyed removes the re-encrypted objects refs (the committed
// catalogue's; nil when nothing committed) does not hold.
func (s *Study) discardKeyed(refs map[string]*Version) {
	if s.uploads == nil {
		return
	}
	var ids []string
	for k, id := range s.uploads.keyed {
		if refs[id] == nil {
			ids = append(ids, id)
			delete(s.uploads.keyed, k)
		}
	}
	s.deleteObjects(ids)
}

func (s *Study) deleteObjects(ids []string) {
	for _, id := range ids {
		if err := s.Store.Delete(context.Background(), objectKey(id)); err != nil {
			s.note(fmt.Sprintf("object %s could not be removed (%v); a later writer removes it", id, err))
		}
	}
}

// objectKey is the key of an object: objects/<first two hex digits>/<uuid>.age.
func objectKey(id string) string { return ObjectsDir + "/" + id[:2] + "/" + id + ".age" }

// objects is where the study's objects are written and read.
func (s *Study) objects(ctx context.Context) objectStore {
	if s.Store != nil {
		return storeObjects{ctx, s.Store}
	}
	return dirObjects{s.FS, s.Dir}
}

// storeObjects are objects on object storage.
type storeObjects struct {
	ctx context.Context
	b   store.Backend
}

func (o storeObjects) create(id string, fill func(io.Writer) error) error {
	_, err := o.b.PutNew(o.ctx, objectKey(id), fill)
	return err
}

func (o storeObjects) open(id string) (io.ReadCloser, error) {
	r, err := o.b.Get(o.ctx, objectKey(id))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// storeItems lists the items under prefix with their sizes and times.
func (s *Study) storeItems(ctx context.Context, prefix string) (map[string]store.Info, error) {
	items := map[string]store.Info{}
	err := s.Store.List(ctx, prefix, func(i store.Info) error {
		items[i.Key] = i
		return nil
	})
	return items, err
}

// storeStrays lists the objects no catalogue references, with their
// times, and apart from them the items under objects/ that do not have the
// form of an object (foreign: not the study's, never removed).
func (s *Study) storeStrays(ctx context.Context, cat *Catalog) (strays, foreign []store.Info, err error) {
	refs := cat.objectRefs()
	err = s.Store.List(ctx, ObjectsDir+"/", func(i store.Info) error {
		id, ok := objectID(i.Key)
		switch {
		case !ok:
			foreign = append(foreign, i)
		case refs[id] == nil:
			strays = append(strays, i)
		}
		return nil
	})
	return strays, foreign, err
}

// sweepStore removes objects no catalogue references and unfinished
// multipart uploads, once they are older than the grace period, and at
// once those a committed change replaced or erased (cat.Replaced).
func (s *Study) sweepStore(ctx context.Context, cat *Catalog) ([]string, error) {
	strays, _, err := s.storeStrays(ctx, cat)
	if err != nil {
		return nil, err
	}
	var notes []string
	// The objects a committed change replaced or erased (cat.Replaced)
	// that its writer did not remove go at once, whatever their age: no
	// live writer's upload is among them. Those that cannot be removed now
	// stay listed for the next writer.
	replaced := map[string]bool{}
	for _, id := range cat.Replaced {
		replaced[id] = true
	}
	cat.Replaced = nil
	cutoff := s.Now().Add(-orphanGrace)
	for _, i := range strays {
		if id, _ := objectID(i.Key); replaced[id] {
			if err := s.Store.Delete(ctx, i.Key); err != nil {
				cat.Replaced = append(cat.Replaced, id)
				notes = append(notes, fmt.Sprintf("%s, which a committed change replaced or erased, could not be removed (%v); the next command that changes the study retries", i.Key, err))
				continue
			}
			notes = append(notes, "removed "+i.Key+", which a committed change replaced or erased (the command that made it was interrupted before removing it)")
			continue
		}
		if i.Modified.After(cutoff) {
			continue
		}
		if err := s.Store.Delete(ctx, i.Key); errors.Is(err, store.ErrDenied) {
			// Housekeeping: credentials that may not delete still commit.
			notes = append(notes, fmt.Sprintf("%s, which no commit references, could not be removed (%v); a writer allowed to delete removes it", i.Key, err))
			continue
		} else if err != nil {
			return nil, fmt.Errorf("removing %s that no commit references: %w", i.Key, err)
		}
		notes = append(notes, "removed "+i.Key+" that no commit references (left by an interrupted command)")
	}
	if sw, ok := s.Store.(interface {
		SweepUploads(context.Context, time.Duration) ([]string, error)
	}); ok {
		keys, err := sw.SweepUploads(ctx, orphanGrace)
		if errors.Is(err, store.ErrDenied) {
			notes = append(notes, fmt.Sprintf("unfinished uploads were not swept (%v); a writer allowed to list and abort them does", err))
		} else if err != nil {
			return nil, err
		}
		for _, k := range keys {
			notes = append(notes, "aborted an unfinished upload of "+k+" (left by an interrupted command)")
		}
	}
	return notes, nil
}

// initStore refuses a prefix that already holds a study or its files, or
// that lies inside another study's prefix (whose writers would take the
// new study's items for their own). An enclosing prefix the credentials
// may not read is taken for no study.
func initStore(ctx context.Context, b store.Backend) error {
	if e, ok := b.(interface{ Enclosing() []store.Backend }); ok {
		for _, outer := range e.Enclosing() {
			r, err := outer.Get(ctx, ConfigFile)
			if err == nil {
				r.Close()
				return fmt.Errorf("%w: %s lies inside the study at %s; choose a prefix outside it (s3://BUCKET/OTHER-PREFIX)", ErrInvalid, b, outer)
			}
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, store.ErrDenied) {
				return err
			}
		}
	}
	found := ""
	err := b.List(ctx, "", func(i store.Info) error {
		if found == "" {
			found = i.Key
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case found == "":
		return nil
	case found == ConfigFile:
		return fmt.Errorf("%w: %s", ErrExists, b)
	default:
		return fmt.Errorf("%w: %s already holds items (%s); choose an empty prefix", ErrExists, b, found)
	}
}

// intentDir is where intent files of outputs being staged are kept: the
// vault directory, or for a study on object storage a directory of the
// researcher's machine (the outputs are local files; a bucket shared by a
// team is no place for their paths).
func (s *Study) intentDir() (string, error) {
	if s.Store == nil {
		return s.Dir, nil
	}
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the state directory for output records: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(base, "fieldvault", "studies", s.Config.StudyID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the state directory for output records: %w", err)
	}
	return dir, nil
}

// newCommitID marks a commit so that its writer recognises it after a lost answer.
func newCommitID() string { return uuid.NewString() }

// commitStore replaces the catalogue by a conditional write on the version
// read (the commit point), then writes the entries' audit segment; if that
// fails they stay pending in the catalogue and the next writer writes it.
func (s *Study) commitStore(cat *Catalog, sealed []Entry, rcpts []age.Recipient) error {
	cat.Commit = newCommitID()
	data, err := json.Marshal(cat)
	if err != nil {
		return err
	}
	if err := s.replaceCatalog(cat, encryptFill(data, rcpts)); err != nil {
		return fmt.Errorf("writing the catalogue: %w", err)
	}
	if err := s.writeSegment(sealed); err != nil {
		s.note(fmt.Sprintf("the audit segment could not be written (%v); the entries are held in the catalogue and the next command writes them", err))
	}
	return nil
}

// recoverStore is recover on object storage: it records an exit a crash
// kept from the log (intent files are on this machine), and removes
// objects and uploads no commit references once they are older than the
// grace period. A pending audit segment is written by the commit.
func (s *Study) recoverStore(ctx context.Context, cat *Catalog) error {
	notes, delivered, err := s.cleanIntents()
	if err != nil {
		return err
	}
	if s.configStale {
		// Best effort: readers take the catalogue's copy meanwhile.
		_, ver, err := getItem(ctx, s.Store, ConfigFile)
		if err == nil {
			s.configVersion = ver
			err = s.writeConfig(s.Config)
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s could not be rewritten to the recipients the catalogue holds (%v); a later writer retries", ConfigFile, err))
		} else {
			s.configStale = false
			notes = append(notes, "rewrote "+ConfigFile+" to the recipients a committed change left in the catalogue")
		}
	}
	if len(delivered) > 0 {
		if err := s.recordDelivered(cat, delivered); err != nil {
			return err
		}
	}
	swept, err := s.sweepStore(ctx, cat)
	if err != nil {
		return err
	}
	for _, n := range append(notes, swept...) {
		s.note(n)
	}
	return nil
}

// createConfig writes fieldvault.json for a new study: last, since a
// vault without it is not a vault.
func (s *Study) createConfig(ctx context.Context) error {
	if s.Store == nil {
		return writeConfig(s.FS, s.Dir, s.Config)
	}
	var buf bytes.Buffer
	if err := encodeConfig(&buf, s.Config); err != nil {
		return err
	}
	info, err := s.Store.PutNew(ctx, ConfigFile, bytesFill(buf.Bytes()))
	if err != nil {
		return err
	}
	s.configVersion = info.Version
	return nil
}

// presence returns a check that names what is wrong with an object's
// presence ("" when it is there): a stat on a directory, one listing of
// the objects on object storage, with the object itself asked for when
// the listing does not show it (a store may answer listings from a
// lagging index). An error is the store's: it failed, not the object.
func (s *Study) presence(ctx context.Context) (func(id string) (string, error), error) {
	if s.Store == nil {
		return func(id string) (string, error) {
			fi, err := os.Stat(objectPath(s.Dir, id))
			switch {
			case err != nil:
				return "object file is missing", nil
			case !fi.Mode().IsRegular():
				return "object is " + store.FileKind(fi.Mode()) + ", not a regular file", nil
			}
			return "", nil
		}, nil
	}
	items, err := s.storeItems(ctx, ObjectsDir+"/")
	if err != nil {
		return nil, err
	}
	return func(id string) (string, error) {
		if _, ok := items[objectKey(id)]; ok {
			return "", nil
		}
		r, err := s.Store.Get(ctx, objectKey(id))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "object is missing", nil
		case err != nil:
			return "", err
		}
		r.Close()
		return "", nil
	}, nil
}

// verifyStrays notes the objects on object storage that no commit
// references: younger than the grace period they may be a live writer's
// upload; older ones the next writer removes.
func (s *Study) verifyStrays(ctx context.Context, cat *Catalog, rep *VerifyReport) error {
	strays, foreign, err := s.storeStrays(ctx, cat)
	if err != nil {
		return err
	}
	for _, i := range foreign {
		rep.Notes = append(rep.Notes, i.Key+" is not an object of this study (another study under its prefix, or a file someone put there); it is left alone, but keep each study under a prefix of its own")
	}
	replaced := map[string]bool{}
	for _, id := range cat.Replaced {
		replaced[id] = true
	}
	cutoff := s.Now().Add(-orphanGrace)
	for _, i := range strays {
		if id, _ := objectID(i.Key); replaced[id] {
			rep.Notes = append(rep.Notes, i.Key+" was replaced or erased by a committed change (a re-encryption, an erase) whose command was interrupted before removing it; the next command that changes the study removes it")
			continue
		}
		if i.Modified.After(cutoff) {
			rep.Notes = append(rep.Notes, i.Key+" is not referenced by the catalogue (an upload not committed yet, or left by an interrupted command); if no commit takes it, a writer removes it once it is "+orphanGrace.String()+" old")
			continue
		}
		rep.Notes = append(rep.Notes, i.Key+" is not referenced by the catalogue (left by an interrupted command or an unfinished erase); the next command that changes the study removes it")
	}
	if ul, ok := s.Store.(interface {
		Uploads(context.Context) ([]store.Info, error)
	}); ok {
		ups, err := ul.Uploads(ctx)
		if errors.Is(err, store.ErrDenied) {
			// Read-only credentials (an officer's) may not list uploads.
			rep.Notes = append(rep.Notes, "unfinished uploads were not checked: these credentials may not list them")
		} else if err != nil {
			return err
		}
		for _, u := range ups {
			when := "the next command that changes the study aborts it"
			if u.Modified.After(cutoff) {
				when = "if it is not completed, a writer aborts it once it is " + orphanGrace.String() + " old"
			}
			rep.Notes = append(rep.Notes, "an unfinished upload of "+u.Key+", begun "+u.Modified.UTC().Format(time.RFC3339)+" (a command in progress, or one interrupted mid-upload), holds parts in the bucket; "+when)
		}
	}
	return nil
}

// hasLocalKey reports whether the local pseudonym key file is present.
func (s *Study) hasLocalKey(ctx context.Context) bool {
	if s.Store == nil {
		_, err := os.Stat(filepath.Join(s.Dir, LocalKeyFile))
		return err == nil
	}
	r, err := s.Store.Get(ctx, LocalKeyFile)
	if err != nil {
		return false
	}
	r.Close()
	return true
}

// vaultFile is a file of the vault being copied by a backup.
type vaultFile struct {
	io.ReadCloser
	size     int64
	modified time.Time
}

// openVaultFile opens a file of the vault at cat for a backup, by its
// name in a directory vault. On object storage audit.jsonl is the segments
// joined, up to the entries cat committed, so the copy is a directory
// vault; a catalogue another writer replaced meanwhile is a lost race
// (store.ErrConflict: the backup runs again).
func (s *Study) openVaultFile(ctx context.Context, cat *Catalog, rel string) (*vaultFile, error) {
	if s.Store == nil {
		f, err := openRegular(filepath.Join(s.Dir, rel))
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		return &vaultFile{f, fi.Size(), fi.ModTime()}, nil
	}
	if rel == AuditFile {
		_, lines, err := s.readLogStore()
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if uint64(len(lines)) > cat.Audit.Seq {
			lines = lines[:cat.Audit.Seq]
		}
		for _, l := range lines {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		return &vaultFile{io.NopCloser(&buf), int64(buf.Len()), s.Now()}, nil
	}
	r, err := s.Store.Get(ctx, filepath.ToSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, integrity("%s is missing", filepath.ToSlash(rel))
	}
	if err != nil {
		return nil, err
	}
	if rel == CatalogFile {
		if v, err := r.Version(); err != nil || v != cat.version {
			r.Close()
			if err == nil {
				err = fmt.Errorf("copying %s: %w", CatalogFile, store.ErrConflict)
			}
			return nil, err
		}
	}
	return &vaultFile{r, r.Size, r.Modified}, nil
}

// storeFiles lists what a backup of a study on object storage copies, by
// the names of a directory vault: the config, the catalogue, the audit
// log (its segments joined), the local pseudonym key and the objects the
// catalogue references (an upload not committed is not part of the
// study). The list comes from the catalogue, not from a listing of the
// bucket, which a store may answer from a lagging index: an item missing
// is found when it is copied.
func (s *Study) storeFiles(cat *Catalog) ([]string, error) {
	out := []string{ConfigFile, CatalogFile, AuditFile}
	if s.Config.KeyProvider.Type == ProviderLocal {
		out = append(out, LocalKeyFile)
	}
	for _, id := range sortedKeys(cat.objectRefs()) {
		out = append(out, filepath.FromSlash(objectKey(id)))
	}
	return out, nil
}

// changeRecipientsStore is a recipient change on object storage. Objects
// are immutable there: each object of a changed class is re-encrypted to
// a new object under a fresh UUID that the new catalogue references (the
// old ones are removed after the commit), and the catalogue carries the
// new config, so that the change is one conditional write; fieldvault.json
// follows after the commit (a reader takes the catalogue's copy when the
// two differ, and the next writer rewrites the file). The pseudonym key
// file is replaced before the commit and put back if the change does not
// commit; the acting researcher reads it under both configs.
func (s *Study) changeRecipientsStore(tx *Tx, action string, old, cfg *Config, res *RecipientChange) error {
	ctx := tx.ctx
	for _, class := range res.Classes {
		rcpts, err := parseRecipients(cfg.Recipients[class])
		if err != nil {
			return err
		}
		for _, d := range tx.Cat.Documents {
			for _, v := range d.Versions {
				if v.Object == "" || v.Class != class {
					continue
				}
				id, err := s.reencryptObject(ctx, v, rcpts)
				if err != nil {
					return fmt.Errorf("re-encrypting %s v%d: %w", d.Handle, v.N, err)
				}
				tx.RemoveObject(v.Object)
				v.Object = id
				res.Files++
			}
		}
		if class == ClassRaw && s.Config.KeyProvider.Type == ProviderLocal {
			oldRcpts, err := parseRecipients(old.Recipients[class])
			if err != nil {
				return err
			}
			if err := s.replaceLocalKey(ctx, rcpts); err != nil {
				return fmt.Errorf("re-encrypting the pseudonym key: %w", err)
			}
			tx.OnAbort(func() {
				if err := s.replaceLocalKey(context.WithoutCancel(ctx), oldRcpts); err != nil {
					s.note(fmt.Sprintf("the pseudonym key could not be put back to the previous recipients (%v); repeat the recipient change", err))
				}
			})
			res.Files++
		}
	}
	c := *cfg
	tx.Cat.Config = &c
	s.Config = cfg
	tx.OnAbort(func() { s.Config = old })
	tx.OnCommit(func() {
		if err := s.writeConfig(cfg); err != nil {
			s.note(fmt.Sprintf("%s could not be rewritten (%v); the catalogue holds the change and the next command that changes the study writes it", ConfigFile, err))
		}
	})
	tx.Audit(Entry{Action: action, Detail: map[string]string{
		"role": res.Person.Role, "recipient": res.Person.Recipient, "reencrypted": strings.Join(res.Classes, ","), "files": fmt.Sprint(res.Files)}})
	return nil
}

// reencryptObject streams an object through decryption and encryption to
// rcpts into a new object, checked against v's record; an attempt run
// again after a lost race reuses what it uploaded.
func (s *Study) reencryptObject(ctx context.Context, v *Version, rcpts []age.Recipient) (string, error) {
	key := v.Object + " " + strings.Join(recipientStrings(rcpts), ",")
	if u := s.uploads; u != nil {
		if id, ok := u.keyed[key]; ok {
			return id, nil
		}
	}
	r, err := s.Store.Get(ctx, objectKey(v.Object))
	if errors.Is(err, fs.ErrNotExist) {
		return "", integrity("object %s is missing", v.Object)
	}
	if err != nil {
		return "", err
	}
	defer r.Close()
	plain, err := decrypt(bufio.NewReaderSize(r, readBufSize), s.Identity, "this material ("+v.Class+" class)", v.Class, true)
	if err != nil {
		return "", err
	}
	id := uuid.NewString()
	if err := s.objects(ctx).create(id, reencryptFill(plain, v, rcpts)); err != nil {
		return "", err
	}
	if u := s.uploads; u != nil {
		if u.keyed == nil {
			u.keyed = map[string]string{}
		}
		u.keyed[key] = id
	}
	return id, nil
}

func recipientStrings(rcpts []age.Recipient) []string {
	out := make([]string, len(rcpts))
	for i, r := range rcpts {
		out[i] = fmt.Sprint(r)
	}
	return out
}

// replaceLocalKey re-encrypts the local pseudonym key to rcpts (the same
// key) by a conditional write on the version read.
func (s *Study) replaceLocalKey(ctx context.Context, rcpts []age.Recipient) error {
	key, err := s.storedKey()
	if err != nil {
		return err
	}
	_, ver, err := getItem(ctx, s.Store, LocalKeyFile)
	if err != nil {
		return err
	}
	_, err = s.Store.Replace(ctx, LocalKeyFile, ver, encryptFill(key, rcpts))
	return err
}
