package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

// Catalog is the study's catalogue: every record the vault keeps. It is
// stored age-encrypted to the catalog recipients and rewritten atomically on
// every change.
type Catalog struct {
	Format       int              `json:"format"`
	StudyID      string           `json:"study_id"`
	Generation   uint64           `json:"generation"`
	Audit        AuditHead        `json:"audit"`
	Documents    []*Document      `json:"documents"`
	Participants []*Participant   `json:"participants"`
	Entities     []*Entity        `json:"entities"`
	Meetings     []*Meeting       `json:"meetings"`
	Researchers  []*Researcher    `json:"researchers,omitempty"`
	Pseudonyms   *redact.Registry `json:"pseudonyms"`
	// KeyCheck pins the pseudonym key: the hex HMAC-SHA256 of KeyCheckLabel
	// under it (keycheck.go). Empty in a vault made before pinning, until
	// its next write.
	KeyCheck   string      `json:"key_check,omitempty"`
	Tombstones []Tombstone `json:"tombstones,omitempty"`
	Retention  *Retention  `json:"retention,omitempty"`
	// Commit identifies the write that made this generation on object
	// storage, so that a writer whose answer was lost recognises its own
	// commit; a directory vault leaves it empty.
	Commit string `json:"commit,omitempty"`
	// Config is the study's config as the last recipient change on object
	// storage made it: the change commits with the catalogue, and
	// fieldvault.json follows (a directory vault leaves it empty).
	Config *Config `json:"config,omitempty"`
	// Replaced lists, on object storage, the objects this commit replaced
	// or erased (a re-encryption, an erase): they are removed after the
	// commit, and if that did not happen (a crash, the store unreachable)
	// the next writer removes them at once, since no live writer's upload
	// can be among them. A directory vault leaves it empty.
	Replaced []string `json:"replaced,omitempty"`
	// ConfigPin records the study, recipients and key provider of
	// fieldvault.json as of this generation's commit (configpin.go): the
	// plain config is checked against it. Absent before config pinning,
	// until the next write.
	ConfigPin *ConfigPin `json:"config_pin,omitempty"`
	// IntentKey (hex, 32 random bytes) authenticates rekey.json, the
	// intent of a recipient change, by an HMAC (configpin.go).
	IntentKey string `json:"intent_key,omitempty"`
	// version is the store's version of the catalogue read (its ETag on
	// object storage), for the conditional write that replaces it.
	version string
	// Exits counts, per participant, the exits that used their words.
	Exits map[string]ExitCount `json:"exits,omitempty"`
	// Next holds the next number for generated handles, by prefix ("D").
	Next map[string]int `json:"next"`
	// Retired lists the handles of records removed as mistakes: the audit
	// log names them, so they are never given to another record.
	Retired []string `json:"retired,omitempty"`
}

// AuditHead is the audit log's head as the catalogue last committed it.
// Pending holds the entries committed with this generation, so that a crash
// between the catalogue's rename and the log's append is completed by the
// next writer instead of reading as a truncated log.
type AuditHead struct {
	Seq     uint64  `json:"seq"`
	Hash    string  `json:"hash"`
	Pending []Entry `json:"pending,omitempty"`
}

// Document is one piece of study material. Stored versions are immutable: a
// corrected transcript is a new version, so a version's line numbers are
// stable citations.
type Document struct {
	Handle       string     `json:"handle"`
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	SourceName   string     `json:"source_name,omitempty"` // the ingested file's base name (may identify; shown only on request)
	Participants []string   `json:"participants,omitempty"`
	Meeting      string     `json:"meeting,omitempty"`
	Date         string     `json:"date,omitempty"`
	Versions     []*Version `json:"versions"`
	Created      time.Time  `json:"created"`
	Erased       bool       `json:"erased,omitempty"` // its objects are gone: erased at a participant's request, or destroyed
	// Destroyed says when and under which retention rule it was destroyed.
	Destroyed *Destruction `json:"destroyed,omitempty"`
	Hold      *Hold        `json:"hold,omitempty"` // a legal hold blocks its destruction
}

// Latest returns the newest version.
func (d *Document) Latest() *Version { return d.Versions[len(d.Versions)-1] }

// Version returns version n (1-based).
func (d *Document) Version(n int) (*Version, error) {
	if n < 1 || n > len(d.Versions) {
		return nil, fmt.Errorf("%w: document %s has no version %d (it has %d)", ErrNotFound, d.Handle, n, len(d.Versions))
	}
	return d.Versions[n-1], nil
}

// Version is one immutable stored version of a document.
type Version struct {
	N        int       `json:"n"`
	Object   string    `json:"object"` // object UUID
	Class    string    `json:"class"`  // recipient class it is encrypted to
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`          // of the plaintext
	Format   string    `json:"format"`          // txt, md, vtt, srt, docx, or binary
	Lines    int       `json:"lines,omitempty"` // parsed lines of a text version
	Ingested time.Time `json:"ingested"`
	// Flags restrict line ranges of this version (dnq, confidential, struck, off-record).
	Flags []policy.Flag `json:"flags,omitempty"`
	// Markup lists the flags the text's own inline markup ([dnq]…[/dnq])
	// sets, recorded at ingest so the register shows them without the text.
	Markup []policy.Flag `json:"markup,omitempty"`
	// Dropped says, without content, what the parser did not carry into
	// the lines ("2 comments", "1 header"), so nothing is dropped silently.
	Dropped []string `json:"dropped,omitempty"`
	// Carried says how the previous version's flags and markup reached
	// this version's lines at ingest (the flags themselves are in Flags).
	Carried []Carry `json:"carried,omitempty"`
	// FlagHistory lists recorded flags cleared or corrected, as they were.
	FlagHistory []FlagChange `json:"flag_history,omitempty"`
}

var handleRE = regexp.MustCompile(`^[A-Za-z]{1,4}[0-9]{1,6}$`)

// ValidHandle reports whether s has the shape of a handle: one to four
// letters then digits (P07, M03, D12, E5). The shape keeps real names out of
// handles, which appear in the audit log.
func ValidHandle(s string) bool { return handleRE.MatchString(s) }

func checkHandle(what, s string) error {
	if !ValidHandle(s) {
		return fmt.Errorf("%w: not a valid %s handle (expected letters then digits, like P07)", ErrInvalid, what)
	}
	return nil
}

// Doc finds a document by handle.
func (c *Catalog) Doc(handle string) (*Document, error) {
	if err := checkHandle("document", handle); err != nil {
		return nil, err
	}
	for _, d := range c.Documents {
		if strings.EqualFold(d.Handle, handle) {
			return d, nil
		}
	}
	return nil, notFound("document", handle, handlesOf(c.Documents, func(d *Document) string { return d.Handle }))
}

// nextHandle returns the next free generated handle with the prefix.
func (c *Catalog) nextHandle(prefix string, taken func(string) bool) string {
	if c.Next == nil {
		c.Next = map[string]int{}
	}
	for {
		c.Next[prefix]++
		h := prefix + strconv.Itoa(c.Next[prefix])
		if !taken(h) {
			return h
		}
	}
}

// objectRefs lists every object the catalogue references, by UUID.
func (c *Catalog) objectRefs() map[string]*Version {
	refs := map[string]*Version{}
	for _, d := range c.Documents {
		for _, v := range d.Versions {
			if v.Object != "" {
				refs[v.Object] = v
			}
		}
	}
	return refs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readCatalog decrypts and decodes catalog.age.
func readCatalog(dir string, id *Identity, listed bool) (*Catalog, error) {
	f, err := openRegular(filepath.Join(dir, CatalogFile))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, integrity("%s is missing", CatalogFile)
		}
		return nil, fmt.Errorf("opening %s: %w", CatalogFile, err)
	}
	defer f.Close()
	return decodeCatalog(f, id, listed)
}

// decodeCatalog decrypts and decodes a catalogue.
func decodeCatalog(f io.Reader, id *Identity, listed bool) (*Catalog, error) {
	r, err := decrypt(f, id, "the catalogue", ClassCatalog, listed)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if isDiskErr(err) {
		return nil, err // the disk or the store failed mid-read
	}
	if err != nil {
		return nil, integrity("%s is damaged (decryption failed: flipped or truncated bytes)", CatalogFile)
	}
	var c Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return nil, integrity("%s decrypts but does not decode", CatalogFile)
	}
	if c.Format != FormatVersion {
		return nil, fmt.Errorf("%w: the catalogue says format %d, this fieldvault reads format %d", ErrFormat, c.Format, FormatVersion)
	}
	if err := c.checkObjectIDs(); err != nil {
		return nil, err
	}
	return &c, nil
}

// objectIDRE is the shape of an object ID: a lowercase UUID, as putObject
// makes them.
var objectIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkObjectIDs refuses a catalogue whose versions name objects by
// anything but a UUID. Object IDs become paths and keys (objects/ab/<id>.age)
// that are read, re-encrypted and removed: age does not authenticate who
// encrypted a catalogue, so one made by someone who knows the public
// recipients could name "../../other-study/catalog" and have retention or
// an erasure remove a file outside the vault.
func (c *Catalog) checkObjectIDs() error {
	for _, d := range c.Documents {
		for _, v := range d.Versions {
			if v.Object != "" && !objectIDRE.MatchString(v.Object) {
				return integrity("%s names an object of %s v%d that is not a UUID (the catalogue was not written by fieldvault); restore it from a backup", CatalogFile, d.Handle, v.N)
			}
		}
	}
	return nil
}

// writeCatalog encrypts the catalogue to the recipients and replaces
// catalog.age atomically.
func writeCatalog(fsys FS, dir string, c *Catalog, rcpts []age.Recipient) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return writeAtomic(fsys, filepath.Join(dir, CatalogFile), encryptFill(data, rcpts))
}

// encryptFill writes data encrypted to rcpts.
func encryptFill(data []byte, rcpts []age.Recipient) func(io.Writer) error {
	return func(w io.Writer) error {
		aw, err := age.Encrypt(w, rcpts...)
		if err != nil {
			return err
		}
		if _, err := aw.Write(data); err != nil {
			return err
		}
		return aw.Close()
	}
}
