// Package s3 pins the Versity S3 gateway (versitygw) that the fieldvault
// object-store tests start with its POSIX backend. The gateway is a tool of
// this module (see the tool directive in go.mod), built by .ci/build-s3.sh.
// It lives in its own module so that `go test ./...` at the repository root
// never compiles it.
package s3
