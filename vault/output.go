package vault

import "io"

// WriteOutput writes a file made from the catalogue and the audit log (a
// report for the ethics officer): never inside the vault, never over an
// existing file unless force, atomically, so a failed write leaves nothing.
func (s *Study) WriteOutput(path string, force bool, fill func(io.Writer) error) error {
	if err := checkOutput(s.Dir, path, force); err != nil {
		return err
	}
	return writeNew(s.FS, path, fill)
}
