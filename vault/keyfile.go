package vault

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

const localKeySize = 32

// createLocalKey generates the study's pseudonym key and stores it
// age-encrypted to the raw recipients.
func (s *Study) createLocalKey() error {
	key := make([]byte, localKeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
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

// localKey decrypts the local pseudonym key.
func (s *Study) localKey() ([]byte, error) {
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
	key, err := io.ReadAll(r)
	if err != nil || len(key) != localKeySize {
		return nil, integrity("the pseudonym key %s is damaged", LocalKeyFile)
	}
	return key, nil
}
