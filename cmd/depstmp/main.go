package main
import (
 _ "filippo.io/age"
 _ "github.com/urfave/cli/v2"
 _ "github.com/google/uuid"
 _ "github.com/hashicorp/vault/api"
 _ "golang.org/x/text/unicode/norm"
 _ "golang.org/x/text/cases"
 _ "github.com/rogpeppe/go-internal/testscript"
 _ "golang.org/x/term"
)
func main(){}
