package vault

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// ConfigPin is what the catalogue records of fieldvault.json: the study,
// the recipients of each class and the key provider. fieldvault.json is
// plain and anyone who can write the study folder can edit it; a recipient
// added there would receive the next catalogue and every object ingested
// after. The encrypted catalogue is the authority: a config that disagrees
// with its pin is an integrity problem, found when the catalogue is read,
// before anything is encrypted to the config's recipients.
type ConfigPin struct {
	StudyID     string              `json:"study_id"`
	Recipients  map[string][]string `json:"recipients"`
	KeyProvider KeyProvider         `json:"key_provider"`
}

// pinOf is the pin of a config.
func pinOf(c *Config) *ConfigPin {
	r := map[string][]string{}
	for _, class := range []string{ClassCatalog, ClassRaw} {
		list := slices.Clone(c.Recipients[class])
		slices.Sort(list)
		r[class] = list
	}
	return &ConfigPin{StudyID: c.StudyID, Recipients: r, KeyProvider: c.KeyProvider}
}

// matches reports whether c is the config the pin records (recipients in
// any order).
func (p *ConfigPin) matches(c *Config) bool {
	x, _ := json.Marshal(p)
	y, _ := json.Marshal(pinOf(c))
	return string(x) == string(y)
}

// checkConfigPin compares the config with the catalogue's pin of it. A
// catalogue committed by a recipient change whose fieldvault.json a crash
// kept from being rewritten pins the config recorded in rekey.json: that
// config is then the study's (the next writer finishes the change).
// A catalogue made before config pinning is pinned by its next write.
func (s *Study) checkConfigPin(cat *Catalog) error {
	if cat.StudyID != s.Config.StudyID {
		return integrity("the catalogue belongs to another study than %s (%s or %s was replaced); restore both from one backup", ConfigFile, CatalogFile, ConfigFile)
	}
	if cat.ConfigPin == nil || cat.ConfigPin.matches(s.Config) {
		return nil
	}
	if in, err := s.rekeyIntent(); err == nil && in != nil && cat.ConfigPin.matches(in.Config) {
		s.Config = in.Config
		return nil
	}
	got := pinOf(s.Config)
	if x, y := providerName(got.KeyProvider), providerName(cat.ConfigPin.KeyProvider); x != y {
		return integrity("%s names the %s, the catalogue records the %s (%s was altered); restore it from a backup", ConfigFile, x, y, ConfigFile)
	}
	for _, class := range []string{ClassCatalog, ClassRaw} {
		if !slices.Equal(got.Recipients[class], cat.ConfigPin.Recipients[class]) {
			return integrity("%s lists %s recipients other than the catalogue records (%s was altered); restore it from a backup (recipients change only through 'fieldvault recipient add' or 'remove')", ConfigFile, class, ConfigFile)
		}
	}
	return integrity("%s does not match the catalogue's record of it (%s was altered); restore it from a backup", ConfigFile, ConfigFile)
}

// providerName names a key provider setting for a message.
func providerName(p KeyProvider) string {
	if t := p.Transit; p.Type == ProviderTransit && t != nil {
		return fmt.Sprintf("transit key %q version %d at %s", t.Key, t.KeyVersion, t.Mount)
	}
	return fmt.Sprintf("key provider %q", p.Type)
}

// rekeyIntent reads rekey.json of a directory vault: nil if there is none
// (object storage commits a recipient change with the catalogue).
func (s *Study) rekeyIntent() (*rekeyIntent, error) {
	if s.Store != nil {
		return nil, nil
	}
	return readRekeyIntent(s.Dir)
}

// readRekeyIntent reads rekey.json: nil if there is none.
func readRekeyIntent(dir string) (*rekeyIntent, error) {
	data, err := readRegular(filepath.Join(dir, rekeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var in rekeyIntent
	if err := json.Unmarshal(data, &in); err != nil || in.Config == nil || in.Config.Format != FormatVersion ||
		len(in.Config.Recipients[ClassCatalog]) == 0 || len(in.Config.Recipients[ClassRaw]) == 0 {
		return nil, integrity("%s (an interrupted re-encryption) does not decode", rekeyFile)
	}
	return &in, nil
}

// ensureIntentKey gives the catalogue its intent key if it has none: 32
// random bytes, readable only by catalogue recipients, that authenticate
// rekey.json (intentMAC).
func (c *Catalog) ensureIntentKey() {
	if c.IntentKey != "" {
		return
	}
	k := make([]byte, 32)
	rand.Read(k)
	c.IntentKey = hex.EncodeToString(k)
}

// intentMAC is the HMAC-SHA256, under the catalogue's intent key, of a
// recipient change's intent: an intent written by someone who cannot read
// the catalogue does not carry it, so the next writer does not re-encrypt
// the study to recipients they chose.
func intentMAC(key string, in rekeyIntent) string {
	in.MAC = ""
	data, _ := json.Marshal(in)
	m := hmac.New(sha256.New, []byte(key))
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}

// checkIntent accepts only an intent this catalogue's readers wrote: one
// that anybody who can write the folder made would have the next writer
// re-encrypt the study to recipients of their choosing. An intent of a
// catalogue without an intent key (made before intent keys) is accepted.
func checkIntent(cat *Catalog, in *rekeyIntent) error {
	if cat.IntentKey != "" && !hmac.Equal([]byte(in.MAC), []byte(intentMAC(cat.IntentKey, *in))) {
		return integrity("%s (an interrupted recipient change) was not written by fieldvault for this catalogue; remove it if no recipient change was interrupted, then run 'fieldvault verify'", rekeyFile)
	}
	return nil
}
