package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
)

// storeKey keeps a new study's key (from the key provider) in LocalKeyFile,
// age-encrypted to the raw recipients.
func (s *Study) storeKey(key []byte) error {
	rcpts, err := s.recipients(ClassRaw)
	if err != nil {
		return err
	}
	if s.Store != nil {
		_, err := s.Store.PutNew(s.ctx(), LocalKeyFile, encryptFill(key, rcpts))
		return err
	}
	if err := s.FS.MkdirAll(filepath.Join(s.Dir, KeysDir), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", KeysDir, err)
	}
	return writeNew(s.FS, filepath.Join(s.Dir, LocalKeyFile), encryptFill(key, rcpts))
}

// maxStoredKey bounds what storedKey reads: a key is a few dozen bytes.
const maxStoredKey = 4096

// storedKey decrypts the key kept in LocalKeyFile.
func (s *Study) storedKey() ([]byte, error) {
	var data []byte
	var err error
	if s.Store != nil {
		data, _, err = getItem(s.ctx(), s.Store, LocalKeyFile)
	} else {
		data, err = readRegular(filepath.Join(s.Dir, LocalKeyFile))
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
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
