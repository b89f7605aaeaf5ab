package store

import (
	"errors"
	"fmt"
	"strings"
)

// Location is a study's place in object storage: a bucket and a key prefix
// ("" or ending in "/").
type Location struct {
	Bucket string
	Prefix string
}

// String is the location as s3://BUCKET/PREFIX.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Prefix }

// IsURL reports whether a --vault value names object storage (s3://…)
// rather than a directory.
func IsURL(s string) bool { return strings.HasPrefix(strings.ToLower(s), "s3://") }

// ErrBadURL is wrapped by ParseURL's errors.
var ErrBadURL = errors.New("not an s3://BUCKET/PREFIX location")

// ParseURL parses s3://BUCKET[/PREFIX]. The bucket follows S3's naming rules
// (3-63 lowercase letters, digits, '.' and '-', beginning and ending with a
// letter or digit); the prefix is slash-separated segments as in a key. A
// URL carrying credentials (user@, user:secret@), a port, a query or a
// fragment is refused, and the error does not repeat it.
func ParseURL(s string) (Location, error) {
	if !IsURL(s) {
		return Location{}, fmt.Errorf("%w: it does not begin with s3://", ErrBadURL)
	}
	rest := s[len("s3://"):]
	if strings.ContainsAny(rest, "@?#") {
		return Location{}, fmt.Errorf("%w: it may not carry credentials, a query or a fragment (credentials come from the AWS environment or a profile)", ErrBadURL)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if err := checkBucket(bucket); err != nil {
		return Location{}, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		if !ValidKey(prefix) {
			return Location{}, fmt.Errorf("%w: the prefix must be slash-separated names of letters, digits, '.', '_' and '-'", ErrBadURL)
		}
		if len(prefix) > maxPrefix {
			return Location{}, fmt.Errorf("%w: the prefix is longer than %d characters: the study's keys beneath it would be too long", ErrBadURL, maxPrefix)
		}
		prefix += "/"
	}
	return Location{Bucket: bucket, Prefix: prefix}, nil
}

// maxPrefix leaves room beneath a prefix for the longest key a study
// writes (objects/ab/<uuid>.age, 51 bytes) within ValidKey's 512.
const maxPrefix = 512 - 128

func checkBucket(b string) error {
	switch {
	case b == "":
		return errors.New("no bucket named")
	case strings.Contains(b, ":"):
		return errors.New("a bucket takes no port (set AWS_ENDPOINT_URL for the server)")
	case len(b) < 3 || len(b) > 63:
		return errors.New("a bucket name has 3 to 63 characters")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return errors.New("a bucket name has only lowercase letters, digits, '.' and '-'")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) || strings.Contains(b, "..") {
		return errors.New("a bucket name begins and ends with a letter or digit and has no '..'")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
