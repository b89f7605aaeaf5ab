package hcvault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"
)

// DefaultKVMount is the KV version 2 mount used for audit anchors when
// Config.KVMount is empty (a dev server and most installations mount KV v2 at
// "secret").
const DefaultKVMount = "secret"

// Errors of the audit-head anchor.
var (
	// ErrNotAnchored means no audit head is anchored in Vault for the study.
	ErrNotAnchored = errors.New("no audit head anchored in vault")
	// ErrAnchorRollback means the head to anchor is older than the one Vault
	// holds: the local audit log was rolled back or truncated.
	ErrAnchorRollback = errors.New("audit head older than the anchored one")
)

var (
	studyIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	headRE    = regexp.MustCompile(`^[A-Za-z0-9:+/=_-]{1,256}$`)
)

// anchorPath is the KV v2 data path of a study's anchored audit head. It sits
// under the Transit key's name, so the policy of a study key covers it.
func (c Config) anchorPath(studyID string) string {
	return c.kvMount() + "/data/fieldvault/" + c.Key + "/" + studyID + "/audit-head"
}

func (c Config) anchorPolicyPath() string {
	return c.kvMount() + "/data/fieldvault/" + c.Key + "/*"
}

func (c Config) kvMount() string {
	m := strings.Trim(c.KVMount, "/")
	if m == "" {
		return DefaultKVMount
	}
	return m
}

func (c Config) checkAnchor(studyID string) (Config, error) {
	cfg, err := c.normalise()
	if err != nil {
		return cfg, err
	}
	for _, part := range strings.Split(cfg.kvMount(), "/") {
		if !mountPartRE.MatchString(part) || part == "." || part == ".." {
			return cfg, newError(ErrConfig, nil, "use a KV version 2 mount path such as \"secret\"", "kv mount %q is not a valid vault mount path", cfg.KVMount)
		}
	}
	if !studyIDRE.MatchString(studyID) {
		return cfg, newError(ErrConfig, nil, "use the study id from fieldvault.json", "study id is not valid for a vault path")
	}
	return cfg, nil
}

// AnchorHead records the audit log's head (sequence number and entry hash)
// for studyID in Vault's KV version 2 store, at
// <kv mount>/data/fieldvault/<key>/<studyID>/audit-head. It refuses, with
// ErrAnchorRollback, to replace a head of a higher sequence number, and uses
// check-and-set so that two writers cannot interleave. Re-anchoring the same
// head is a no-op.
func AnchorHead(ctx context.Context, cfg Config, studyID string, seq uint64, hash string) error {
	cfg, err := cfg.checkAnchor(studyID)
	if err != nil {
		return err
	}
	if !headRE.MatchString(hash) {
		return newError(ErrConfig, nil, "pass the hash recorded in the audit log", "audit head hash is not a valid hash string")
	}
	client, err := newClient()
	if err != nil {
		return err
	}
	cur, version, err := readAnchor(ctx, client, cfg, studyID)
	switch {
	case errors.Is(err, ErrNotAnchored):
		version = 0
	case err != nil:
		return err
	case cur.Seq > seq:
		return newError(ErrAnchorRollback, nil, "run \"fieldvault audit verify\": the local audit log may have been rolled back or truncated",
			"audit head %d is older than the head %d anchored in vault for this study", seq, cur.Seq)
	case cur.Seq == seq && cur.Hash == hash:
		return nil
	case cur.Seq == seq:
		return newError(ErrAnchorRollback, nil, "run \"fieldvault audit verify\": the local audit log differs from the one anchored",
			"audit entry %d has a different hash from the one anchored in vault for this study", seq)
	}
	path := cfg.anchorPath(studyID)
	data := map[string]any{
		"options": map[string]any{"cas": version},
		"data":    map[string]any{"seq": strconv.FormatUint(seq, 10), "hash": hash},
	}
	if _, err := client.Logical().WriteWithContext(ctx, path, data); err != nil {
		capability := "update"
		if version == 0 {
			capability = "create"
		}
		return classifyKV(ctx, err, cfg, client.Address(), path, capability)
	}
	return nil
}

// Anchor is an audit head anchored in Vault.
type Anchor struct {
	Seq  uint64
	Hash string
}

// AnchoredHead returns the audit head anchored in Vault for studyID, or an
// error matching ErrNotAnchored if there is none.
func AnchoredHead(ctx context.Context, cfg Config, studyID string) (Anchor, error) {
	cfg, err := cfg.checkAnchor(studyID)
	if err != nil {
		return Anchor{}, err
	}
	client, err := newClient()
	if err != nil {
		return Anchor{}, err
	}
	a, _, err := readAnchor(ctx, client, cfg, studyID)
	return a, err
}

func readAnchor(ctx context.Context, client *api.Client, cfg Config, studyID string) (Anchor, int, error) {
	path := cfg.anchorPath(studyID)
	notAnchored := newError(ErrNotAnchored, nil, "", "no audit head is anchored in vault for this study")
	// ReadRaw, not Read: Read turns every 404 into "nothing there", which
	// would hide a missing mount.
	resp, err := client.Logical().ReadRawWithContext(ctx, path)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && re.StatusCode == 404 && !strings.Contains(strings.Join(re.Errors, " "), "no handler for route") {
			return Anchor{}, 0, notAnchored
		}
		return Anchor{}, 0, classifyKV(ctx, err, cfg, client.Address(), path, "read")
	}
	if resp == nil {
		return Anchor{}, 0, notAnchored
	}
	secret, err := api.ParseSecret(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Anchor{}, 0, newError(ErrResponse, err, "check that the kv mount is a KV version 2 engine", "decoding vault's audit anchor: not valid json")
	}
	if secret == nil || secret.Data == nil || secret.Data["data"] == nil {
		return Anchor{}, 0, notAnchored
	}
	return parseAnchor(secret.Data)
}

// parseAnchor decodes the data of a KV v2 read of the anchor path.
func parseAnchor(data map[string]any) (Anchor, int, error) {
	const hint = "check that the kv mount is a KV version 2 engine and that nobody edited the anchor by hand"
	d, ok := data["data"].(map[string]any)
	if !ok {
		return Anchor{}, 0, newError(ErrResponse, nil, hint, "vault's audit anchor has no data")
	}
	meta, ok := data["metadata"].(map[string]any)
	if !ok {
		return Anchor{}, 0, newError(ErrResponse, nil, hint, "vault's audit anchor has no metadata (not a KV version 2 mount?)")
	}
	version, err := jsonInt(meta["version"])
	if err != nil || version < 1 {
		return Anchor{}, 0, newError(ErrResponse, err, hint, "vault's audit anchor has no valid metadata version")
	}
	seqStr, _ := d["seq"].(string)
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if err != nil {
		return Anchor{}, 0, newError(ErrResponse, err, hint, "vault's audit anchor has no valid seq")
	}
	hash, _ := d["hash"].(string)
	if !headRE.MatchString(hash) {
		return Anchor{}, 0, newError(ErrResponse, nil, hint, "vault's audit anchor has no valid hash")
	}
	return Anchor{Seq: seq, Hash: hash}, version, nil
}

func jsonInt(v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	case float64:
		return int(n), nil
	}
	return 0, fmt.Errorf("not a number: %T", v)
}

// classifyKV is classify for the KV store: the mount hint names KV v2, and a
// check-and-set conflict says another writer was first.
func classifyKV(ctx context.Context, err error, cfg Config, addr, path, capability string) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		msgs := strings.ToLower(strings.Join(re.Errors, "; "))
		switch {
		case strings.Contains(msgs, "no handler for route"):
			return newError(ErrMountMissing, err, fmt.Sprintf("enable it with: vault secrets enable -path=%s -version=2 kv", cfg.kvMount()), "no kv secrets engine is mounted at %q on vault at %s", cfg.kvMount(), addr)
		case strings.Contains(msgs, "check-and-set"):
			return newError(ErrAnchorRollback, err, "another writer anchored a head at the same time; run the command again", "the audit anchor in vault changed while it was being updated")
		}
	}
	return classify(ctx, err, cfg, addr, path, capability)
}
