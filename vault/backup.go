package vault

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BackupRequest writes a copy of the vault to Output: a tar file, or a new
// directory when Output ends in a path separator.
type BackupRequest struct {
	Output string
}

// BackupResult says what a backup holds and what verifying it found.
type BackupResult struct {
	Output string
	Dir    bool
	Files  int
	Bytes  int64
	SHA256 string // of the tar file
	Verify *VerifyReport
	Audit  *AuditReport
}

// Backup copies the vault under the writer's lock (after the usual recovery,
// so the copy holds no interrupted change), then verifies the copy as a
// vault of its own (verify --read-data and audit verify) before putting it
// in place. The copy is as encrypted as the vault; the identity file is not
// in it. The backup is audited (the count of files and the tar's hash).
func (s *Study) Backup(ctx context.Context, req BackupRequest) (*BackupResult, error) {
	out := req.Output
	if out == "" {
		return nil, fmt.Errorf("%w: backup needs -o FILE.tar or -o DIR/", ErrInvalid)
	}
	res := &BackupResult{Output: out, Dir: strings.HasSuffix(out, string(filepath.Separator))}
	out = filepath.Clean(out)
	if err := checkOutput(s.Dir, out, false); err != nil {
		return nil, err
	}
	err := s.Update(ctx, func(tx *Tx) error {
		files, err := s.vaultFiles(tx.Cat)
		if err != nil {
			return err
		}
		res.Files = len(files)
		if res.Dir {
			err = s.backupDir(ctx, tx, out, files, res)
		} else {
			err = s.backupTar(ctx, tx, out, files, res)
		}
		if err != nil {
			return err
		}
		e := Entry{Action: "backup", Detail: map[string]string{"files": fmt.Sprint(res.Files), "bytes": fmt.Sprint(res.Bytes), "form": "tar"}}
		if res.Dir {
			e.Detail["form"] = "directory"
		} else {
			e.Hashes = map[string]string{"output": res.SHA256}
		}
		tx.Audit(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// vaultFiles lists the files of the vault at cat to copy, relative to it: the config,
// the catalogue, the audit log, the keys and the objects; never the lock
// or temp files.
func (s *Study) vaultFiles(cat *Catalog) ([]string, error) {
	if s.Store != nil {
		return s.storeFiles(cat)
	}
	var out []string
	for _, name := range []string{ConfigFile, CatalogFile, AuditFile} {
		if _, err := os.Stat(filepath.Join(s.Dir, name)); err == nil {
			out = append(out, name)
		} else if name != AuditFile {
			return nil, integrity("%s is missing", name)
		}
	}
	for _, sub := range []string{KeysDir, ObjectsDir} {
		err := filepath.WalkDir(filepath.Join(s.Dir, sub), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), tempPrefix) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(s.Dir, p)
				out = append(out, rel)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", sub, err)
		}
	}
	return out, nil
}

// backupTar streams the files into a tar staged beside out, verifies it by
// unpacking it into a temp dir, and renames it into place on commit.
func (s *Study) backupTar(ctx context.Context, tx *Tx, out string, files []string, res *BackupResult) error {
	tmp, err := s.stageOutputFile(tx, out, nil, func(w io.Writer) error {
		h := sha256.New()
		tw := tar.NewWriter(io.MultiWriter(w, h))
		for _, rel := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := s.addToTar(ctx, tx.Cat, tw, rel)
			if err != nil {
				return err
			}
			res.Bytes += n
		}
		if err := tw.Close(); err != nil {
			return err
		}
		res.SHA256 = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	check, err := os.MkdirTemp("", "fieldvault-backup-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(check)
	if err := Restore(tmp, check); err != nil {
		return fmt.Errorf("checking the backup: %w", err)
	}
	return s.verifyCopy(ctx, check, res)
}

func (s *Study) addToTar(ctx context.Context, cat *Catalog, tw *tar.Writer, rel string) (int64, error) {
	f, err := s.openVaultFile(ctx, cat, rel)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: filepath.ToSlash(rel), Size: f.size, Mode: 0o600, ModTime: f.modified, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, err
	}
	n, err := io.Copy(tw, f)
	if err == nil && n != f.size {
		err = fmt.Errorf("%s changed size while being copied", rel)
	}
	return n, err
}

// Restore unpacks a backup tar into dir (created if needed, 0700), refusing
// any entry that is not a regular file inside dir.
func Restore(tarPath, dir string) error {
	f, err := os.Open(tarPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s is not a readable tar", ErrInvalid, tarPath)
		}
		name := filepath.FromSlash(hdr.Name)
		if hdr.Typeflag != tar.TypeReg || !filepath.IsLocal(name) {
			return fmt.Errorf("%w: %s holds an entry that is not a vault file", ErrInvalid, tarPath)
		}
		target := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		w, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, tr)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}

// backupDir copies the files into a temp dir beside out, verifies it and
// renames it into place on commit.
func (s *Study) backupDir(ctx context.Context, tx *Tx, out string, files []string, res *BackupResult) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	intent, err := s.recordOutput(abs)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), tempPrefix+filepath.Base(abs)+"-")
	if err != nil {
		os.Remove(intent)
		return fmt.Errorf("writing %s: %w", out, err)
	}
	tx.OnAbort(func() {
		os.RemoveAll(tmp)
		os.Remove(intent)
	})
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		src, err := s.openVaultFile(ctx, tx.Cat, rel)
		if err != nil {
			return err
		}
		err = writeNew(s.FS, target, func(w io.Writer) error {
			n, err := io.Copy(w, src)
			res.Bytes += n
			return err
		})
		src.Close()
		if err != nil {
			return fmt.Errorf("copying %s: %w", rel, err)
		}
	}
	if err := s.verifyCopy(ctx, tmp, res); err != nil {
		return err
	}
	os.Remove(filepath.Join(tmp, LockFile)) // taken by the check
	tx.OnCommit(func() { os.Remove(intent) })
	tx.Deliver(func() error {
		if err := os.Rename(tmp, abs); err != nil {
			return fmt.Errorf("writing %s: %w", out, err)
		}
		return s.FS.SyncDir(filepath.Dir(abs))
	}, func() { os.RemoveAll(abs) })
	return nil
}

// verifyCopy opens a copy as a vault with this identity and checks its
// objects (reading them) and its audit chain.
func (s *Study) verifyCopy(ctx context.Context, dir string, res *BackupResult) error {
	cfg, err := readConfig(dir)
	if err != nil {
		return fmt.Errorf("checking the backup: %w", err)
	}
	c := &Study{Dir: dir, Config: cfg, Identity: s.Identity, FS: OS{}, Now: s.Now, providers: s.providers}
	if res.Verify, err = c.Verify(true); err != nil {
		return fmt.Errorf("checking the backup: %w", err)
	}
	if res.Audit, err = c.VerifyAudit(ctx, ""); err != nil {
		return fmt.Errorf("checking the backup's audit log: %w", err)
	}
	if !res.Verify.OK() || !res.Audit.OK() {
		return integrity("the backup does not verify: %s", strings.Join(append(res.Verify.Problems, res.Audit.Problems...), "; "))
	}
	return nil
}

// recordOutput writes an intent naming an output being staged, so that the
// next writer removes what a crash left beside it.
func (s *Study) recordOutput(abs string) (string, error) {
	intent, err := s.newIntent()
	if err != nil {
		return "", err
	}
	if err := writeIntent(s.FS, intent, outputIntent{Output: abs}); err != nil {
		s.FS.Remove(intent)
		return "", fmt.Errorf("recording the output in the vault: %w", err)
	}
	return intent, nil
}
