package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/fieldvault/fieldvault/redact"
)

// KeyCheckLabel is the fixed message whose HMAC-SHA256 under the pseudonym
// key is the key's check value (docs/format.md, "Key check value"). It holds
// no ':' so it is never a pseudonym derivation message (kind ":" name).
const KeyCheckLabel = "fieldvault pseudonym key check v1"

// KeyCheckValue computes the check value of a key provider: the lowercase
// hex HMAC-SHA256 of KeyCheckLabel. For the local key it is computed here;
// for HashiCorp Vault Transit by the same hmac endpoint, at the pinned key
// version, that derives pseudonyms.
func KeyCheckValue(ctx context.Context, k redact.Keyer) (string, error) {
	macs, err := k.HMAC(ctx, [][]byte{[]byte(KeyCheckLabel)})
	if err != nil {
		return "", fmt.Errorf("computing the key check value: %w", err)
	}
	if len(macs) != 1 || len(macs[0]) != sha256.Size {
		return "", fmt.Errorf("computing the key check value: the key provider answered %d values", len(macs))
	}
	return hex.EncodeToString(macs[0]), nil
}

// loadKeyer returns the study's key as its provider (handed in by cmd)
// opens it, unchecked: the local key file (decrypted with a raw-class
// identity) or the Transit key at the version pinned at init.
func (s *Study) loadKeyer(ctx context.Context) (redact.Keyer, error) {
	if s.keyerCache != nil {
		return s.keyerCache, nil
	}
	src := s.providers.Key
	if src == nil {
		return nil, integrity("unknown key provider %q", s.Config.KeyProvider.Type)
	}
	read := false
	k, err := src.Keyer(ctx, func() ([]byte, error) {
		key, err := s.storedKey()
		read = err == nil
		return key, err
	})
	switch {
	case err != nil && read:
		// The file decrypted but the provider cannot use what it holds.
		return nil, fmt.Errorf("loading the pseudonym key: %w", integrity("the pseudonym key %s is damaged", LocalKeyFile))
	case err != nil && s.Config.KeyProvider.Type == ProviderLocal:
		return nil, fmt.Errorf("loading the pseudonym key: %w", err)
	case err != nil:
		return nil, err
	}
	s.keyerCache = k
	return k, nil
}

// keyCheck is the check value of the key as loaded now (computed once).
func (s *Study) keyCheck(ctx context.Context) (string, error) {
	if s.keyCheckCache != "" {
		return s.keyCheckCache, nil
	}
	k, err := s.loadKeyer(ctx)
	if err != nil {
		return "", err
	}
	c, err := KeyCheckValue(ctx, k)
	if err != nil {
		return "", err
	}
	s.keyCheckCache = c
	return c, nil
}

// txKeyer is keyer for a change: an unpinned vault is pinned by it.
func (s *Study) txKeyer(tx *Tx) (redact.Keyer, error) {
	if tx.Cat.KeyCheck == "" {
		if err := s.pin(tx); err != nil {
			return nil, err
		}
	}
	return s.keyer(tx.ctx, tx.Cat)
}

// keyer returns the study's pseudonym key provider once its check value
// matches the pin in the catalogue and the config: a swapped or altered key
// is an integrity problem, found before the key derives anything.
func (s *Study) keyer(ctx context.Context, cat *Catalog) (redact.Keyer, error) {
	check, err := s.keyCheck(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.comparePin(check, cat); err != nil {
		return nil, err
	}
	return s.loadKeyer(ctx)
}

// comparePin compares a key's check value with the pins recorded in the
// catalogue (the authority) and in fieldvault.json.
func (s *Study) comparePin(check string, cat *Catalog) error {
	for _, pin := range []struct{ where, value string }{{"the catalogue", cat.KeyCheck}, {ConfigFile, s.Config.KeyCheck}} {
		if pin.value != "" && !hmac.Equal([]byte(pin.value), []byte(check)) {
			return integrity("the pseudonym key does not match the check value recorded in %s at init: %s", pin.where, s.keyWhere())
		}
	}
	return nil
}

// keyWhere says what a mismatch means for the study's key provider.
func (s *Study) keyWhere() string {
	if t := s.Config.KeyProvider.Transit; s.Config.KeyProvider.Type == ProviderTransit && t != nil {
		return fmt.Sprintf("transit key %q version %d at %s is not the key this vault was made with (another key or another Vault server?)", t.Key, t.KeyVersion, t.Mount)
	}
	return LocalKeyFile + " was replaced or altered; restore it from a backup"
}

// pinMismatch reports the config and the catalogue disagreeing about the pin.
func (s *Study) pinMismatch(cat *Catalog) error {
	if cat.KeyCheck != "" && s.Config.KeyCheck != "" && cat.KeyCheck != s.Config.KeyCheck {
		return integrity("%s records a key check value other than the catalogue's (%s was altered)", ConfigFile, ConfigFile)
	}
	return nil
}

// requirePinnedKey is run by every exit before it delivers: the key must be
// pinned and match its pin. A vault made before pinning is pinned now, in
// the exit's own change (audited); no exit runs on an unpinned key.
func (s *Study) requirePinnedKey(tx *Tx) error {
	if err := s.pinMismatch(tx.Cat); err != nil {
		return err
	}
	if tx.Cat.KeyCheck == "" {
		if err := s.pin(tx); err != nil {
			return fmt.Errorf("pinning the pseudonym key before the exit: %w", err)
		}
		return nil
	}
	check, err := s.keyCheck(tx.ctx)
	if err != nil {
		return fmt.Errorf("checking the pseudonym key before the exit: %w", err)
	}
	return s.comparePin(check, tx.Cat)
}

// pin records the check value of the key as it is now in an unpinned
// vault's catalogue, audited; the config gets its copy after the commit.
// A key recorded in the config by an interrupted pin must still match.
func (s *Study) pin(tx *Tx) error {
	check, err := s.keyCheck(tx.ctx)
	if err != nil {
		return err
	}
	if err := s.comparePin(check, tx.Cat); err != nil {
		return err
	}
	tx.Cat.KeyCheck = check
	tx.Audit(Entry{Action: "key-pin", Detail: map[string]string{"key_provider": s.Config.KeyProvider.Type, "key_check": check}})
	return nil
}

// pinIfUnpinned is run by every write: a vault made before key pinning gets
// its check value on its next write if this identity can load the key (an
// ethics officer's cannot; the next researcher's write pins it then). A
// Transit key is pinned by the next write that uses the key (an exit, a
// registration), so that writes that need no key never wait for Vault.
func (s *Study) pinIfUnpinned(tx *Tx) error {
	if tx.Cat.KeyCheck != "" || s.Config.KeyProvider.Type != ProviderLocal {
		return nil
	}
	err := s.pin(tx)
	if errors.Is(err, ErrIntegrity) && s.Config.KeyCheck != "" {
		return err // the config's pin disagrees with the key: never pin over it
	}
	return nil
}

// syncConfigPin writes the catalogue's pin into fieldvault.json after a
// commit, if the config lacks it (a pin made by a write, or a config
// written back by an interrupted command).
func (s *Study) syncConfigPin(cat *Catalog) {
	if cat.KeyCheck == "" || s.Config.KeyCheck == cat.KeyCheck {
		return
	}
	c := *s.Config
	c.KeyCheck = cat.KeyCheck
	if err := s.writeConfig(&c); err != nil {
		s.note(fmt.Sprintf("%s could not be given the key check value (%v); the next command that changes the vault retries", ConfigFile, err))
		return
	}
	s.Config = &c
}

// verifyKey checks the pin: config and catalogue agree, and the key (when
// this identity can load it) matches. The Transit key is asked only with
// readData, since that needs Vault.
func (s *Study) verifyKey(ctx context.Context, cat *Catalog, rep *VerifyReport) {
	if err := s.pinMismatch(cat); err != nil {
		rep.Problems = append(rep.Problems, trimIntegrity(err))
	}
	if cat.KeyCheck == "" {
		rep.Notes = append(rep.Notes, "the pseudonym key is not pinned yet (a vault made before key check values); the next command that changes the vault pins it")
	} else if s.Config.KeyCheck == "" {
		rep.Notes = append(rep.Notes, ConfigFile+" lacks the key check value the catalogue holds; the next command that changes the vault writes it")
	}
	if s.Config.KeyProvider.Type == ProviderTransit && !rep.ReadData {
		return
	}
	check, err := s.keyCheck(ctx)
	switch {
	case errors.Is(err, ErrNotRecipient):
		return
	case errors.Is(err, ErrIntegrity):
		rep.Problems = append(rep.Problems, trimIntegrity(err))
		return
	case err != nil:
		rep.Notes = append(rep.Notes, fmt.Sprintf("the pseudonym key could not be checked: %v", err))
		return
	}
	if err := s.comparePin(check, cat); err != nil {
		rep.Problems = append(rep.Problems, trimIntegrity(err))
	}
}
