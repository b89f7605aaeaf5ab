package hcvault

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/cliconfig"
)

// DefaultMount is the Transit mount used when Config.Mount is empty.
const DefaultMount = "transit"

// DefaultBatchSize is the number of items sent in one HMAC request when
// Config.BatchSize is zero. A thousand short names make a request body of
// roughly 60 KB, far below Vault's 32 MiB default max_request_size, while a
// 10,000-name import still costs only ten round trips.
const DefaultBatchSize = 1000

// DefaultKeyType is the Transit key type Setup creates when the key is missing
// and the token may create it. Every Transit key of this type supports HMAC.
const DefaultKeyType = "aes256-gcm96"

// Config names the study's Transit key. The Vault address, token, CA
// certificate and namespace come from the environment (VAULT_ADDR,
// VAULT_TOKEN or ~/.vault-token, VAULT_CACERT, VAULT_NAMESPACE, ...) via
// api.DefaultConfig, as the vault CLI does; they are never stored.
type Config struct {
	Mount      string // default "transit"
	Key        string // transit key name
	KeyVersion int    // pinned version; 0 only before Setup
	BatchSize  int    // items per HMAC request; 0 means DefaultBatchSize
	KVMount    string // KV version 2 mount for audit anchors; default "secret"
}

var (
	keyNameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	mountPartRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// normalise fills defaults and validates the names, which end up in URL paths
// and in the HCL policy.
func (c Config) normalise() (Config, error) {
	if c.Mount == "" {
		c.Mount = DefaultMount
	}
	c.Mount = strings.Trim(c.Mount, "/")
	if c.Mount == "" {
		return c, newError(ErrConfig, nil, "use a mount path such as \"transit\"", "transit mount is empty")
	}
	for _, part := range strings.Split(c.Mount, "/") {
		if !mountPartRE.MatchString(part) || part == "." || part == ".." {
			return c, newError(ErrConfig, nil, "use letters, digits, '_', '-', '.' and '/' between segments", "transit mount %q is not a valid vault mount path", c.Mount)
		}
	}
	if !keyNameRE.MatchString(c.Key) {
		if c.Key == "" {
			return c, newError(ErrConfig, nil, "name the key with --transit-key", "transit key name is empty")
		}
		return c, newError(ErrConfig, nil, "use up to 128 letters, digits, '_', '-' or '.'", "transit key name %q is not valid", c.Key)
	}
	if c.KeyVersion < 0 {
		return c, newError(ErrKeyVersion, nil, "run init again to pin the key's current version", "pinned key version %d is negative", c.KeyVersion)
	}
	if c.BatchSize < 0 {
		return c, newError(ErrConfig, nil, "use a positive batch size or 0 for the default", "batch size %d is negative", c.BatchSize)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	return c, nil
}

func (c Config) hmacPath() string { return c.Mount + "/hmac/" + c.Key + "/sha2-256" }
func (c Config) keyPath() string  { return c.Mount + "/keys/" + c.Key }

// newClient builds a Vault client from the environment, as the vault CLI
// does. When VAULT_TOKEN is unset the token comes from the token helper
// the vault CLI would use: the token_helper named in ~/.vault (or in the
// file VAULT_CONFIG_PATH names), else ~/.vault-token (written by "vault
// login"). TLS settings (VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, ...)
// are read by api.DefaultConfig. VAULT_NAMESPACE (Vault Enterprise) is
// passed on but untested.
func newClient() (*api.Client, error) {
	conf := api.DefaultConfig()
	if conf.Error != nil {
		return nil, newError(ErrConfig, conf.Error, "check the VAULT_* environment variables (VAULT_ADDR, VAULT_CACERT, VAULT_SKIP_VERIFY, ...)", "reading vault settings from the environment: %s", oneLine(conf.Error.Error()))
	}
	client, err := api.NewClient(conf)
	if err != nil {
		return nil, newError(ErrConfig, err, "check VAULT_ADDR and the other VAULT_* environment variables", "configuring the vault client: %s", oneLine(err.Error()))
	}
	if client.Token() == "" {
		tok, err := helperToken()
		if err != nil {
			return nil, err
		}
		client.SetToken(tok)
	}
	return client, nil
}

// helperToken asks the vault CLI's token helper for the token (package
// cliconfig, as the vault CLI does). The token is never put into an error.
func helperToken() (string, error) {
	const hint = "set VAULT_TOKEN, or run \"vault login\" (which stores the token with the token_helper of ~/.vault, or in ~/.vault-token)"
	h, err := cliconfig.DefaultTokenHelper()
	if err != nil {
		return "", newError(ErrNoToken, err, "check the vault CLI configuration file (~/.vault or VAULT_CONFIG_PATH)", "no vault token: VAULT_TOKEN is unset and the vault CLI configuration cannot be read: %s", oneLine(err.Error()))
	}
	tok, err := h.Get()
	if err != nil {
		return "", newError(ErrNoToken, err, hint, "no vault token: VAULT_TOKEN is unset and the token helper %s failed: %s", h.Path(), oneLine(err.Error()))
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", newError(ErrNoToken, nil, hint, "no vault token: VAULT_TOKEN is unset and the token helper %s holds none", h.Path())
	}
	return tok, nil
}

// oneLine makes a message from a library or from Vault fit on one line and
// bounds its length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

func (c Config) String() string {
	return fmt.Sprintf("%s/keys/%s version %d", c.Mount, c.Key, c.KeyVersion)
}
