module fieldvault.ci/vault

go 1.24

require github.com/hashicorp/vault v1.19.0

replace github.com/hashicorp/vault/sdk => github.com/hashicorp/vault/sdk v0.15.2

replace github.com/hashicorp/vault/api => github.com/hashicorp/vault/api v1.16.0

replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3
