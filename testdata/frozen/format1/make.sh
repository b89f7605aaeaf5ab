#!/bin/sh
# make.sh: how study/ was made. It was run ONCE, with the fieldvault built
# from the commit named in README.md (format 1), and its output committed.
# Do not re-run it to "fix" the frozen-format test: the point of study/ is
# that it was written by an earlier release.
set -eu
FV=${FV:-fieldvault}
export FIELDVAULT_IDENTITY="$PWD/identity.txt"
export FIELDVAULT_DIR="$PWD/study"
export TZ=UTC
rm -rf study
age-keygen -o identity.txt 2>/dev/null || true
$FV init study --name "Frozen format 1 (synthetic)"
$FV participant add P01 --name 'Ottoline Brackwater' --alias Otto --org 'Tollerby Growers'
$FV participant add P02 --name 'Cassius Ambleside' --alias Cass
$FV participant add P03 --name 'Rosalind Quill' --pseudonym 'Mabel Fenwick'
$FV consent record P01 --form v1 --signed 2026-01-12 --scope participate,record-audio,quote,publish
$FV consent record P02 --form v1 --signed 2026-01-14 --scope participate,quote,off-record
$FV consent record P03 --form v2 --signed 2026-01-20 --scope participate,quote --cutoff 2026-09-30
$FV entity add place 'Tollerby Allotments' --alias Tollerby
$FV entity add person 'Ferdinand Quayle' --alias Ferdie
$FV entity add org 'Tollerby Growers'
$FV ingest inputs/interview.txt --kind transcript --participant P01 --participant P02 --date 2026-02-02
$FV ingest inputs/session.vtt --kind transcript --participant P02 --date 2026-02-09
$FV ingest inputs/notes.md --kind field-notes --participant P01 --date 2026-03-12
$FV ingest inputs/interview.docx --kind transcript --participant P03 --date 2026-03-20
$FV flag D1 --lines 7-7 --confidential --reason 'health of a relative'
$FV export D1 >/dev/null
$FV quote D1:3-3 >/dev/null
$FV consent withdraw P03 --scope quote --date 2026-04-01
$FV verify --read-data
$FV audit verify
