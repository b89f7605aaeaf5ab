package vault

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// storeKey keeps a new study's key (from the key provider) in LocalKeyFile,
// age-encrypted to the raw recipients.
func (s *Study) storeKey(key []byte) error {
	rcpts, err := s.recipients(ClassRaw)
	if err != nil {
		return err
	}
	if err := s.FS.MkdirAll(filepath.Join(s.Dir, KeysDir), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", KeysDir, err)
	}
	return writeNew(s.FS, filepath.Join(s.Dir, LocalKeyFile), func(w io.Writer) error {
		aw, err := age.Encrypt(w, rcpts...)
		if err != nil {
			return err
		}
		if _, err := aw.Write(key); err != nil {
			return err
		}
		return aw.Close()
	})
}

// maxStoredKey bounds what storedKey reads: a key is a few dozen bytes.
const maxStoredKey = 4096

// storedKey decrypts the key kept in LocalKeyFile.
func (s *Study) storedKey() ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir, LocalKeyFile))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, integrity("the pseudonym key %s is missing", LocalKeyFile)
		}
		return nil, fmt.Errorf("reading the pseudonym key: %w", err)
	}
	r, err := decrypt(bytes.NewReader(data), s.Identity, "the pseudonym key (raw class)", ClassRaw, s.listed(ClassRaw))
	if err != nil {
		return nil, err
	}
	key, err := io.ReadAll(io.LimitReader(r, maxStoredKey+1))
	if err != nil || len(key) == 0 || len(key) > maxStoredKey {
		return nil, integrity("the pseudonym key %s is damaged", LocalKeyFile)
	}
	return key, nil
}
