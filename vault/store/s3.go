package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Part sizes of multipart uploads. S3 requires at least 5 MiB for every
// part but the last, and allows 10,000 parts: 8 MiB parts carry an item of
// up to 78 GiB, and an upload holds two parts in memory.
const (
	MinPartSize     = 5 << 20
	DefaultPartSize = 8 << 20
)

// responseTimeout bounds the wait for a server's answer to one request.
var responseTimeout = 2 * time.Minute

// S3 is a study vault under a prefix of an S3-compatible bucket. Items are
// objects; a new item is written with If-None-Match: * and a replacement
// with If-Match on the ETag the writer read, so concurrent writers on any
// number of machines never overwrite each other's changes.
type S3 struct {
	Client *s3.Client
	Loc    Location
	// PartSize is the multipart upload's part size (0 = DefaultPartSize;
	// at least MinPartSize). Items smaller than one part are one PUT.
	PartSize int64
}

// OpenS3 connects to the bucket of loc with the usual AWS configuration:
// AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3, or a profile's endpoint_url) for
// an S3-compatible server, AWS_REGION, and AWS_ACCESS_KEY_ID with
// AWS_SECRET_ACCESS_KEY or a profile (AWS_PROFILE). With an endpoint set,
// requests address the bucket in the path (as S3-compatible servers
// expect), and the region defaults to us-east-1. Request checksums are sent
// only where S3 requires them (AWS_REQUEST_CHECKSUM_CALCULATION overrides),
// since several S3-compatible servers refuse the newer checksum headers;
// the content is authenticated by age and hashed in the catalogue anyway.
func OpenS3(ctx context.Context, loc Location) (*S3, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		// The SDK's text may quote the configuration files: name the
		// profile, or the places to look, instead.
		var nope config.SharedConfigProfileNotExistError
		if errors.As(err, &nope) {
			err = fmt.Errorf("the AWS profile %q is not in AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE (~/.aws/config, ~/.aws/credentials)", nope.Profile)
		} else {
			err = errors.New("the AWS configuration could not be loaded (check AWS_PROFILE and the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name)")
		}
		return nil, &Error{Store: "bucket " + loc.Bucket, Op: "configure", Err: err}
	}
	// A server that accepts a connection and never answers would hang a
	// command for ever: bound the wait for each answer's headers (bodies
	// stream as long as they flow), keeping any CA bundle the
	// configuration set.
	hc, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if !ok || hc == nil {
		hc = awshttp.NewBuildableClient()
	}
	if ok || cfg.HTTPClient == nil {
		cfg.HTTPClient = hc.WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = responseTimeout })
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
			if o.Region == "" {
				o.Region = "us-east-1"
			}
		}
		if o.RequestChecksumCalculation == aws.RequestChecksumCalculationUnset {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
	})
	s := &S3{Client: client, Loc: loc}
	if client.Options().Region == "" {
		return nil, s.wrap("configure", "", errors.New("no AWS region: set AWS_REGION (or AWS_ENDPOINT_URL for an S3-compatible server)"))
	}
	noCreds := fmt.Errorf("%w: no usable AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (an SSO profile needs 'aws sso login')", ErrDenied)
	if cfg.Credentials == nil {
		return nil, s.wrap("configure", "", noCreds)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, s.wrap("configure", "", noCreds)
	}
	return s, nil
}

func (s *S3) String() string { return s.Loc.String() }

// Enclosing returns the store at each prefix that encloses this one, the
// bucket's root first (none for a study at the root): where another study
// would see this one's items as its own.
func (s *S3) Enclosing() []Backend {
	var out []Backend
	segs := strings.Split(strings.TrimSuffix(s.Loc.Prefix, "/"), "/")
	for i := 0; s.Loc.Prefix != "" && i < len(segs); i++ {
		prefix := strings.Join(segs[:i], "/")
		if prefix != "" {
			prefix += "/"
		}
		out = append(out, &S3{Client: s.Client, Loc: Location{Bucket: s.Loc.Bucket, Prefix: prefix}, PartSize: s.PartSize})
	}
	return out
}

func (s *S3) key(key string) *string { return aws.String(s.Loc.Prefix + key) }

func (s *S3) partSize() int64 {
	switch {
	case s.PartSize == 0:
		return DefaultPartSize
	case s.PartSize < MinPartSize:
		return MinPartSize
	}
	return s.PartSize
}

// fail wraps a client error with the bucket, operation and key, translated
// into one of the package's errors with a hint; the SDK's own text (request
// URLs, request ids) is dropped.
// When ctx has ended, that is the cause, whatever the SDK made of it.
func (s *S3) fail(ctx context.Context, op, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return s.wrap(op, key, cerr)
	}
	return s.wrap(op, key, classify(err))
}

// wrap names the bucket, operation and key around one of the package's
// errors.
func (s *S3) wrap(op, key string, err error) error {
	return &Error{Store: s.name(), Op: op, Key: key, Err: err}
}

func (s *S3) name() string { return "bucket " + s.Loc.Bucket }

func classify(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		switch code {
		case "NoSuchKey", "NotFound":
			return ErrNotExist
		case "PreconditionFailed", "ConditionalRequestConflict":
			return ErrConflict
		case "NoSuchBucket":
			return fmt.Errorf("%w (create it, or check the s3:// location and AWS_ENDPOINT_URL)", ErrNoBucket)
		case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem",
			"XAdminUserNotFound": // versitygw's answer to an unknown access key
			return fmt.Errorf("%w (%s): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the profile, and the bucket's policy", ErrDenied, code)
		case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
			return fmt.Errorf("the bucket answers from another region (%s): set AWS_REGION", code)
		}
		if st := status(err); st != 0 {
			return fmt.Errorf("the server answered %s (HTTP %d)", code, st)
		}
		return fmt.Errorf("the server answered %s", code)
	}
	switch st := status(err); {
	case st == 404:
		return ErrNotExist
	case st == 412 || st == 409:
		return ErrConflict
	case st == 401 || st == 403:
		return fmt.Errorf("%w (HTTP %d): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the profile, and the bucket's policy", ErrDenied, st)
	case st != 0:
		return fmt.Errorf("the server answered HTTP %d", st)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		addr := ""
		if oe.Addr != nil {
			addr = " " + oe.Addr.String()
		}
		return fmt.Errorf("%w: cannot %s%s (%v)", ErrUnreachable, oe.Op, addr, shortNetErr(oe.Err))
	}
	// The caller's context has not ended (see fail): a deadline is the
	// response timeout's.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: no answer within %v", ErrUnreachable, responseTimeout)
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return fmt.Errorf("%w: cannot resolve %s", ErrUnreachable, de.Name)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("%w: the connection was closed mid-request", ErrUnreachable)
	}
	return fmt.Errorf("%w: the request failed", ErrUnreachable)
}

func shortNetErr(err error) string {
	var se syscall.Errno
	if errors.As(err, &se) {
		return se.Error()
	}
	if err == nil {
		return "no detail"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Get streams the object; Version is its ETag.
func (s *S3) Get(ctx context.Context, key string) (*Reader, error) {
	if err := checkKey(s.name(), "get", key); err != nil {
		return nil, err
	}
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Loc.Bucket), Key: s.key(key)})
	if err != nil {
		return nil, s.fail(ctx, "get", key, err)
	}
	etag := aws.ToString(out.ETag)
	return &Reader{
		ReadCloser: &s3Body{ctx: ctx, body: out.Body, s: s, key: key},
		Size:       aws.ToInt64(out.ContentLength),
		Modified:   aws.ToTime(out.LastModified),
		version:    func() (string, error) { return etag, nil },
	}, nil
}

// s3Body translates errors of a body cut off mid-stream.
type s3Body struct {
	ctx  context.Context
	body io.ReadCloser
	s    *S3
	key  string
}

func (b *s3Body) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if err != nil && err != io.EOF {
		err = b.s.fail(b.ctx, "get", b.key, err)
	}
	return n, err
}

func (b *s3Body) Close() error { return b.body.Close() }

// PutNew uploads with If-None-Match: *.
func (s *S3) PutNew(ctx context.Context, key string, fill Fill) (Info, error) {
	info, err := s.put(ctx, "put-new", key, "", fill)
	if errors.Is(err, ErrConflict) {
		err = s.wrap("put-new", key, ErrExists)
	}
	return info, err
}

// Replace uploads with If-Match: match (or If-None-Match: * when match is
// "").
func (s *S3) Replace(ctx context.Context, key, match string, fill Fill) (Info, error) {
	info, err := s.put(ctx, "replace", key, match, fill)
	if errors.Is(err, ErrNotExist) && match != "" {
		// If-Match on an object deleted meanwhile.
		err = s.wrap("replace", key, ErrConflict)
	}
	return info, err
}

// put streams fill's output: an item smaller than one part is one
// conditional PUT; a larger one a multipart upload whose completion is
// conditional, so the item appears whole or not at all. Two parts at most
// are held in memory: one filling, one uploading.
func (s *S3) put(ctx context.Context, op, key, match string, fill Fill) (Info, error) {
	if err := checkKey(s.name(), op, key); err != nil {
		return Info{}, err
	}
	u := &upload{ctx: ctx, s: s, op: op, key: key, size: s.partSize()}
	ferr := fill(u)
	if ferr == nil {
		ferr = u.err
	}
	if ferr != nil {
		// fill's own error, or the store's (u.err) as fill passed it on.
		u.abort()
		return Info{}, ferr
	}
	var ifMatch, ifNone *string
	if match == "" {
		ifNone = aws.String("*")
	} else {
		ifMatch = aws.String(match)
	}
	if u.id == nil {
		out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(s.Loc.Bucket),
			Key:           s.key(key),
			Body:          bytes.NewReader(u.buf),
			ContentLength: aws.Int64(int64(len(u.buf))),
			IfMatch:       ifMatch,
			IfNoneMatch:   ifNone,
		})
		if err != nil {
			return Info{}, s.fail(ctx, op, key, err)
		}
		return Info{Key: key, Size: u.n, Version: aws.ToString(out.ETag), Modified: time.Now()}, nil
	}
	err := u.flush()
	if err == nil {
		err = u.wait()
	}
	if err != nil {
		u.abort()
		return Info{}, err
	}
	out, err := s.Client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.Loc.Bucket),
		Key:             s.key(key),
		UploadId:        u.id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
		IfMatch:         ifMatch,
		IfNoneMatch:     ifNone,
	})
	if err != nil {
		u.abort()
		return Info{}, s.fail(ctx, op, key, err)
	}
	return Info{Key: key, Size: u.n, Version: aws.ToString(out.ETag), Modified: time.Now()}, nil
}

// upload is the writer a fill writes to: it collects a part and, when the
// part is full, uploads it in the background while the fill goes on into a
// second buffer; the multipart upload starts with the first full part. At
// most two parts are in memory, and one request is in flight.
type upload struct {
	ctx    context.Context
	s      *S3
	op     string
	key    string
	size   int64
	buf    []byte // the part being filled
	spare  []byte // the other buffer, free once inflight has answered
	n      int64
	id     *string
	parts  []types.CompletedPart
	err    error
	flight chan partResult // the part being uploaded; nil when none
}

type partResult struct {
	part types.CompletedPart
	err  error
}

func (u *upload) Write(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	written := 0
	for len(p) > 0 {
		if u.buf == nil {
			// Small items (the catalogue) need no full part's buffer.
			u.buf = make([]byte, 0, min(u.size, max(int64(len(p)), 64<<10)))
		}
		room := u.size - int64(len(u.buf))
		if room == 0 {
			if err := u.flush(); err != nil {
				return written, err
			}
			continue
		}
		chunk := p[:min(int64(len(p)), room)]
		if int64(len(u.buf)+len(chunk)) > int64(cap(u.buf)) {
			grown := make([]byte, len(u.buf), min(u.size, 2*int64(cap(u.buf))+int64(len(chunk))))
			copy(grown, u.buf)
			u.buf = grown
		}
		u.buf = append(u.buf, chunk...)
		u.n += int64(len(chunk))
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

// flush sends the collected part on its way (starting the multipart upload
// first if needed) once the part before it has landed, and gives the fill
// the other buffer.
func (u *upload) flush() error {
	if err := u.wait(); err != nil {
		return err
	}
	if err := u.ctx.Err(); err != nil {
		u.err = u.s.fail(u.ctx, u.op, u.key, err)
		return u.err
	}
	bucket := aws.String(u.s.Loc.Bucket)
	if u.id == nil {
		out, err := u.s.Client.CreateMultipartUpload(u.ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: u.s.key(u.key)})
		if err != nil {
			u.err = u.s.fail(u.ctx, u.op, u.key, err)
			return u.err
		}
		u.id = out.UploadId
	}
	num := aws.Int32(int32(len(u.parts) + 1))
	body := u.buf
	if u.spare == nil {
		u.spare = make([]byte, 0, u.size)
	}
	u.buf, u.spare = u.spare[:0], nil
	flight := make(chan partResult, 1)
	u.flight = flight
	in := &s3.UploadPartInput{
		Bucket:        bucket,
		Key:           u.s.key(u.key),
		UploadId:      u.id,
		PartNumber:    num,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	go func() {
		out, err := u.s.Client.UploadPart(u.ctx, in)
		if err != nil {
			flight <- partResult{err: err}
			return
		}
		flight <- partResult{part: types.CompletedPart{ETag: out.ETag, PartNumber: num}}
	}()
	u.spare = body
	return nil
}

// wait waits for the part in flight, if any, and records it. The buffer it
// was sent from is then free (u.spare).
func (u *upload) wait() error {
	if u.flight == nil {
		return nil
	}
	r := <-u.flight
	u.flight = nil
	if r.err != nil {
		u.err = u.s.fail(u.ctx, u.op, u.key, r.err)
		return u.err
	}
	u.parts = append(u.parts, r.part)
	return nil
}

// abort gives up a started multipart upload, so the server drops its parts;
// it runs even when ctx has ended. An abort that fails leaves parts that
// SweepUploads (or the bucket's lifecycle rules) remove; the item never
// appears.
func (u *upload) abort() {
	u.wait()
	if u.id == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), 30*time.Second)
	defer cancel()
	u.s.Client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(u.s.Loc.Bucket), Key: u.s.key(u.key), UploadId: u.id})
	u.id = nil
}

// List pages through the objects under the location's prefix.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := checkPrefix(s.name(), prefix); err != nil {
		return err
	}
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Loc.Bucket), Prefix: s.key(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s.fail(ctx, "list", prefix, err)
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.Loc.Prefix)
			if !ValidKey(key) {
				continue
			}
			if err := fn(Info{Key: key, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete removes the object (S3 answers a delete of a missing key with
// success).
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(s.name(), "delete", key); err != nil {
		return err
	}
	if _, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Loc.Bucket), Key: s.key(key)}); err != nil {
		err = s.fail(ctx, "delete", key, err)
		if errors.Is(err, ErrNotExist) {
			return nil
		}
		return err
	}
	return nil
}

// Uploads lists the unfinished multipart uploads under the location's
// prefix (Key and Modified, the time the upload began): parts a writer
// left when it crashed or lost the server mid-upload, or a live writer's
// upload in progress. No list of objects shows them.
func (s *S3) Uploads(ctx context.Context) ([]Info, error) {
	p := s3.NewListMultipartUploadsPaginator(s.Client, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.Loc.Bucket), Prefix: aws.String(s.Loc.Prefix)})
	var out []Info
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, s.fail(ctx, "list-uploads", "", err)
		}
		for _, u := range page.Uploads {
			out = append(out, Info{Key: strings.TrimPrefix(aws.ToString(u.Key), s.Loc.Prefix), Modified: aws.ToTime(u.Initiated)})
		}
	}
	return out, nil
}

// SweepUploads aborts the multipart uploads under the location's prefix
// that were started more than olderThan ago: parts a writer left when it
// crashed or lost the server mid-upload, which no list of objects shows
// but the bucket stores (and bills). A live writer's upload is younger than
// any sensible grace period, so it is left alone. It returns the keys of
// the uploads aborted.
func (s *S3) SweepUploads(ctx context.Context, olderThan time.Duration) ([]string, error) {
	cutoff := time.Now().Add(-olderThan)
	p := s3.NewListMultipartUploadsPaginator(s.Client, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.Loc.Bucket), Prefix: aws.String(s.Loc.Prefix)})
	var swept []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return swept, s.fail(ctx, "sweep", "", err)
		}
		for _, u := range page.Uploads {
			if u.Initiated == nil || u.Initiated.After(cutoff) {
				continue
			}
			key := strings.TrimPrefix(aws.ToString(u.Key), s.Loc.Prefix)
			_, err := s.Client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(s.Loc.Bucket), Key: u.Key, UploadId: u.UploadId})
			if err != nil && !errors.Is(classify(err), ErrNotExist) {
				return swept, s.fail(ctx, "sweep", key, err)
			}
			swept = append(swept, key)
		}
	}
	return swept, nil
}
