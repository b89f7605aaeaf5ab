// Package redact pseudonymises text: it holds the study's dictionary of
// entities (people, places, organisations, meetings), derives a stable keyed
// pseudonym for each, replaces every alias of every entity in one pass over
// the text, and scans any text for identifiers that remain (e-mail addresses,
// phone numbers, postcodes, National Insurance numbers, URLs, dates and
// possible names).
//
// The package is pure: text in, text out. It knows nothing of disk, consent
// or the key store; the pseudonym key arrives through the one-method Keyer
// interface.
//
// # Matching rules
//
// Input is normalised to NFC first; Find reports byte offsets into the NFC
// text (identical to the input when it is already NFC). An alias matches as a
// whole word: the runes either side of a match must not be Unicode letters,
// digits or combining marks. Matching is case-insensitive by full Unicode case
// folding unless the alias is written with a leading "=" ("=Hope"), in which
// case it matches only as written. Inside a multi-word alias any run of
// whitespace (spaces, tabs, a line break) of up to MaxGap bytes matches one
// space; typographic apostrophes and hyphens match their ASCII forms.
// Possessives ("Carol's", "Carol’s", "Jarvis'") match because the apostrophe
// is a word boundary; a hyphen is also a boundary, so "Keynes-based" has its
// "Keynes" replaced, while an alias that contains a hyphen ("Jacklin-Jarvis")
// is matched whole. Of overlapping candidates the leftmost wins, and of those
// starting at the same place the longest ("Milton Keynes Council" before
// "Milton Keynes").
//
// A person's Name yields its given name (first word) and family name (last
// word, with lower-case particles such as "van der") as aliases mapping to
// the given and family parts of the pseudonym; a name registered family name
// first (Entity.FamilyFirst: "Wang Xiuying") yields them the other way round,
// and its pseudonym is written family name first. Entity.NoParts switches both
// off; an alias "!Carol" switches off one part; an alias "=Hope" equal to a
// part makes that part case-sensitive. Leading titles (Ms, Dr, Cllr, …) in a
// Name or alias are kept as written in the output and do not take part in the
// pseudonym. Replacements follow the case style of the replaced text
// (ELLIE → LEILA, ellie → leila) and keep the original line breaks inside a
// multi-word name, so line numbers do not move.
//
// Matching is also accent- and width-insensitive (MatchView: Renee = Renée,
// Lukasz = Łukasz, full-width letters), and a word hyphenated across a line
// break is joined. Derived variants (entityAliases): each part of a compound
// surname alone (a piece written in lower case, "na" of "Yu-na", excepted),
// the surname with a space or without its hyphen, a hyphenated given name
// with a space or run together, an initial with the surname ("R. Quixwort"
// → the pseudonym's initial and surname; also "Quixwort, R.", and the
// initials of every given and middle name, "R. A. Quixwort", "J.-P.
// Quixwort"), a title with a surname that is an ordinary word, other
// spellings of a part (without its apostrophe, umlauts spelt out, Mac/Mc:
// see spellings), the last words of a name of four or more together, the
// family name in the plural ("the Okonkwos", unless that is a word or a
// name of the lists, "Hopes", "Jones"), the registered parts written
// together or apart (compoundForms: "Abdul Rahman" as "Abdulrahman",
// "Desouza" as "De Souza"; not where the joined word is an ordinary
// English word), and
// each distinctive word (hyphenated pieces too) of a place or organisation
// name, possessive dropped (capitalised only). A generational suffix
// ("Jr.", "III") is not the family name.
//
// A name part that is an ordinary English word (names/common-words.txt) is
// matched only capitalised and not at a sentence start, or beside another
// part of the name or a title, or as a speaker label, and not amid text
// written in capitals; SentenceStartNames reports the rest (commonword.go).
// A name of a person, place or organisation made of the less frequent words
// of names/english-words.txt (not given or family names of the lists) is
// matched only capitalised: "the Larder", never "the larder". A person's
// name part that is also a name particle ("Al") is matched only capitalised
// and never before a hyphen ("et al.", "Al-Rashidi" are not his).
//
// # Pseudonyms
//
// A pseudonym is chosen by HMAC-SHA256(key, kind ":" normalised name), where
// the normalised name is NFC, case-folded, with whitespace runs collapsed. The
// MAC indexes lists compiled into the binary (names/): given names from the
// en locale of @faker-js/faker (MIT, chosen by the gender the real given name
// has in that data, if any), family names from its English-language locales,
// invented place names built from syllables, and neutral forms for
// organisations ("Alder Trust"), meetings ("Meeting Kestrel") and other
// entities ("Item Juniper"). Collisions within a study step to the next free
// candidate, and candidates that are words of any alias are skipped so that
// redaction is idempotent. A Registry fixes a pseudonym once given.
package redact
