package store

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    Location
		wantErr string
	}{
		{"s3://study-bucket", Location{"study-bucket", ""}, ""},
		{"s3://study-bucket/", Location{"study-bucket", ""}, ""},
		{"s3://study-bucket/team-a/2025", Location{"study-bucket", "team-a/2025/"}, ""},
		{"s3://study-bucket/team-a/2025/", Location{"study-bucket", "team-a/2025/"}, ""},
		{"S3://study.bucket.1/p", Location{"study.bucket.1", "p/"}, ""},
		{"/home/r/study", Location{}, "begin with s3://"},
		{"s3:/study-bucket", Location{}, "begin with s3://"},
		{"s3://", Location{}, "no bucket"},
		{"s3:///prefix", Location{}, "no bucket"},
		{"s3://AKIAEXAMPLE:wJalrXUtnFEMI@study-bucket/p", Location{}, "credentials"},
		{"s3://study-bucket/p?versionId=1", Location{}, "query"},
		{"s3://study-bucket:9000/p", Location{}, "port"},
		{"s3://ab/p", Location{}, "3 to 63"},
		{"s3://" + strings.Repeat("b", 64), Location{}, "3 to 63"},
		{"s3://Study-Bucket", Location{}, "lowercase"},
		{"s3://study_bucket", Location{}, "lowercase"},
		{"s3://-study", Location{}, "begins and ends"},
		{"s3://study-", Location{}, "begins and ends"},
		{"s3://stu..dy", Location{}, "no '..'"},
		{"s3://study-bucket/a//b", Location{}, "prefix"},
		{"s3://study-bucket/../b", Location{}, "prefix"},
		{"s3://study-bucket/.tmp-x", Location{}, "prefix"},
		{"s3://study-bucket/with space", Location{}, "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL = %+v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "wJalrXUtnFEMI") || strings.Contains(err.Error(), "AKIAEXAMPLE") {
					t.Errorf("the error repeats a credential: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseURL = %+v, %v; want %+v", got, err, tt.want)
			}
			if again, err := ParseURL(got.String()); err != nil || again != got {
				t.Errorf("ParseURL(%q) = %+v, %v; String does not round-trip", got.String(), again, err)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"s3://study-bucket/team-a/", "s3://b.c.d", "s3://x:y@bucket/p", "s3://bucket//", "s3://bucket/p/../q", "/tmp/study", "s3://bücket/p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("untyped error %v", err)
			}
			// What follows s3:// (where credentials would be) is never
			// repeated; a value that is no s3:// URL is not repeated
			// whole (its tail may be words of the fixed message: "s3:/").
			if strings.Contains(s, "@") && len(s) > 8 && (IsURL(s) && strings.Contains(err.Error(), s[5:]) || strings.Contains(err.Error(), s)) {
				t.Fatalf("the error repeats a URL carrying credentials: %v", err)
			}
			return
		}
		if checkBucket(loc.Bucket) != nil {
			t.Fatalf("accepted bucket %q", loc.Bucket)
		}
		if loc.Prefix != "" && (!strings.HasSuffix(loc.Prefix, "/") || !ValidKey(strings.TrimSuffix(loc.Prefix, "/"))) {
			t.Fatalf("accepted prefix %q", loc.Prefix)
		}
		if again, err := ParseURL(loc.String()); err != nil || again != loc {
			t.Fatalf("%q: String %q does not parse back (%+v, %v)", s, loc.String(), again, err)
		}
		if ValidKey("objects/ab/x.age") && !ValidKey(strings.TrimSuffix(loc.Prefix+"objects/ab/x.age", "/")) && loc.Prefix != "" {
			t.Fatalf("prefix %q makes item keys invalid", loc.Prefix)
		}
	})
}

func TestValidKey(t *testing.T) {
	good := []string{"catalog.age", "audit.jsonl", "objects/ab/0f9e-uuid.age", "keys/pseudonym.age", "fieldvault.json", "a", "audit/0000000042.jsonl"}
	bad := []string{"", "lock", "/catalog.age", "objects/", "objects//x", "./x", "x/./y", "x/../y", "..", ".tmp-catalog.age-123", "objects/.tmp-x", "a b", "a\x00b", "ä", "a\\b", strings.Repeat("x", 513)}
	for _, k := range good {
		if !ValidKey(k) {
			t.Errorf("ValidKey(%q) = false", k)
		}
	}
	for _, k := range bad {
		if ValidKey(k) {
			t.Errorf("ValidKey(%q) = true", k)
		}
	}
}
