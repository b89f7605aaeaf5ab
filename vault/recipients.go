package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"filippo.io/age"
)

// Roles of the people a vault is encrypted to.
const (
	RoleResearcher = "researcher" // everything
	RoleSupervisor = "supervisor" // raw material and what opening it needs (the catalogue)
	RoleEthics     = "ethics"     // the catalogue (register, consent forms) and the audit log; no raw material
)

// Roles lists the roles.
func Roles() []string { return []string{RoleResearcher, RoleSupervisor, RoleEthics} }

// RoleClasses says which recipient classes a role's recipient is in. A
// supervisor is a catalogue recipient too: opening raw material needs the
// catalogue (which object holds a document, its hash).
func RoleClasses(role string) []string {
	switch role {
	case RoleResearcher, RoleSupervisor:
		return []string{ClassCatalog, ClassRaw}
	case RoleEthics:
		return []string{ClassCatalog}
	}
	return nil
}

// Person is someone the vault is encrypted to, by role, with a label that
// names them in the audit log's listing and the officer's report. The
// config keeps removed people (with Removed set) so that old audit entries
// still name who acted.
type Person struct {
	Recipient string     `json:"recipient"`
	Role      string     `json:"role"`
	Label     string     `json:"label,omitempty"`
	Added     time.Time  `json:"added,omitzero"`
	Removed   *time.Time `json:"removed,omitempty"`
}

// Members lists the people the vault is currently encrypted to. A config
// written before roles were recorded has its roles read from the classes:
// both classes make a researcher, the catalogue only an ethics officer, raw
// material only a supervisor (who cannot open until added again as one).
func (c *Config) Members() []Person {
	if len(c.People) > 0 {
		var out []Person
		for _, p := range c.People {
			if p.Removed == nil {
				out = append(out, p)
			}
		}
		return out
	}
	var out []Person
	seen := map[string]bool{}
	for _, class := range []string{ClassCatalog, ClassRaw} {
		for _, r := range c.Recipients[class] {
			if seen[r] {
				continue
			}
			seen[r] = true
			inCat := slices.Contains(c.Recipients[ClassCatalog], r)
			inRaw := slices.Contains(c.Recipients[ClassRaw], r)
			role := RoleResearcher
			switch {
			case inCat && !inRaw:
				role = RoleEthics
			case inRaw && !inCat:
				role = RoleSupervisor
			}
			out = append(out, Person{Recipient: r, Role: role})
		}
	}
	return out
}

// Person finds who a recipient is (current or removed).
func (c *Config) Person(recipient string) (Person, bool) {
	for i := len(c.People) - 1; i >= 0; i-- {
		if c.People[i].Recipient == recipient {
			return c.People[i], true
		}
	}
	for _, p := range c.Members() {
		if p.Recipient == recipient {
			return p, true
		}
	}
	return Person{}, false
}

// withPeople returns a copy of the config whose recipient classes are
// rebuilt from the people (researchers first, each list in order).
func (c *Config) withPeople(people []Person) *Config {
	n := *c
	n.People = people
	n.Recipients = map[string][]string{}
	for _, role := range Roles() {
		for _, p := range people {
			if p.Removed != nil || p.Role != role {
				continue
			}
			for _, class := range RoleClasses(role) {
				if !slices.Contains(n.Recipients[class], p.Recipient) {
					n.Recipients[class] = append(n.Recipients[class], p.Recipient)
				}
			}
		}
	}
	return &n
}

// RecipientRequest adds a recipient with a role.
type RecipientRequest struct {
	Role      string
	Recipient string
	Label     string
}

// RecipientChange says what a recipient change did.
type RecipientChange struct {
	Person Person
	// Classes re-encrypted, and how many files each time.
	Classes []string
	Files   int
}

func checkLabel(l string) error {
	if len([]rune(l)) > 80 || strings.IndexFunc(l, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: --label must be one line of at most 80 characters", ErrInvalid)
	}
	return nil
}

// AddRecipient adds an age recipient with a role (or changes the role or
// the label of one already there) and re-encrypts what that role reads.
func (s *Study) AddRecipient(ctx context.Context, req RecipientRequest) (*RecipientChange, error) {
	if RoleClasses(req.Role) == nil {
		return nil, fmt.Errorf("%w: unknown role %q (researcher, supervisor, ethics)", ErrInvalid, req.Role)
	}
	if err := checkLabel(req.Label); err != nil {
		return nil, err
	}
	if _, err := ParseRecipient(req.Recipient); err != nil {
		return nil, err
	}
	rc := strings.TrimSpace(req.Recipient)
	return s.changeRecipients(ctx, "recipient-add", func(people []Person, now time.Time) ([]Person, Person, error) {
		for i, p := range people {
			if p.Recipient != rc || p.Removed != nil {
				continue
			}
			if p.Role == req.Role {
				if req.Label == "" || req.Label == p.Label {
					return nil, Person{}, fmt.Errorf("%w: %s is already a %s recipient", ErrInvalid, Fingerprint(rc), req.Role)
				}
				people[i].Label = req.Label // a corrected label; nothing to re-encrypt
				return people, people[i], nil
			}
			people[i].Role = req.Role
			if req.Label != "" {
				people[i].Label = req.Label
			}
			return people, people[i], nil
		}
		p := Person{Recipient: rc, Role: req.Role, Label: req.Label, Added: now}
		return append(people, p), p, nil
	})
}

// RemoveRecipient removes a recipient (by its full recipient string, its
// shortened fingerprint or its label) and re-encrypts what its role read,
// so it cannot decrypt the vault's current files. Copies made before are
// beyond reach. The last researcher cannot be removed, nor the identity
// acting.
func (s *Study) RemoveRecipient(ctx context.Context, who string) (*RecipientChange, error) {
	return s.changeRecipients(ctx, "recipient-remove", func(people []Person, now time.Time) ([]Person, Person, error) {
		i, err := findPerson(people, who)
		if err != nil {
			return nil, Person{}, err
		}
		p := people[i]
		if p.Role == RoleResearcher {
			n := 0
			for _, q := range people {
				if q.Role == RoleResearcher && q.Removed == nil {
					n++
				}
			}
			if n == 1 {
				return nil, Person{}, fmt.Errorf("%w: %s is the last researcher recipient; add another researcher first", ErrInvalid, Fingerprint(p.Recipient))
			}
		}
		if p.Recipient == s.Identity.Recipient {
			return nil, Person{}, fmt.Errorf("%w: %s is the identity you are acting with; another researcher removes it", ErrInvalid, Fingerprint(p.Recipient))
		}
		t := now
		people[i].Removed = &t
		return people, people[i], nil
	})
}

// findPerson finds a current member by recipient, fingerprint or label.
func findPerson(people []Person, who string) (int, error) {
	who = strings.TrimSpace(who)
	var hits []int
	for i, p := range people {
		if p.Removed != nil {
			continue
		}
		if p.Recipient == who || Fingerprint(p.Recipient) == who || (p.Label != "" && strings.EqualFold(p.Label, who)) {
			hits = append(hits, i)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return 0, fmt.Errorf("%w: no recipient %q (see 'recipient list')", ErrNotFound, shorten(who))
	}
	return 0, fmt.Errorf("%w: %q names %d recipients; give the full recipient", ErrInvalid, shorten(who), len(hits))
}

// Fingerprint shortens a public recipient for display: its first ten and
// last four characters ("age1qz3x8d…x7f0").
func Fingerprint(recipient string) string {
	if len(recipient) <= 16 {
		return recipient
	}
	return recipient[:10] + "…" + recipient[len(recipient)-4:]
}

// rekeyFile records a re-encryption in progress: the config it leads to
// and the classes it re-encrypts. It holds nothing secret.
const rekeyFile = "rekey.json"

type rekeyIntent struct {
	Config  *Config  `json:"config"`
	Classes []string `json:"classes"`
	// MAC authenticates the intent under the catalogue's intent key
	// (configpin.go); absent in an intent written before intent keys.
	MAC string `json:"mac,omitempty"`
}

// changeRecipients applies a change to the people, then re-encrypts every
// file of each class whose recipients changed, under the writer's lock:
//
//  1. the intent (the new config and the classes) is written to rekey.json;
//  2. each object of those classes, and the local pseudonym key, is
//     re-encrypted atomically (temp file, fsync, rename), streaming;
//  3. every re-encrypted file is read back and checked against its record;
//  4. the catalogue is committed, encrypted to the new catalogue recipients,
//     with the audit entry;
//  5. fieldvault.json is replaced, and rekey.json removed.
//
// A crash anywhere leaves files each readable by the recipients both before
// and after the change (the acting researcher is in both); the next writer
// finds rekey.json and finishes the change (resumeRekey). A failure that is
// not a crash rolls the files back to the old recipients.
func (s *Study) changeRecipients(ctx context.Context, action string, mutate func([]Person, time.Time) ([]Person, Person, error)) (*RecipientChange, error) {
	var res *RecipientChange
	err := s.Update(ctx, func(tx *Tx) error {
		if err := s.checkResearcher(); err != nil {
			return err
		}
		people := slices.Clone(s.Config.People)
		if len(people) == 0 {
			people = s.Config.Members()
		}
		next, who, err := mutate(people, tx.Now().UTC())
		if err != nil {
			return err
		}
		old := s.Config
		cfg := old.withPeople(next)
		if s.Identity.Recipient != "" {
			for _, class := range []string{ClassCatalog, ClassRaw} {
				if !slices.Contains(cfg.Recipients[class], s.Identity.Recipient) {
					return fmt.Errorf("%w: the change would leave the identity you act with unable to read the %s class", ErrInvalid, class)
				}
			}
		}
		classes := changedClasses(old, cfg)
		res = &RecipientChange{Person: who, Classes: classes}
		if s.Store != nil {
			return s.changeRecipientsStore(tx, action, old, cfg, res)
		}
		if len(classes) > 0 {
			tx.Cat.ensureIntentKey()
			in := rekeyIntent{Config: cfg, Classes: classes}
			in.MAC = intentMAC(tx.Cat.IntentKey, in)
			if err := writeAtomic(s.FS, filepath.Join(s.Dir, rekeyFile), func(w io.Writer) error {
				return json.NewEncoder(w).Encode(in)
			}); err != nil {
				return fmt.Errorf("recording the re-encryption: %w", err)
			}
			crashPoint("rekey-intent")
			n, err := s.rekey(ctx, tx.Cat, cfg, classes)
			if err != nil {
				if _, rerr := s.rekey(context.WithoutCancel(ctx), tx.Cat, old, classes); rerr == nil {
					if err := s.FS.Remove(filepath.Join(s.Dir, rekeyFile)); err != nil && !os.IsNotExist(err) {
						s.note("the files were rolled back but " + rekeyFile + " could not be removed; the next command that changes the vault makes the change after all")
					}
				} else {
					s.note("the re-encryption could not be rolled back (" + rerr.Error() + "); the next command that changes the vault finishes it")
				}
				return err
			}
			res.Files = n
		}
		s.Config = cfg // the catalogue is committed to the new recipients
		tx.OnAbort(func() { s.Config = old })
		tx.OnCommit(func() {
			if err := s.finishRekey(cfg); err != nil {
				s.note(err.Error()) // committed: rekey.json stays, the next writer finishes
			}
		})
		tx.Audit(Entry{Action: action, Detail: map[string]string{
			"role": who.Role, "recipient": who.Recipient, "reencrypted": strings.Join(classes, ","), "files": fmt.Sprint(res.Files)}})
		return nil
	})
	return res, err
}

// checkResearcher refuses a recipient change by anyone but a researcher.
func (s *Study) checkResearcher() error {
	if s.Identity.Recipient == "" {
		return nil // an SSH identity: decryption decides
	}
	p, ok := s.Config.Person(s.Identity.Recipient)
	if !ok || p.Removed != nil || p.Role != RoleResearcher {
		return fmt.Errorf("%w: only a researcher recipient changes who the vault is encrypted to", ErrInvalid)
	}
	return nil
}

// changedClasses lists the classes whose recipient sets differ.
func changedClasses(a, b *Config) []string {
	var out []string
	for _, class := range []string{ClassCatalog, ClassRaw} {
		x, y := slices.Clone(a.Recipients[class]), slices.Clone(b.Recipients[class])
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			out = append(out, class)
		}
	}
	return out
}

// finishRekey writes the new config and removes the intent.
func (s *Study) finishRekey(cfg *Config) error {
	crashPoint("rekey-before-config")
	if err := writeConfig(s.FS, s.Dir, cfg); err != nil {
		return fmt.Errorf("writing %s (the next command that changes the vault finishes it): %w", ConfigFile, err)
	}
	crashPoint("rekey-before-intent-removal")
	if err := s.FS.Remove(filepath.Join(s.Dir, rekeyFile)); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := s.FS.SyncDir(s.Dir); err != nil {
		// The change is complete; at worst rekey.json comes back after a
		// power cut and the next writer re-encrypts once more.
		s.note(fmt.Sprintf("the vault directory could not be synced (%v); check the disk", err))
	}
	return nil
}

// resumeRekey finishes a re-encryption a crash interrupted: it re-encrypts
// every file of the recorded classes to the recorded config (files already
// done are simply done again), commits the catalogue to it and writes the
// config. It runs under the lock, before the next change.
func (s *Study) resumeRekey(ctx context.Context, cat *Catalog) (bool, error) {
	in, err := readRekeyIntent(s.Dir)
	if in == nil || err != nil {
		return false, err
	}
	if err := checkIntent(cat, in); err != nil {
		return false, err
	}
	if _, err := s.rekey(ctx, cat, in.Config, in.Classes); err != nil {
		return false, fmt.Errorf("finishing an interrupted re-encryption: %w", err)
	}
	old := s.Config
	s.Config = in.Config
	if err := s.commit(cat, []Entry{{Action: "recipient-rekey", Detail: map[string]string{"resumed": "true", "reencrypted": strings.Join(in.Classes, ",")}}}); err != nil {
		s.Config = old
		return false, err
	}
	return true, s.finishRekey(in.Config)
}

// rekey re-encrypts every file of the classes to cfg's recipients, then
// reads each back and checks it. It returns how many files it rewrote.
func (s *Study) rekey(ctx context.Context, cat *Catalog, cfg *Config, classes []string) (int, error) {
	n := 0
	var done []*Version
	var total, sofar int64
	for _, d := range cat.Documents {
		for _, v := range d.Versions {
			if v.Object != "" && slices.Contains(classes, v.Class) {
				total += v.Size
			}
		}
	}
	for _, class := range classes {
		rcpts, err := parseRecipients(cfg.Recipients[class])
		if err != nil {
			return n, err
		}
		for _, d := range cat.Documents {
			for _, v := range d.Versions {
				if v.Object == "" || v.Class != class {
					continue
				}
				if err := ctx.Err(); err != nil {
					return n, err
				}
				if err := s.rekeyObject(v, rcpts); err != nil {
					return n, fmt.Errorf("re-encrypting %s v%d: %w", d.Handle, v.N, err)
				}
				done = append(done, v)
				n++
				if sofar += v.Size; s.Progress != nil {
					s.Progress(sofar, total)
				}
			}
		}
		if class == ClassRaw && s.Config.KeyProvider.Type == ProviderLocal {
			if err := s.rekeyLocalKey(rcpts); err != nil {
				return n, err
			}
			n++
		}
	}
	for _, v := range done {
		if err := readObject(s.objects(ctx), v, s.Identity, true, io.Discard); err != nil {
			return n, fmt.Errorf("checking re-encrypted object %s: %w", v.Object, err)
		}
	}
	if slices.Contains(classes, ClassRaw) && s.Config.KeyProvider.Type == ProviderLocal {
		if _, err := s.storedKey(); err != nil {
			return n, fmt.Errorf("checking the re-encrypted pseudonym key: %w", err)
		}
	}
	return n, nil
}

// rekeyObject streams an object through decryption and encryption to new
// recipients, replacing it atomically once the plaintext matched its record.
func (s *Study) rekeyObject(v *Version, rcpts []age.Recipient) error {
	path := objectPath(s.Dir, v.Object)
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return integrity("object %s is missing", v.Object)
		}
		return err
	}
	defer f.Close()
	r, err := decrypt(bufio.NewReaderSize(f, readBufSize), s.Identity, "this material ("+v.Class+" class)", v.Class, true)
	if err != nil {
		return err
	}
	return writeAtomic(s.FS, path, reencryptFill(r, v, rcpts))
}

// reencryptFill writes the plaintext r streams encrypted to rcpts, failing
// if it does not match v's record.
func reencryptFill(r io.Reader, v *Version, rcpts []age.Recipient) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, copyBufSize)
		aw, err := age.Encrypt(bw, rcpts...)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := teeCopy(r, h, errWriter{aw})
		if err != nil {
			if isWriteErr(err) || isDiskErr(err) {
				return err // the store failed (mid-stream), not the object
			}
			return integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
		}
		if n != v.Size || hex.EncodeToString(h.Sum(nil)) != v.SHA256 {
			return integrity("object %s does not match its catalogue record (size or SHA-256 differs)", v.Object)
		}
		if err := aw.Close(); err != nil {
			return err
		}
		return bw.Flush()
	}
}

// rekeyLocalKey re-encrypts the local pseudonym key (the same key, so its
// pseudonyms and any check value pinning it stay valid).
func (s *Study) rekeyLocalKey(rcpts []age.Recipient) error {
	key, err := s.storedKey()
	if err != nil {
		return err
	}
	return writeAtomic(s.FS, filepath.Join(s.Dir, LocalKeyFile), func(w io.Writer) error {
		aw, err := age.Encrypt(w, rcpts...)
		if err != nil {
			return err
		}
		if _, err := io.Copy(aw, bytes.NewReader(key)); err != nil {
			return err
		}
		return aw.Close()
	})
}

// Label names a recipient for display, as Config.Actor does.
func (c *Config) Label(recipient string) string { return c.Actor(recipient).String() }
