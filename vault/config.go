package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/fieldvault/fieldvault/vault/store"
)

// FormatVersion is the on-disk format this build reads and writes.
const FormatVersion = 1

// File and directory names inside a study vault.
const (
	ConfigFile   = "fieldvault.json"
	CatalogFile  = "catalog.age"
	AuditFile    = "audit.jsonl"
	LockFile     = "lock"
	ObjectsDir   = "objects"
	KeysDir      = "keys"
	LocalKeyFile = "keys/pseudonym.age"
)

// Recipient classes.
const (
	ClassCatalog = "catalog" // researcher, supervisor, ethics officer: the catalogue, consent forms
	ClassRaw     = "raw"     // researcher, supervisor: raw material, the local pseudonym key
)

// Key providers.
const (
	ProviderLocal   = "local"
	ProviderTransit = "hashicorp-vault"
)

// Config is fieldvault.json. It holds nothing secret.
type Config struct {
	Format     int                 `json:"format"`
	StudyID    string              `json:"study_id"`
	Name       string              `json:"name,omitempty"`
	Recipients map[string][]string `json:"recipients"`
	// People names each recipient's role and label (and keeps removed ones,
	// so the audit log still names who acted). Absent in vaults made before
	// roles were recorded: Members then reads the roles from the classes.
	People      []Person    `json:"people,omitempty"`
	KeyProvider KeyProvider `json:"key_provider"`
	// KeyCheck is a readable copy of the catalogue's pin of the pseudonym
	// key (keycheck.go); the catalogue's copy is the authority.
	KeyCheck string `json:"key_check,omitempty"`
}

// KeyProvider says where the pseudonym key lives.
type KeyProvider struct {
	Type    string         `json:"type"`
	Transit *TransitConfig `json:"transit,omitempty"`
}

// TransitConfig names the HashiCorp Vault Transit key and the pinned version.
type TransitConfig struct {
	Mount      string `json:"mount"`
	Key        string `json:"key"`
	KeyVersion int    `json:"key_version"`
}

// ReadConfig reads and checks a vault's fieldvault.json (format version
// first) without an identity: it holds nothing secret.
func ReadConfig(dir string) (*Config, error) { return readConfig(dir) }

// readConfig reads and checks fieldvault.json: the format version first.
func readConfig(dir string) (*Config, error) {
	if store.IsURL(dir) {
		b, err := openBackend(context.Background(), dir)
		if err != nil {
			return nil, err
		}
		c, _, err := readConfigStore(context.Background(), b)
		return c, err
	}
	data, err := readRegular(filepath.Join(dir, ConfigFile))
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		if fi, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNotVault, dir)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("%w: %s is a file, not a vault directory", ErrNotVault, dir)
		}
		return nil, fmt.Errorf("%w: %s has no %s", ErrNotVault, dir, ConfigFile)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ConfigFile, err)
	}
	return decodeConfig(data)
}

// decodeConfig checks and decodes fieldvault.json: the format version first.
func decodeConfig(data []byte) (*Config, error) {
	var probe struct {
		Format *int `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil || probe.Format == nil {
		return nil, integrity("%s is not a fieldvault config (no format field)", ConfigFile)
	}
	if *probe.Format != FormatVersion {
		return nil, fmt.Errorf("%w: %s says format %d, this fieldvault reads format %d", ErrFormat, ConfigFile, *probe.Format, FormatVersion)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, integrity("%s: %v", ConfigFile, err)
	}
	if len(c.Recipients[ClassCatalog]) == 0 || len(c.Recipients[ClassRaw]) == 0 {
		return nil, integrity("%s names no recipients for the catalog or raw class", ConfigFile)
	}
	switch c.KeyProvider.Type {
	case ProviderLocal:
	case ProviderTransit:
		if c.KeyProvider.Transit == nil || c.KeyProvider.Transit.Key == "" || c.KeyProvider.Transit.KeyVersion < 1 {
			return nil, integrity("%s: the hashicorp-vault key provider needs transit mount, key and key_version", ConfigFile)
		}
	default:
		return nil, integrity("%s: unknown key provider %q", ConfigFile, c.KeyProvider.Type)
	}
	return &c, nil
}

func writeConfig(fsys FS, dir string, c *Config) error {
	return writeAtomic(fsys, filepath.Join(dir, ConfigFile), func(w io.Writer) error { return encodeConfig(w, c) })
}

func encodeConfig(w io.Writer, c *Config) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
