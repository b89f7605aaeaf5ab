package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }

// partSize is the object backend's part size in these tests: the smallest
// S3 allows, so that a few MiB already make a multipart upload.
const partSize = store.MinPartSize

// fixture is one backend under test, with what a test needs to see behind
// the seam.
type fixture struct {
	b store.Backend
	// where names the store in error messages.
	where string
	// leftovers lists what a failed or refused write left behind:
	// unfinished multipart uploads.
	leftovers func(t testing.TB) []string
	// secrets must never appear in an error.
	secrets []string
}

// s3Fixture is the object store in a fresh bucket of srv, configured from
// the AWS environment as fieldvault is.
func s3Fixture(t testing.TB, srv *s3test.Server) fixture {
	srv.Env(t)
	bucket := srv.Bucket(t)
	loc, err := store.ParseURL("s3://" + bucket + "/study-a/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.OpenS3(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	b.PartSize = partSize
	return fixture{
		b:     b,
		where: "bucket " + bucket,
		leftovers: func(t testing.TB) []string {
			out, err := srv.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatalf("listing multipart uploads: %v", err)
			}
			var keys []string
			for _, u := range out.Uploads {
				keys = append(keys, "unfinished upload of "+aws.ToString(u.Key))
			}
			return keys
		},
		secrets: []string{srv.SecretKey, srv.AccessKey},
	}
}

// eachBackend runs test against every Backend: the object store on the
// shared S3 server (skipped without the server binary unless
// FIELDVAULT_REQUIRE_S3=1).
func eachBackend(t *testing.T, test func(t *testing.T, f fixture)) {
	t.Run("s3", func(t *testing.T) {
		test(t, s3Fixture(t, s3test.Shared(t)))
	})
}

func write(data []byte) store.Fill {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

func get(t *testing.T, b store.Backend, key string) ([]byte, string) {
	t.Helper()
	r, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	if r.Size != int64(len(data)) {
		t.Errorf("Get(%s).Size = %d, read %d bytes", key, r.Size, len(data))
	}
	v, err := r.Version()
	if err != nil || v == "" {
		t.Fatalf("Get(%s).Version() = %q, %v", key, v, err)
	}
	return data, v
}

func noLeftovers(t *testing.T, f fixture) {
	t.Helper()
	if l := f.leftovers(t); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

// checkErr checks that err matches want, names the store, the operation and
// the key, and carries no credential.
func checkErr(t *testing.T, f fixture, err, want error, op, key string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	msg := err.Error()
	for _, s := range []string{f.where, op, key} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not name %q", msg, s)
		}
	}
	for _, s := range f.secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q carries a credential", msg)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 4 << 10, partSize - 1, partSize, partSize + 1, 2*partSize + 12345}
	eachBackend(t, func(t *testing.T, f fixture) {
		for _, n := range sizes {
			key := fmt.Sprintf("objects/%02x/item-%d.age", n%251, n)
			data := pattern(n)
			info, err := f.b.PutNew(context.Background(), key, write(data))
			if err != nil {
				t.Fatalf("PutNew(%d bytes): %v", n, err)
			}
			if info.Size != int64(n) || info.Version == "" || info.Key != key {
				t.Errorf("PutNew(%d bytes) = %+v", n, info)
			}
			got, v := get(t, f.b, key)
			if !bytes.Equal(got, data) {
				t.Errorf("%d bytes: read back %d bytes, different", n, len(got))
			}
			if v != info.Version {
				t.Errorf("%d bytes: Get version %q, PutNew said %q", n, v, info.Version)
			}
		}
		noLeftovers(t, f)
	})
}

func TestMissing(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		_, err := f.b.Get(context.Background(), "catalog.age")
		checkErr(t, f, err, fs.ErrNotExist, "get", "catalog.age")
		if err := f.b.Delete(context.Background(), "objects/00/none.age"); err != nil {
			t.Errorf("Delete of a missing key: %v", err)
		}
	})
}

func TestPutNewConflict(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		if _, err := f.b.PutNew(ctx, "audit/0001.jsonl", write([]byte("first\n"))); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{6, 2*partSize + 1} { // one PUT, and a multipart upload
			_, err := f.b.PutNew(ctx, "audit/0001.jsonl", write(pattern(n)))
			checkErr(t, f, err, fs.ErrExist, "put-new", "audit/0001.jsonl")
		}
		if got, _ := get(t, f.b, "audit/0001.jsonl"); string(got) != "first\n" {
			t.Errorf("after refused PutNew: %q", got)
		}
		noLeftovers(t, f)
	})
}

// TestPutNewRace: writers creating one key at once; exactly one wins.
func TestPutNewRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		const writers = 6
		var wg sync.WaitGroup
		var won, lost atomic.Int32
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.b.PutNew(context.Background(), "catalog/0000000002.age", write([]byte(fmt.Sprintf("writer %d\n", i))))
				switch {
				case err == nil:
					won.Add(1)
				case errors.Is(err, fs.ErrExist):
					lost.Add(1)
				default:
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if won.Load() != 1 || lost.Load() != writers-1 {
			t.Errorf("%d writers won, %d lost; want 1 and %d", won.Load(), lost.Load(), writers-1)
		}
	})
}

func TestReplace(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		const key = "catalog.age"
		// match "" creates, and only once.
		v1, err := f.b.Replace(ctx, key, "", write([]byte("generation 1")))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.b.Replace(ctx, key, "", write([]byte("generation 1 again")))
		checkErr(t, f, err, store.ErrConflict, "replace", key)

		_, read := get(t, f.b, key)
		if read != v1.Version {
			t.Errorf("Get version %q, Replace said %q", read, v1.Version)
		}
		// Writer A and writer B both read generation 1; A commits first.
		a, err := f.b.Replace(ctx, key, read, write([]byte("generation 2 by A")))
		if err != nil {
			t.Fatalf("A's replace: %v", err)
		}
		if a.Version == v1.Version {
			t.Errorf("the version did not change")
		}
		for _, n := range []int{17, 2*partSize + 3} {
			_, err = f.b.Replace(ctx, key, read, write(pattern(n)))
			checkErr(t, f, err, store.ErrConflict, "replace", key)
		}
		if got, v := get(t, f.b, key); string(got) != "generation 2 by A" || v != a.Version {
			t.Errorf("after B lost: %q (version %q, want %q)", got, v, a.Version)
		}
		// B reloads and succeeds, with a large catalogue this time.
		big := pattern(partSize + 99)
		if _, err := f.b.Replace(ctx, key, a.Version, write(big)); err != nil {
			t.Fatalf("B's retry: %v", err)
		}
		if got, _ := get(t, f.b, key); !bytes.Equal(got, big) {
			t.Errorf("B's retry did not land")
		}
		// A version of a deleted item matches nothing.
		if err := f.b.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		_, err = f.b.Replace(ctx, key, a.Version, write([]byte("ghost")))
		checkErr(t, f, err, store.ErrConflict, "replace", key)
		if _, err := f.b.Get(ctx, key); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused Replace created the item: %v", err)
		}
		noLeftovers(t, f)
	})
}

// TestReplaceRace: writers each add 1 to a counter by compare-and-swap,
// reloading when they lose; no increment is lost.
func TestReplaceRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		const key, writers, each = "head", 4, 8
		if _, err := f.b.PutNew(ctx, key, write([]byte("0"))); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var conflicts atomic.Int32
		errs := make(chan error, writers)
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done := 0; done < each; {
					r, err := f.b.Get(ctx, key)
					if err != nil {
						errs <- err
						return
					}
					var n int
					_, err = fmt.Fscan(r, &n)
					v, verr := r.Version()
					r.Close()
					if err != nil || verr != nil {
						errs <- errors.Join(err, verr)
						return
					}
					_, err = f.b.Replace(ctx, key, v, write([]byte(fmt.Sprint(n+1))))
					switch {
					case err == nil:
						done++
					case errors.Is(err, store.ErrConflict):
						conflicts.Add(1)
					default:
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got, _ := get(t, f.b, key); string(got) != fmt.Sprint(writers*each) {
			t.Errorf("counter = %s, want %d (%d conflicts retried)", got, writers*each, conflicts.Load())
		}
		t.Logf("%d lost races retried", conflicts.Load())
	})
}

func TestList(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		keys := []string{"objects/cd/3.age", "catalog.age", "objects/ab/2.age", "objects/ab/1.age", "audit/0001.jsonl", "objects-old/x"}
		for i, k := range keys {
			if _, err := f.b.PutNew(ctx, k, write(pattern(i+1))); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			prefix string
			want   []string
		}{
			{"", []string{"audit/0001.jsonl", "catalog.age", "objects-old/x", "objects/ab/1.age", "objects/ab/2.age", "objects/cd/3.age"}},
			{"objects/", []string{"objects/ab/1.age", "objects/ab/2.age", "objects/cd/3.age"}},
			{"objects/a", []string{"objects/ab/1.age", "objects/ab/2.age"}},
			{"objects", []string{"objects-old/x", "objects/ab/1.age", "objects/ab/2.age", "objects/cd/3.age"}},
			{"catalog.age", []string{"catalog.age"}},
			{"nothing/", nil},
		}
		for _, tt := range tests {
			var got []string
			err := f.b.List(ctx, tt.prefix, func(i store.Info) error {
				got = append(got, i.Key)
				for j, k := range keys {
					if k == i.Key && i.Size != int64(j+1) {
						t.Errorf("List: %s size %d, want %d", k, i.Size, j+1)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("List(%q) = %v, want %v", tt.prefix, got, tt.want)
			}
		}
		stop := errors.New("enough")
		if err := f.b.List(ctx, "", func(store.Info) error { return stop }); err != stop {
			t.Errorf("List does not return fn's error: %v", err)
		}
	})
}

func TestDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		if _, err := f.b.PutNew(ctx, "objects/ab/gone.age", write([]byte("x"))); err != nil {
			t.Fatal(err)
		}
		for range 2 { // deleting again is not an error
			if err := f.b.Delete(ctx, "objects/ab/gone.age"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.b.Get(ctx, "objects/ab/gone.age"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get after Delete: %v", err)
		}
		n := 0
		f.b.List(ctx, "", func(store.Info) error { n++; return nil })
		if n != 0 {
			t.Errorf("List after Delete: %d items", n)
		}
		// A key may be written anew after its deletion.
		if _, err := f.b.PutNew(ctx, "objects/ab/gone.age", write([]byte("y"))); err != nil {
			t.Errorf("PutNew after Delete: %v", err)
		}
	})
}

func TestInvalidKeys(t *testing.T) {
	bad := []string{"", "/abs", "../up", "a/../b", "a//b", "dir/", ".tmp-x", "objects/.tmp-y", "lock", "with space", "ünï", `back\slash`, strings.Repeat("k", 513)}
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		for _, k := range bad {
			ops := map[string]error{}
			_, ops["get"] = f.b.Get(ctx, k)
			_, ops["put-new"] = f.b.PutNew(ctx, k, write([]byte("x")))
			_, ops["replace"] = f.b.Replace(ctx, k, "", write([]byte("x")))
			ops["delete"] = f.b.Delete(ctx, k)
			for op, err := range ops {
				if !errors.Is(err, fs.ErrInvalid) {
					t.Errorf("%s(%q) = %v, want an invalid-key error", op, k, err)
					continue
				}
				if k != "" && strings.Contains(err.Error(), k) {
					t.Errorf("%s(%q): error repeats the key: %v", op, k, err)
				}
			}
		}
		if err := f.b.List(ctx, "../", func(store.Info) error { return nil }); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("List(\"../\") = %v, want an invalid-prefix error", err)
		}
	})
}

// TestFillError: a fill that fails (the encryptor, the input file) leaves
// nothing, whether it fails in the first part or after several.
func TestFillError(t *testing.T) {
	boom := errors.New("input went away")
	eachBackend(t, func(t *testing.T, f fixture) {
		for _, n := range []int{10, 2*partSize + 10} {
			_, err := f.b.PutNew(context.Background(), "objects/ab/broken.age", func(w io.Writer) error {
				if _, err := w.Write(pattern(n)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("%d bytes then an error: PutNew = %v, want the fill's error", n, err)
			}
			if _, err := f.b.Get(context.Background(), "objects/ab/broken.age"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%d bytes then an error: the item exists (%v)", n, err)
			}
			noLeftovers(t, f)
		}
	})
}

func TestCanceled(t *testing.T) {
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx, cancel := context.WithCancel(context.Background())
		_, err := f.b.PutNew(ctx, "objects/ab/c.age", func(w io.Writer) error {
			if _, err := w.Write(pattern(partSize + 1)); err != nil {
				return err
			}
			cancel()
			_, err := w.Write(pattern(partSize + 1))
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("PutNew canceled mid-way = %v", err)
		}
		if _, err := f.b.Get(context.Background(), "objects/ab/c.age"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a canceled PutNew left the item (%v)", err)
		}
		noLeftovers(t, f)
	})
}

// TestLargeStreamFlatMemory streams 64 MiB in and out: the heap allocated
// stays a small fraction of the size (a part buffer or two), and the bytes
// come back intact.
func TestLargeStreamFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB through each backend")
	}
	const size = 64 << 20
	const budget = 24 << 20 // total allocation allowed for 64 MiB in, and again out
	eachBackend(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		chunk := pattern(1 << 20)
		want := sha256.New()
		for range size / len(chunk) {
			want.Write(chunk)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		info, err := f.b.PutNew(ctx, "objects/ab/recording.age", func(w io.Writer) error {
			for range size / len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if in := after.TotalAlloc - before.TotalAlloc; in > budget {
			t.Errorf("writing 64 MiB allocated %d MiB, want under %d MiB", in>>20, budget>>20)
		} else {
			t.Logf("writing 64 MiB allocated %.1f MiB", float64(in)/(1<<20))
		}
		if info.Size != size {
			t.Errorf("PutNew size %d, want %d", info.Size, size)
		}
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := f.b.Get(ctx, "objects/ab/recording.age")
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.New()
		n, err := io.CopyBuffer(got, r, make([]byte, 128<<10))
		r.Close()
		if err != nil || n != size {
			t.Fatalf("reading back: %d bytes, %v", n, err)
		}
		runtime.ReadMemStats(&after)
		if out := after.TotalAlloc - before.TotalAlloc; out > budget {
			t.Errorf("reading 64 MiB allocated %d MiB, want under %d MiB", out>>20, budget>>20)
		} else {
			t.Logf("reading 64 MiB allocated %.1f MiB", float64(out)/(1<<20))
		}
		if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
			t.Errorf("64 MiB came back different")
		}
		noLeftovers(t, f)
	})
}

// pattern returns n bytes that differ from one offset to the next.
func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// TestStoreGoneMidway: the storage goes away in the middle of a multipart
// upload (the S3 server killed). The write fails with a clean error naming
// the store, operation and key, and once the storage is back nothing of it
// is visible and the catalogue is as it was.
func TestStoreGoneMidway(t *testing.T) {
	srv := s3test.Start(t)
	f := s3Fixture(t, srv)
	ctx := context.Background()
	cat, err := f.b.PutNew(ctx, "catalog.age", write([]byte("generation 7")))
	if err != nil {
		t.Fatal(err)
	}
	const key = "objects/ab/interview.age"
	_, err = f.b.PutNew(ctx, key, func(w io.Writer) error {
		if _, err := w.Write(pattern(2*partSize + 1)); err != nil {
			return err
		}
		srv.Kill()
		_, err := w.Write(pattern(2 * partSize))
		return err
	})
	checkErr(t, f, err, store.ErrUnreachable, "put-new", key)
	t.Logf("the error: %v", err)
	_, err = f.b.Replace(ctx, "catalog.age", cat.Version, write([]byte("generation 8")))
	checkErr(t, f, err, store.ErrUnreachable, "replace", "catalog.age")
	_, err = f.b.Get(ctx, "catalog.age")
	checkErr(t, f, err, store.ErrUnreachable, "get", "catalog.age")
	err = f.b.List(ctx, "objects/", func(store.Info) error { return nil })
	checkErr(t, f, err, store.ErrUnreachable, "list", "objects/")
	srv.Restart(t)
	if _, err := f.b.Get(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the failure, Get(%s) = %v, want not found", key, err)
	}
	if got, v := get(t, f.b, "catalog.age"); string(got) != "generation 7" || v != cat.Version {
		t.Errorf("the catalogue changed: %q", got)
	}
	// An upload the server could not be told to abort stays invisible, and
	// the sweep removes it.
	swept, err := f.b.(*store.S3).SweepUploads(ctx, 0)
	if err != nil || len(swept) != 1 || swept[0] != key {
		t.Errorf("SweepUploads = %v, %v; want the interrupted %s", swept, err, key)
	}
	noLeftovers(t, f)
}
