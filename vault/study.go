package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/google/uuid"
)

// Study is an opened study vault.
type Study struct {
	// Dir is the vault's directory, or its s3://BUCKET/PREFIX location
	// when Store is set.
	Dir string
	// Store is the object store a study on object storage lives in; nil
	// for a directory vault.
	Store    store.Backend
	Config   *Config
	Identity *Identity
	FS       FS
	Now      func() time.Time
	// Progress, when set, receives (done, total) bytes during long work.
	Progress func(done, total int64)
	// Notes receives what a writer cleaned up after an interrupted command.
	Notes func(string)

	providers     Providers
	keyerCache    redact.Keyer
	keyCheckCache string
	// changing is the context of the change in progress (set by Update),
	// so that long reads deep in it (parsing a stored version) stop when
	// the command is interrupted.
	changing context.Context
	// configVersion is the store's version of fieldvault.json as read
	// (object storage), for the conditional write that replaces it.
	configVersion string
	// configStale: the catalogue holds a newer config than fieldvault.json
	// (a recipient change on object storage whose config write failed).
	configStale bool
	// uploads are the objects an Update on object storage uploaded,
	// reused when it runs its change again after losing a race.
	uploads *uploads
	// lostRaces counts the commits this Study had to run again.
	lostRaces int
	// live marks this process's intent files on object storage (where no
	// lock keeps writers apart) as a live command's: see newIntent.
	live *liveIntents
}

// Options configure Open and Init.
type Options struct {
	IdentityFile string // "" = $FIELDVAULT_IDENTITY, else the default path
	// Passphrase asks for the passphrase of a protected identity file; nil
	// when none can be asked for.
	Passphrase PassphraseFunc
	FS         FS // nil = OS
	Now        func() time.Time
	// Providers chooses the key provider and the audit anchor for the
	// study's config (cmd passes vault/keys.For). nil: none, and every use
	// of the pseudonym key fails.
	Providers func(*Config) Providers
	// Store, if set, is the object store to use instead of the one an
	// s3:// location names (tests hand in a store that fails on purpose).
	Store store.Backend
}

func (o Options) providers(cfg *Config) Providers {
	if o.Providers == nil {
		return Providers{}
	}
	return o.Providers(cfg)
}

func (o Options) fs() FS {
	if o.FS == nil {
		return OS{}
	}
	return o.FS
}

func (o Options) now() func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}

// InitOptions configure a new study vault.
type InitOptions struct {
	Options
	Name                 string
	Recipients           []string // extra researcher recipients (both classes)
	EthicsRecipients     []string // catalog class only
	SupervisorRecipients []string // raw class, and the catalogue opening needs
	// KeyProvider is ProviderLocal (default) or ProviderTransit; for Transit,
	// Transit must carry the mount, key and the version to pin (the caller
	// checks the key with package vault/keys/hcvault first).
	KeyProvider string
	Transit     *TransitConfig
	// NewPassphrase, if set, protects an identity that init creates.
	NewPassphrase string
	// Locale picks the name lists person pseudonyms are drawn from
	// (redact.Locales; "" = redact.DefaultLocale). The catalogue's
	// pseudonym registry records it, so it never changes for the study.
	Locale string
}

// InitResult says what Init created.
type InitResult struct {
	Study           *Study
	IdentityCreated bool
	IdentityPath    string
}

// Init creates a study vault in dir, creating the researcher's identity
// first if there is none. It refuses an existing vault.
func Init(ctx context.Context, dir string, opts InitOptions) (*InitResult, error) {
	fsys := opts.fs()
	now := opts.now()
	b, err := backendFor(ctx, dir, opts.Options)
	if err != nil {
		return nil, err
	}
	if b != nil {
		if err := initStore(ctx, b); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, dir)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		for _, e := range entries {
			if e.Name() == CatalogFile || e.Name() == AuditFile || e.Name() == ObjectsDir {
				return nil, fmt.Errorf("%w: %s holds vault files but no %s", ErrExists, dir, ConfigFile)
			}
		}
	}
	idPath, err := IdentityPath(opts.IdentityFile)
	if err != nil {
		return nil, err
	}
	res := &InitResult{IdentityPath: idPath}
	id, err := LoadIdentity(idPath, opts.Passphrase)
	if errors.Is(err, ErrNoIdentity) {
		id, err = CreateIdentity(idPath, now(), opts.NewPassphrase)
		res.IdentityCreated = err == nil
	}
	if err != nil {
		return nil, err
	}
	if id.Recipient == "" {
		return nil, fmt.Errorf("%w: identity file %s holds no age X25519 identity to derive the researcher's recipient from; pass --recipient", ErrInvalid, idPath)
	}
	locale := opts.Locale
	if locale == "" {
		locale = redact.DefaultLocale
	}
	reg, err := redact.NewRegistryLocale(locale)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var people []Person
	seen := map[string]bool{}
	for _, g := range []struct {
		role string
		list []string
	}{{RoleResearcher, append([]string{id.Recipient}, opts.Recipients...)}, {RoleSupervisor, opts.SupervisorRecipients}, {RoleEthics, opts.EthicsRecipients}} {
		for _, r := range g.list {
			if r = strings.TrimSpace(r); r != "" && !seen[r] {
				seen[r] = true
				people = append(people, Person{Recipient: r, Role: g.role, Added: now().UTC()})
			}
		}
	}
	cfg := (&Config{
		Format:      FormatVersion,
		StudyID:     uuid.NewString(),
		Name:        opts.Name,
		KeyProvider: KeyProvider{Type: ProviderLocal},
	}).withPeople(people)
	if opts.KeyProvider == ProviderTransit {
		if opts.Transit == nil || opts.Transit.Key == "" || opts.Transit.KeyVersion < 1 {
			return nil, fmt.Errorf("%w: the hashicorp-vault key provider needs a transit key and a pinned version", ErrInvalid)
		}
		cfg.KeyProvider = KeyProvider{Type: ProviderTransit, Transit: opts.Transit}
	} else if opts.KeyProvider != "" && opts.KeyProvider != ProviderLocal {
		return nil, fmt.Errorf("%w: unknown key provider %q (use local or hashicorp-vault)", ErrInvalid, opts.KeyProvider)
	}
	for _, class := range []string{ClassCatalog, ClassRaw} {
		if _, err := parseRecipients(cfg.Recipients[class]); err != nil {
			return nil, err
		}
	}
	if b == nil {
		if err := fsys.MkdirAll(filepath.Join(dir, ObjectsDir), 0o700); err != nil {
			return nil, fmt.Errorf("creating the vault directory: %w", err)
		}
	}
	// Init holds the writer's lock like every change; the lock file exists
	// from the start, so a later command's lock leaves no new file behind.
	l, err := acquire(dir, true)
	if err != nil {
		return nil, err
	}
	defer l.release()
	s := &Study{Dir: dir, Store: b, Config: cfg, Identity: id, FS: fsys, Now: now, providers: opts.providers(cfg), changing: ctx}
	defer func() { s.changing = nil }()
	// The catalogue first, the config last: a vault without fieldvault.json
	// is not a vault, so a crash during init leaves nothing that opens.
	cat := &Catalog{Format: FormatVersion, StudyID: cfg.StudyID, Next: map[string]int{}, Pseudonyms: reg}
	entry := Entry{Action: "init", Detail: map[string]string{"key_provider": cfg.KeyProvider.Type, "locale": locale}}
	if s.providers.Key == nil {
		return nil, fmt.Errorf("%w: no key provider for %q", ErrInvalid, cfg.KeyProvider.Type)
	}
	key, err := s.providers.Key.NewKey()
	if err != nil {
		return nil, err
	}
	if key != nil {
		if err := s.storeKey(key); err != nil {
			return nil, err
		}
	}
	check, err := s.keyCheck(ctx)
	if err != nil {
		return nil, err
	}
	cat.KeyCheck, cfg.KeyCheck = check, check
	if err := s.commit(cat, []Entry{entry}); err != nil {
		return nil, err
	}
	if err := s.createConfig(ctx); err != nil {
		return nil, fmt.Errorf("writing %s: %w", ConfigFile, err)
	}
	res.Study = s
	return res, nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Open opens an existing study vault for reading; Update changes it.
func Open(dir string, opts Options) (*Study, error) {
	b, err := backendFor(context.Background(), dir, opts)
	if err != nil {
		return nil, err
	}
	var cfg *Config
	var cfgVersion string
	if b != nil {
		cfg, cfgVersion, err = readConfigStore(context.Background(), b)
	} else {
		cfg, err = readConfig(dir)
	}
	if err != nil {
		return nil, err
	}
	idPath, err := IdentityPath(opts.IdentityFile)
	if err != nil {
		return nil, err
	}
	id, err := LoadIdentity(idPath, opts.Passphrase)
	if err != nil {
		return nil, err
	}
	return &Study{Dir: dir, Store: b, configVersion: cfgVersion, Config: cfg, Identity: id, FS: opts.fs(), Now: opts.now(), providers: opts.providers(cfg)}, nil
}

// Catalog reads the current catalogue (no lock: the file is replaced
// atomically, so a reader sees one whole generation).
func (s *Study) Catalog() (*Catalog, error) {
	if s.Store != nil {
		return s.catalogStore()
	}
	c, err := readCatalog(s.Dir, s.Identity, s.listed(ClassCatalog))
	if err != nil {
		return nil, err
	}
	if err := s.checkConfigPin(c); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Study) recipients(class string) ([]age.Recipient, error) {
	list := s.Config.Recipients[class]
	if len(list) == 0 {
		return nil, integrity("%s names no %s recipients", ConfigFile, class)
	}
	return parseRecipients(list)
}

// actor is how the audit log names who acted: the identity's public
// recipient (never a person's name).
func (s *Study) actor() string {
	if s.Identity.Recipient != "" {
		return s.Identity.Recipient
	}
	return "ssh-identity"
}

// Tx is one change to the vault, made under the writer's lock.
type Tx struct {
	Cat     *Catalog
	s       *Study
	ctx     context.Context
	entries []Entry
	created []string // objects written in this change
	remove  []string // objects to remove once committed
	// keepAudit marks entries to commit even when the change fails (refusals).
	keepAudit  []Entry
	deliveries []delivery
	onCommit   []func()
	onAbort    []func()
}

// A delivery lets an exit's output out: deliver runs once the change is
// complete and before it commits, so that the audit log records an exit
// only when its output was delivered; undo, if not nil, takes the output
// back should the commit then fail.
type delivery struct {
	deliver func() error
	undo    func()
}

// Deliver registers an output to deliver when the change is complete. If
// delivery fails, the change is dropped and its entries are committed with
// the outcome "failed".
func (tx *Tx) Deliver(deliver func() error, undo func()) {
	tx.deliveries = append(tx.deliveries, delivery{deliver, undo})
}

// OnCommit runs f after the change (and its audit entries) committed.
func (tx *Tx) OnCommit(f func()) { tx.onCommit = append(tx.onCommit, f) }

// OnAbort runs f if the change does not commit.
func (tx *Tx) OnAbort(f func()) { tx.onAbort = append(tx.onAbort, f) }

func (tx *Tx) abort() {
	for _, f := range tx.onAbort {
		f()
	}
	tx.s.discard(tx.created)
}

// Audit adds an entry to commit with the change.
func (tx *Tx) Audit(e Entry) { tx.entries = append(tx.entries, e) }

// AuditAlways adds an entry that is committed even if the change fails: a
// refusal by the gate is recorded though nothing else changes.
func (tx *Tx) AuditAlways(e Entry) { tx.keepAudit = append(tx.keepAudit, e) }

// Now is the change's clock.
func (tx *Tx) Now() time.Time { return tx.s.Now() }

// PutObject streams src into a new object encrypted to the class's
// recipients. It is removed again if the change fails.
func (tx *Tx) PutObject(src io.Reader, class string, total int64) (id string, size int64, sum string, err error) {
	rcpts, err := tx.s.recipients(class)
	if err != nil {
		return "", 0, "", err
	}
	var progress func(int64)
	if tx.s.Progress != nil {
		progress = func(n int64) { tx.s.Progress(n, total) }
	}
	to := strings.Join(tx.s.Config.Recipients[class], ",")
	if u := tx.s.uploads; u != nil {
		// On object storage: an earlier attempt of this change may have
		// uploaded it already, encrypted to the recipients of then; a
		// recipient change committed meanwhile (a supervisor removed)
		// means it is uploaded again for the recipients of now.
		if u.used < len(u.list) && u.list[u.used].class == class && u.list[u.used].to == to {
			up := u.list[u.used]
			u.used++
			return up.id, up.size, up.sum, nil
		}
		tx.s.discardUploads(u.used)
	}
	id, size, sum, err = putObject(tx.s.objects(tx.ctx), transcript.ContextReader(tx.ctx, src), rcpts, progress)
	if err != nil {
		return "", 0, "", err
	}
	if u := tx.s.uploads; u != nil {
		u.list = append(u.list, upload{class: class, to: to, id: id, sum: sum, size: size})
		u.used++
		return id, size, sum, nil // removed by updateStore if unused in the end
	}
	tx.created = append(tx.created, id)
	return id, size, sum, nil
}

// RemoveObject removes an object once the change has committed.
func (tx *Tx) RemoveObject(id string) { tx.remove = append(tx.remove, id) }

// Write is Update for a change to the study's records (the register,
// consent, flags, documents): it refuses an identity that is only an
// ethics-officer recipient (a catalogue recipient who is no recipient of
// raw material). The tool enforces this, not the cryptography: the officer
// holds the catalogue key and could write a catalogue by other means; the
// audit chain and the researcher's own copy would show it.
func (s *Study) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if s.officerOnly() {
		return ErrReadOnly
	}
	if p, ok := s.Config.Person(s.Identity.Recipient); ok && len(s.Config.People) > 0 && p.Removed == nil && p.Role == RoleSupervisor {
		return ErrSupervisorReadOnly
	}
	return s.Update(ctx, fn)
}

// officerOnly reports whether the identity is listed for the catalogue but
// not for raw material: the ethics officer's role.
func (s *Study) officerOnly() bool {
	return s.listed(ClassCatalog) && !s.listed(ClassRaw)
}

// sayRole makes a refusal to decrypt raw material name the identity's role
// when it is an ethics officer's.
func (s *Study) sayRole(err error) {
	var re *RecipientError
	if errors.As(err, &re) && s.officerOnly() {
		re.Officer = true
	}
}

// SayRole is sayRole for a read outside a change (the scan of a
// document): it returns err, naming the role in a refusal to decrypt raw
// material when the identity is an ethics officer's.
func (s *Study) SayRole(err error) error {
	s.sayRole(err)
	return err
}

// Update applies fn to a fresh catalogue under the writer's lock and commits
// it with its audit entries. If fn fails nothing changes, except that
// entries added with AuditAlways are still committed.
func (s *Study) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if s.Store != nil {
		return s.updateStore(ctx, fn)
	}
	l, err := acquireContext(ctx, s.Dir, true)
	if err != nil {
		return err
	}
	defer l.release()
	cat, err := s.Catalog()
	if err != nil {
		return err
	}
	return s.apply(ctx, cat, fn)
}

// apply runs fn on cat and commits the result (see Update). On object
// storage a commit that lost the race fails with store.ErrConflict, having
// taken back what it delivered.
func (s *Study) apply(ctx context.Context, cat *Catalog, fn func(tx *Tx) error) error {
	if err := s.checkAnchorBeforeWrite(ctx, cat); err != nil {
		return err
	}
	if err := s.recover(ctx, cat); err != nil {
		return err
	}
	tx := &Tx{Cat: cat, s: s, ctx: ctx}
	s.changing = ctx
	defer func() { s.changing = nil }()
	ferr := s.pinIfUnpinned(tx)
	if ferr == nil {
		ferr = fn(tx)
	}
	if ferr == nil {
		ferr = ctx.Err()
	}
	s.sayRole(ferr)
	if ferr == nil {
		if ferr = tx.deliver(); ferr != nil {
			tx.keepAudit = append(tx.keepAudit, deliveryEntries(tx.entries, ferr)...)
		}
	}
	if ferr != nil {
		tx.abort()
		if len(tx.keepAudit) == 0 {
			return ferr
		}
		clean, err := s.commitAudit(tx.keepAudit)
		if err != nil {
			return errors.Join(ferr, fmt.Errorf("recording the refused or failed exit in the audit log: %w", err))
		}
		s.anchor(ctx, clean.Audit)
		return ferr
	}
	if s.Store != nil {
		cat.Replaced = append(cat.Replaced, tx.remove...)
	}
	if err := s.commit(cat, append(tx.keepAudit, tx.entries...)); err != nil {
		tx.undeliver()
		tx.abort()
		return err
	}
	s.anchor(ctx, cat.Audit)
	s.syncConfigPin(cat)
	for _, f := range tx.onCommit {
		f()
	}
	for _, id := range tx.remove {
		crashPoint("before-object-remove")
		if err := s.removeObject(ctx, id); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.note(fmt.Sprintf("object %s could not be removed (%v); the next writer retries", id, err))
		}
	}
	if len(tx.remove) > 0 && s.Store == nil {
		s.FS.SyncDir(filepath.Join(s.Dir, ObjectsDir))
	}
	return nil
}

// deliver lets the change's outputs out; if one fails, those already
// delivered are taken back where they can be.
func (tx *Tx) deliver() error {
	for i, d := range tx.deliveries {
		if err := d.deliver(); err != nil {
			tx.deliveries = tx.deliveries[:i]
			tx.undeliver()
			return err
		}
	}
	return nil
}

func (tx *Tx) undeliver() {
	for _, d := range tx.deliveries {
		if d.undo != nil {
			d.undo()
		}
	}
}

// failedEntries are the entries of a change whose output could not be
// delivered, recorded with the outcome "failed": the exit was attempted,
// nothing left. A key pin made in the change is not recorded (the change,
// and so the pin, is dropped).
func failedEntries(entries []Entry) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.Action == "key-pin" {
			continue
		}
		e.Outcome = "failed"
		out = append(out, e)
	}
	return out
}

func (s *Study) note(msg string) {
	if s.Notes != nil {
		s.Notes(msg)
	}
}

func (s *Study) discard(ids []string) {
	for _, id := range ids {
		s.removeObject(context.Background(), id)
	}
}

func (s *Study) removeObject(ctx context.Context, id string) error {
	if s.Store != nil {
		return s.Store.Delete(ctx, objectKey(id))
	}
	return s.FS.Remove(objectPath(s.Dir, id))
}

// commitAudit commits entries alone (a refusal, a failed exit, an exit
// whose output to a stream was cut short) on a fresh catalogue; on object
// storage again on the winner's if another writer committed first. A
// partial exit let words out: it is counted as the participants' exit.
func (s *Study) commitAudit(entries []Entry) (*Catalog, error) {
	for range commitAttempts {
		cat, err := s.Catalog()
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Outcome == OutcomePartial && IsExitAction(e.Action) {
				cat.countExit(e.Participants, s.Now())
			}
		}
		err = s.commit(cat, entries)
		if !errors.Is(err, store.ErrConflict) {
			return cat, err
		}
	}
	return nil, fmt.Errorf("%w: other changes kept committing first; try again", ErrBusy)
}

// commit seals the entries onto the catalogue's head, writes the catalogue,
// then appends the entries to the log.
func (s *Study) commit(cat *Catalog, entries []Entry) error {
	if s.Store != nil {
		// The entries the catalogue read holds as pending become a
		// segment before a new generation replaces them.
		if err := s.writeSegment(cat.Audit.Pending); err != nil {
			return fmt.Errorf("completing the audit log: %w", err)
		}
	}
	head := cat.Audit
	sealed := make([]Entry, len(entries))
	for i, e := range entries {
		if e.Time.IsZero() {
			e.Time = s.Now()
		}
		if e.Actor == "" {
			e.Actor = s.actor()
		}
		if e.Outcome == "" {
			e.Outcome = "ok"
		}
		e.seal(head.Seq+1, head.Hash)
		head.Seq, head.Hash = e.Seq, e.Hash
		sealed[i] = e
	}
	head.Pending = sealed
	cat.Audit = head
	cat.Generation++
	cat.ConfigPin = pinOf(s.Config)
	cat.ensureIntentKey()
	rcpts, err := s.recipients(ClassCatalog)
	if err != nil {
		return err
	}
	if s.Store != nil {
		return s.commitStore(cat, sealed, rcpts)
	}
	if err := writeCatalog(s.FS, s.Dir, cat, rcpts); err != nil {
		var ds *dirSyncError
		if !errors.As(err, &ds) {
			return fmt.Errorf("writing the catalogue: %w", err)
		}
		// The new catalogue is in place: the change has happened.
		s.note(fmt.Sprintf("the catalogue was replaced but its directory could not be synced (%v); check the disk", ds.err))
	}
	if err := appendLog(s.FS, s.Dir, sealed); err != nil {
		// The catalogue holds the entries; the next writer appends them.
		s.note(fmt.Sprintf("the audit log could not be appended to (%v); the entries are held in the catalogue and the next command appends them", err))
	}
	return nil
}

// recover runs under the lock before a change: it completes an interrupted
// audit append, removes temp files and objects no catalogue references (an
// ingest a crash interrupted, or an erase not yet finished), and reports
// what it did.
func (s *Study) recover(ctx context.Context, cat *Catalog) error {
	if s.Store != nil {
		return s.recoverStore(ctx, cat)
	}
	notes, err := reconcileLog(s.FS, s.Dir, cat.Audit)
	if err != nil {
		return err
	}
	if resumed, err := s.resumeRekey(ctx, cat); err != nil {
		return err
	} else if resumed {
		notes = append(notes, "finished a re-encryption to changed recipients that an interrupted command began")
	}
	cleaned, delivered, err := s.cleanIntents()
	if err != nil {
		return err
	}
	notes = append(notes, cleaned...)
	if len(delivered) > 0 {
		if err := s.recordDelivered(cat, delivered); err != nil {
			return err
		}
		// Complete the log now: the change that follows commits its own
		// pending entries over these.
		more, err := reconcileLog(s.FS, s.Dir, cat.Audit)
		if err != nil {
			return err
		}
		notes = append(notes, more...)
	}
	strays, err := s.strays(cat)
	if err != nil {
		return err
	}
	for _, p := range strays {
		if err := s.FS.Remove(filepath.Join(s.Dir, p)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("removing %s left by an interrupted command: %w", p, err)
		}
		notes = append(notes, "removed "+p+" left by an interrupted command")
	}
	for _, n := range notes {
		s.note(n)
	}
	return nil
}

// recordDelivered commits the exits an interrupted command delivered
// before it could record them.
func (s *Study) recordDelivered(cat *Catalog, delivered []Entry) error {
	for _, e := range delivered {
		if IsExitAction(e.Action) {
			cat.countExit(e.Participants, s.Now())
		}
	}
	if err := s.commit(cat, delivered); err != nil {
		return fmt.Errorf("recording an exit delivered before an interruption: %w", err)
	}
	return nil
}

// strays lists temp files and unreferenced objects, relative to the vault.
func (s *Study) strays(cat *Catalog) ([]string, error) {
	var out []string
	refs := cat.objectRefs()
	top, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	for _, e := range top {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			out = append(out, e.Name())
		}
	}
	for _, sub := range []string{KeysDir} {
		entries, _ := os.ReadDir(filepath.Join(s.Dir, sub))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tempPrefix) {
				out = append(out, filepath.Join(sub, e.Name()))
			}
		}
	}
	shards, err := os.ReadDir(filepath.Join(s.Dir, ObjectsDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, sh := range shards {
		if !sh.IsDir() {
			out = append(out, filepath.Join(ObjectsDir, sh.Name()))
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.Dir, ObjectsDir, sh.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := f.Name()
			id := strings.TrimSuffix(name, ".age")
			if strings.HasPrefix(name, tempPrefix) || refs[id] == nil || id[:2] != sh.Name() {
				out = append(out, filepath.Join(ObjectsDir, sh.Name(), name))
			}
		}
	}
	return out, nil
}

// listed reports whether the identity's recipient is among the class's
// recipients (unknown for identities without an X25519 recipient).
func (s *Study) listed(class string) bool {
	if s.Identity.Recipient == "" {
		return false
	}
	for _, r := range s.Config.Recipients[class] {
		if r == s.Identity.Recipient {
			return true
		}
	}
	return false
}
