// Package vault is the study store: the vault on disk, its layout and
// configuration, the age-encrypted catalogue (participants, consent,
// entities, meetings, researchers, documents and their versions, flags,
// retention, the pseudonym register and the key's pin) and objects,
// identities and recipients, transactions, the hash-chained audit log, and
// verification; ingest, open, registration and CSV import of the register
// change it. The atomic writes and the lock it uses are package
// vault/store's, whose S3 backend carries a study to object storage.
//
// It knows nothing of exits or key services. The exit pipeline (export,
// quote, render, check, export-qda, scan DOC, deposit) is package
// vault/gate, which uses the narrow API in exits.go. The pseudonym key and
// the audit anchor are handed in by cmd (Options.Providers, see
// vault/keys): the local key file (vault/keys/local) or HashiCorp Vault
// Transit (vault/keys/hcvault); the store only keeps the local key's
// encrypted file and pins whichever key by its check value.
//
// A study vault is a directory:
//
//	fieldvault.json        plain config: format version, recipients per class, key provider
//	catalog.age            the catalogue, age-encrypted to the "catalog" recipients
//	objects/ab/<uuid>.age  raw material, age-encrypted (streaming) to the "raw" recipients
//	keys/pseudonym.age     local key provider only: the pseudonym key, encrypted to "raw"
//	audit.jsonl            hash-chained audit log (handles and hashes, never a name)
//	lock                   writers hold an exclusive flock on it, readers a shared one
//
// Every change goes through Study.Update, which holds the lock, applies the
// change to a fresh copy of the catalogue, and commits it with its audit
// entries: new objects first, then the catalogue (atomically, carrying the
// entries it commits), then the audit log. A crash at any point leaves the
// previous or the next state; the next writer finishes or cleans up what a
// crash left behind. docs/format.md describes the format in full.
//
// A study can also live under a prefix of an S3-compatible bucket
// (s3://BUCKET/PREFIX, Study.Store set; objstore.go): the same items, the
// audit log as one immutable segment per commit, no lock. Update there
// commits by a conditional write of the catalogue on the version it read,
// and runs the change again on the winner's catalogue when another writer
// committed first.
package vault
