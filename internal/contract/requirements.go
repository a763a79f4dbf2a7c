package contract

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Requirement is one rule of the contract that specs check. ID is stable: it
// is a Ginkgo label on every spec that checks it, so users can select specs
// by rule, and it names the rule in every failure.
type Requirement struct {
	ID      string
	Ops     []Operation // the certified operations it is a rule of
	Expect  Expectation // what a conforming target does
	Groups  []Group     // the groups it belongs to besides its operations
	Sources []Citation  // where in the contract document it comes from
	Text    string      // the rule, as a person reads it
}

// Citation is a source of a requirement: a heading of a document and the
// words of its section the rule rests on; "..." stands for omitted text.
// The catalogue cites the contract document (contract.md, built into the
// suite: see Document); a rule of a vendor's own may cite another.
type Citation struct {
	Document string // "": contract.md
	Section  string
	Quote    string
}

func (c Citation) String() string {
	doc := c.Document
	if doc == "" {
		doc = "contract.md"
	}
	return doc + " \u00a7 " + c.Section + `: "` + c.Quote + `"`
}

// Source is where the requirement comes from, in one line: each citation's
// section and quote.
func (r Requirement) Source() string {
	parts := make([]string, len(r.Sources))
	for i, c := range r.Sources {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// pageMarks are how contract.md marks a heading of a certified operation's
// vendor page: "Status codes (POST)", "Status codes (PATCH)".
var pageMarks = map[Operation]string{OpCreate: " (POST)", OpUpdate: " (PATCH)"}

// On is the citation as a failure of op cites it: a section of the other
// certified operation's vendor page becomes its twin on op's page, when
// contract.md has one ("Status codes (POST)", for an update, is "Status
// codes (PATCH)"). The catalogue cites the POST page for rules of both
// operations; a failed update must name the page of the update. Any other
// citation is itself.
func (c Citation) On(op Operation) Citation {
	mark, ok := pageMarks[op]
	if !ok || c.Document != "" {
		return c
	}
	for other, otherMark := range pageMarks {
		if other == op || !strings.HasSuffix(c.Section, otherMark) {
			continue
		}
		twin := strings.TrimSuffix(c.Section, otherMark) + mark
		if _, ok := Section(twin); ok {
			return Citation{Section: twin, Quote: c.Quote}
		}
	}
	return c
}

// SourcesOn are the requirement's sources as a failure of op cites them
// (Citation.On), each once: a rule that cites both pages cites one.
func (r Requirement) SourcesOn(op Operation) []Citation {
	var out []Citation
	for _, c := range r.Sources {
		if c = c.On(op); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Of reports whether the requirement is a rule of operation op.
func (r Requirement) Of(op Operation) bool {
	for _, o := range r.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Expectation is what a requirement expects of a conforming target: an
// answer among Statuses, an answer in the status class [Lo, Hi], or an
// effect on the target's state that only reading it back shows.
type Expectation struct {
	Statuses []int
	Lo, Hi   int
	Effect   Effect
	// SecurityIfAccepted: the expected answer refuses a credential, so a
	// 2xx instead grants a request the target should have refused, a
	// security defect (contract section 2).
	SecurityIfAccepted bool
	words              string // how a message says a class
}

// Effect is an expectation on the state a write leaves behind.
type Effect string

// The effects the contract pins (contract section 5).
const (
	EffectVisible      Effect = "visible with the values sent"
	EffectNone         Effect = "no effect"
	EffectOnlyItsShare Effect = "the other shares unchanged"
	EffectOneWinner    Effect = "exactly one 201, the others 409"
)

// Status expects an answer with one of the given codes.
func Status(codes ...int) Expectation { return Expectation{Statuses: codes} }

// Refusal expects the status that refuses a credential: an answer that
// accepts the request instead is a security defect.
func Refusal(code int) Expectation {
	return Expectation{Statuses: []int{code}, SecurityIfAccepted: true}
}

// SecurityDefect reports whether an answer with status is a security
// defect under this expectation: a refused credential that was accepted.
func (e Expectation) SecurityDefect(status int) bool {
	return e.SecurityIfAccepted && status >= 200 && status < 300
}

// Class expects an answer in [lo, hi]; words say it in a message.
func Class(lo, hi int, words string) Expectation { return Expectation{Lo: lo, Hi: hi, words: words} }

// The effect expectations.
var (
	Visible      = Expectation{Effect: EffectVisible}
	NoEffect     = Expectation{Effect: EffectNone}
	OnlyItsShare = Expectation{Effect: EffectOnlyItsShare}
	OneWinner    = Expectation{Effect: EffectOneWinner, Statuses: []int{http.StatusCreated, http.StatusConflict}}
)

// Allows reports whether an answer with status meets a status or class
// expectation. An effect is not decided by a status: false.
func (e Expectation) Allows(status int) bool {
	if e.Effect != "" {
		return false
	}
	if e.Hi > 0 {
		return status >= e.Lo && status <= e.Hi
	}
	for _, c := range e.Statuses {
		if c == status {
			return true
		}
	}
	return false
}

// String says the expectation in a failure message's words: "201 Created",
// "a 4xx status", "no effect".
func (e Expectation) String() string {
	switch {
	case e.Effect != "":
		return string(e.Effect)
	case e.Hi > 0:
		return e.words
	}
	parts := ""
	for i, c := range e.Statuses {
		if i > 0 {
			parts += " or "
		}
		parts += fmt.Sprintf("%d %s", c, http.StatusText(c))
	}
	return parts
}

// Group names a set of specs a user selects by label.
type Group string

// The groups (Ginkgo labels besides requirement IDs).
const (
	GroupCreate       Group = "create"
	GroupUpdate       Group = "update"
	GroupAuth         Group = "auth"
	GroupNames        Group = "names"
	GroupBodies       Group = "bodies"
	GroupProperty     Group = "property"
	GroupConcurrency  Group = "concurrency"
	GroupProvisioning Group = "provisioning"
)

// Groups says what each group selects.
var Groups = map[Group]string{
	GroupCreate:       "specs of POST .../access-domains",
	GroupUpdate:       "specs of PATCH .../access-domains/{account}",
	GroupAuth:         "credentials: missing, empty and wrong tokens",
	GroupNames:        "namespace and repository names in the path",
	GroupBodies:       "request bodies",
	GroupProperty:     "property-based specs (random cases, shrinking, seeds)",
	GroupConcurrency:  "identical requests sent at the same moment",
	GroupProvisioning: "specs that create namespaces and repositories (SWR_PROVISION=true)",
}

// GroupOf is the group of an operation's specs.
func GroupOf(op Operation) Group {
	if op == OpUpdate {
		return GroupUpdate
	}
	return GroupCreate
}

var (
	onCreate = []Operation{OpCreate}
	onUpdate = []Operation{OpUpdate}
	onBoth   = []Operation{OpCreate, OpUpdate}
)

// InvalidInput is the answer to one invalid name or body, everything else
// valid (section 5): every name and body rule expects it.
var InvalidInput = Status(http.StatusBadRequest)

func nameRequirement(id string, sources []Citation, text string) Requirement {
	return Requirement{ID: id, Ops: onBoth, Expect: InvalidInput, Groups: []Group{GroupNames}, Sources: sources, Text: text}
}

func bodyRequirement(ops []Operation, id string, sources []Citation, text string) Requirement {
	return Requirement{ID: id, Ops: ops, Expect: InvalidInput, Groups: []Group{GroupBodies}, Sources: sources, Text: text}
}

// cite pairs headings of the contract document with the words quoted from
// their sections.
func cite(headingsAndQuotes ...string) []Citation {
	var out []Citation
	for i := 0; i+1 < len(headingsAndQuotes); i += 2 {
		out = append(out, Citation{Section: headingsAndQuotes[i], Quote: headingsAndQuotes[i+1]})
	}
	return out
}

// Requirements of the two operations. Every documented rule has one, and every
// spec names the ones it checks.
var (
	Create201 = Requirement{ID: "CREATE-201", Ops: onCreate, Expect: Status(201),
		Sources: cite(`Status codes (POST)`, `201 Creation succeeded.`, `A body's spelling`, `A body is judged by the JSON value it encodes, never by its spelling.`),
		Text:    "Sharing an image with an account, everything valid, answers 201 Created, however the body is spelled."}
	CreateContentType = Requirement{ID: "CREATE-CONTENT-TYPE", Ops: onCreate, Expect: Status(201),
		Sources: cite(`Header Content-Type (POST)`, `The value can be application/json or charset=utf-8 application/json.`, `Content-Type spellings`, `both spellings are accepted`),
		Text:    "Create accepts Content-Type application/json and application/json;charset=utf-8."}
	CreateNested = Requirement{ID: "CREATE-NESTED-REPOSITORY", Ops: onCreate, Expect: Status(201),
		Sources: cite(`Path parameter repository (POST)`, `Replace a slash (/) with a dollar sign ($) before you send the request.`),
		Text:    "A repository whose name contains '/' is shared by sending each '/' as '$'."}
	CreateVisible = Requirement{ID: "CREATE-VISIBLE", Ops: onCreate, Expect: Visible,
		Sources: cite(`Writes are visible`, `a write that answered 201 must be visible there with the values sent`),
		Text:    "A share that answered 201 is visible through show or list with the values sent."}
	Create409 = Requirement{ID: "CREATE-409-DUPLICATE", Ops: onCreate, Expect: Status(409),
		Sources: cite(`Status codes (POST)`, `409 The shared account already exists.`, `Duplicate create`, `answers 409, whatever the second body's permit, deadline and description`),
		Text:    "Creating the same (namespace, repository, account) share again answers 409, whatever the second body's permit, deadline and description."}
	Create409Concurrent = Requirement{ID: "CREATE-409-CONCURRENT", Ops: onCreate, Expect: OneWinner,
		Sources: cite(`Concurrent identical creates`, `two identical creates at the same moment: exactly one 201, the other 409`),
		Text:    "Two identical creates at the same moment: exactly one answers 201, the other 409."}
	Update201 = Requirement{ID: "UPDATE-201", Ops: onUpdate, Expect: Status(201),
		Sources: cite(`Status codes (PATCH)`, `201 Modification succeeded.`, `Successful update`, `201 (not 200, not 204)`, `A body's spelling`, `A body is judged by the JSON value it encodes, never by its spelling.`),
		Text:    "Updating an existing share, everything valid, answers 201 (not 200, not 204), however the body is spelled."}
	UpdateContentType = Requirement{ID: "UPDATE-CONTENT-TYPE", Ops: onUpdate, Expect: Status(201),
		Sources: cite(`Header Content-Type (PATCH)`, `The value can be application/json or charset=utf-8 application/json.`, `Content-Type spellings`, `both spellings are accepted`),
		Text:    "Update accepts Content-Type application/json and application/json;charset=utf-8."}
	UpdateNested = Requirement{ID: "UPDATE-NESTED-REPOSITORY", Ops: onUpdate, Expect: Status(201),
		Sources: cite(`Path parameter repository (PATCH)`, `Replace a slash (/) with a dollar sign ($) before you send the request.`),
		Text:    "A share of a repository whose name contains '/' is updated by sending each '/' as '$'."}
	UpdateVisible = Requirement{ID: "UPDATE-VISIBLE", Ops: onUpdate, Expect: Visible,
		Sources: cite(`Writes are visible`, `an update that answers 201 but changes nothing is a defect`),
		Text:    "An update that answered 201 is visible through show or list with the values sent."}
	UpdateMissing = Requirement{ID: "UPDATE-MISSING-SHARE-4XX", Ops: onUpdate, Expect: Class(400, 499, "a 4xx status"),
		Sources: cite(`Update of a share that does not exist`, `update a share that does not exist: any 4xx, never 2xx`),
		Text:    "Updating a share that does not exist answers 4xx, never 2xx."}
	MissingName = Requirement{ID: "MISSING-NAME-4XX", Ops: onBoth, Expect: Class(400, 499, "a 4xx status"), Groups: []Group{GroupNames},
		Sources: cite(`Names that do not exist on the target`, `a valid name that does not exist on the target: any 4xx`, `500 is never the right answer`, `500 ... is never the right answer`),
		Text:    "A valid namespace or repository that does not exist answers 4xx, never 2xx or 5xx."}
	AuthMissing = Requirement{ID: "AUTH-401-MISSING-TOKEN", Ops: onBoth, Expect: Refusal(http.StatusUnauthorized), Groups: []Group{GroupAuth},
		Sources: cite(`Status codes (POST)`, `401 Authentication failed.`, `Status codes (PATCH)`, `401 Authentication failed.`, `X-Auth-Token and 401`, `Missing, empty, or a token the target does not accept: 401`),
		Text:    "A request without X-Auth-Token answers 401, even when everything else is valid."}
	AuthEmpty = Requirement{ID: "AUTH-401-EMPTY-TOKEN", Ops: onBoth, Expect: Refusal(http.StatusUnauthorized), Groups: []Group{GroupAuth},
		Sources: cite(`X-Auth-Token and 401`, `Missing, empty, or a token the target does not accept: 401, not 403`),
		Text:    "A request with an empty X-Auth-Token answers 401."}
	AuthWrong = Requirement{ID: "AUTH-401-WRONG-TOKEN", Ops: onBoth, Expect: Refusal(http.StatusUnauthorized), Groups: []Group{GroupAuth},
		Sources: cite(`X-Auth-Token and 401`, `Missing, empty, or a token the target does not accept: 401, not 403`,
			`Tokens are compared exactly`, `A token is an opaque string, compared exactly. Any other string is a token the target does not accept, including every near miss of a valid token`),
		Text: "A request with a token the target does not accept, a near miss of the valid token included, answers 401, not 403."}
	CreateNoEffect = Requirement{ID: "CREATE-REFUSED-NO-EFFECT", Ops: onCreate, Expect: NoEffect,
		Sources: cite(`Refused writes have no effect`, `A refused write has no effect: after a 400, 401 or 409 the share is exactly as it was before, or still absent. A write that answers 401 and still creates or changes a share is a security defect.`),
		Text:    "A create answered 400, 401 or 409 has no effect: the share is still absent, or still holds its own values."}
	UpdateNoEffect = Requirement{ID: "UPDATE-REFUSED-NO-EFFECT", Ops: onUpdate, Expect: NoEffect,
		Sources: cite(`Refused writes have no effect`, `A refused write has no effect: after a 400, 401 or 409 the share is exactly as it was before, or still absent. A write that answers 401 and still creates or changes a share is a security defect.`),
		Text:    "An update answered 400 or 401 leaves the share exactly as it was."}
	UpdateOwnShare = Requirement{ID: "UPDATE-ONLY-ITS-SHARE", Ops: onUpdate, Expect: OnlyItsShare,
		Sources: cite(`A write touches only the share it names`, `A write touches only the share it names: the other shares of the repository are unchanged.`),
		Text:    "An update changes only the share it names: the repository's other shares are unchanged."}
	NamesValid = Requirement{ID: "NAMES-VALID-ACCEPTED", Ops: onBoth, Expect: Status(201), Groups: []Group{GroupNames},
		Sources: cite(`Path parameter namespace (POST)`, `Enter 1 to 64 characters, starting with a lowercase letter ...`, `Path parameter repository (POST)`, `Enter 1 to 128 characters. It must start and end with a lowercase letter or digit.`, `Valid and invalid name examples`, `a name of exactly the maximum length`),
		Text:    "Every name the grammar allows is accepted: single characters, maximum lengths, '__', every separator, nested repositories."}
	NamesStructure = Requirement{ID: "NAMES-STRUCTURE-BREAKING", Ops: onBoth, Expect: Class(300, 499, "not 2xx and not 5xx (a router may answer 3xx, 400, 404 or 405 first)"), Groups: []Group{GroupNames},
		Sources: cite(`Names that would change the URL`, `what the server answers is not pinned beyond not 2xx, not 5xx`),
		Text:    "A name that cannot be one ordinary path segment is never accepted (not 2xx) and never an internal error (not 5xx)."}
)

// Requirement is the requirement of name rule r of this kind.
func (k NameKind) Requirement(r Rule) Requirement { return nameRequirements[k.Repository][r] }

// nameRequirements maps each name rule of the grammar to its requirement,
// separately for namespaces (false) and repositories (true).
var nameRequirements = map[bool]map[Rule]Requirement{
	false: {
		NSTooLong:              nameRequirement("NS-MAX-LENGTH", cite(`Path parameter namespace (POST)`, `Enter 1 to 64 characters`), "A namespace of more than 64 characters answers 400."),
		NSFirstChar:            nameRequirement("NS-FIRST-CHAR", cite(`Path parameter namespace (POST)`, `starting with a lowercase letter`), "A namespace that does not start with a-z answers 400."),
		NSLastChar:             nameRequirement("NS-LAST-CHAR", cite(`Path parameter namespace (POST)`, `ending with a lowercase letter or digit`), "A namespace that does not end with a-z or 0-9 answers 400."),
		NameInvalidChar:        nameRequirement("NS-CHARSET", cite(`Path parameter namespace (POST)`, `Only lowercase letters, digits, periods (.), underscores (_), and hyphens (-) are allowed.`), "A namespace with any other character answers 400."),
		NameAdjacentSeparators: nameRequirement("NS-ADJACENT-SEPARATORS", cite(`Path parameter namespace (POST)`, `Periods, underscores, and hyphens cannot be placed next to each other.`), "A namespace with two adjacent separators other than '__' answers 400."),
		NameTripleUnderscore:   nameRequirement("NS-TRIPLE-UNDERSCORE", cite(`Path parameter namespace (POST)`, `A maximum of two consecutive underscores are allowed.`), "A namespace with three or more underscores in a row answers 400."),
	},
	true: {
		RepoTooLong:            nameRequirement("REPO-MAX-LENGTH", cite(`Path parameter repository (POST)`, `Enter 1 to 128 characters.`), "A repository of more than 128 characters answers 400."),
		RepoFirstChar:          nameRequirement("REPO-FIRST-CHAR", cite(`Path parameter repository (POST)`, `It must start and end with a lowercase letter or digit.`), "A repository that does not start with a-z or 0-9 answers 400."),
		RepoLastChar:           nameRequirement("REPO-LAST-CHAR", cite(`Path parameter repository (POST)`, `It must start and end with a lowercase letter or digit.`), "A repository that does not end with a-z or 0-9 answers 400."),
		NameInvalidChar:        nameRequirement("REPO-CHARSET", cite(`Path parameter repository (POST)`, `Only lowercase letters, digits, periods (.), slashes (/), underscores (_), and hyphens (-) are allowed.`), "A repository with any other character answers 400."),
		NameAdjacentSeparators: nameRequirement("REPO-ADJACENT-SEPARATORS", cite(`Path parameter repository (POST)`, `Periods, slashes, underscores, and hyphens cannot be placed next to each other.`), "A repository with two adjacent separators other than '__' answers 400."),
		NameTripleUnderscore:   nameRequirement("REPO-TRIPLE-UNDERSCORE", cite(`Path parameter repository (POST)`, `A maximum of two consecutive underscores are allowed.`), "A repository with three or more underscores in a row answers 400."),
	},
}

// BodyRequirements maps each body rule of the grammar to its requirement.
var BodyRequirements = map[Rule]Requirement{
	BodyMalformed:           bodyRequirement(onBoth, "BODY-MALFORMED-JSON", cite(`Bodies answered 400`, `400 for: a body that is not a JSON object (malformed JSON, ..., an empty body)`, `Bodies answered 400`, `A body that never forms one complete JSON value ... is malformed.`), "A body that never forms one complete JSON value (empty included) answers 400."),
	BodyNotObject:           bodyRequirement(onBoth, "BODY-NOT-OBJECT", cite(`Bodies answered 400`, `400 for: a body that is not a JSON object (... an array, a string, a number ...)`), "A JSON body that is not an object answers 400."),
	BodyAccessDomainMissing: bodyRequirement(onCreate, "BODY-ACCESS-DOMAIN-MANDATORY", cite(`Body parameter access_domain (POST)`, `Mandatory: Yes`), "A create without access_domain answers 400."),
	BodyAccessDomainType:    bodyRequirement(onCreate, "BODY-ACCESS-DOMAIN-STRING", cite(`Body parameter access_domain (POST)`, `Type: String`), "An access_domain that is not a string answers 400."),
	BodyAccessDomainEmpty:   bodyRequirement(onCreate, "BODY-ACCESS-DOMAIN-NONEMPTY", cite(`Bodies answered 400`, `400 for: ... access_domain empty`), "An empty access_domain answers 400."),
	BodyPermitMissing:       bodyRequirement(onBoth, "BODY-PERMIT-MANDATORY", cite(`Body parameter permit (POST)`, `Mandatory: Yes`), "A body without permit answers 400."),
	BodyPermitType:          bodyRequirement(onBoth, "BODY-PERMIT-STRING", cite(`Body parameter permit (POST)`, `Type: String`), "A permit that is not a string answers 400."),
	BodyPermitNotRead:       bodyRequirement(onBoth, "BODY-PERMIT-READ-ONLY", cite(`Body parameter permit (POST)`, `Currently, only the read permission is supported.`), "A permit other than \"read\" answers 400."),
	BodyDeadlineMissing:     bodyRequirement(onBoth, "BODY-DEADLINE-MANDATORY", cite(`Body parameter deadline (POST)`, `Mandatory: Yes`), "A body without deadline answers 400."),
	BodyDeadlineType:        bodyRequirement(onBoth, "BODY-DEADLINE-STRING", cite(`Body parameter deadline (POST)`, `Type: String`), "A deadline that is not a string answers 400."),
	BodyDeadlineInvalid:     bodyRequirement(onBoth, "BODY-DEADLINE-FORMAT", cite(`Body parameter deadline (POST)`, `Valid until (UTC). forever indicates permanently valid.`), "A deadline that is neither \"forever\" nor a real UTC RFC 3339 timestamp ending in Z answers 400."),
	BodyDescriptionType:     bodyRequirement(onBoth, "BODY-DESCRIPTION-STRING", cite(`Body parameter description (POST)`, `Type: String`), "A description that is not a string answers 400."),
}

// bodyRules are the body rules in the order specs and generators take them.
var bodyRules = []Rule{BodyMalformed, BodyNotObject,
	BodyAccessDomainMissing, BodyAccessDomainType, BodyAccessDomainEmpty,
	BodyPermitMissing, BodyPermitType, BodyPermitNotRead,
	BodyDeadlineMissing, BodyDeadlineType, BodyDeadlineInvalid, BodyDescriptionType}

// BodyRulesOf lists the body rules of operation op, in a stable order: the
// rules whose requirement is one of op's (access_domain is in the path of
// an update, so its rules are the create's only).
func BodyRulesOf(op Operation) []Rule {
	var out []Rule
	for _, r := range bodyRules {
		if BodyRequirements[r].Of(op) {
			out = append(out, r)
		}
	}
	return out
}

// All lists every requirement of the catalogue, ordered by ID.
func All() []Requirement {
	all := []Requirement{Create201, CreateContentType, CreateNested, CreateVisible, Create409, Create409Concurrent,
		Update201, UpdateContentType, UpdateNested, UpdateVisible, UpdateMissing, MissingName,
		CreateNoEffect, UpdateNoEffect, UpdateOwnShare,
		AuthMissing, AuthEmpty, AuthWrong, NamesValid, NamesStructure}
	for _, byRule := range nameRequirements {
		for _, r := range byRule {
			all = append(all, r)
		}
	}
	for _, r := range BodyRequirements {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}
