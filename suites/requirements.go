package suites

import (
	"sort"

	"github.com/swr-conformance/swr-conformance/generators/grammar"
)

// Requirement is one rule of the contract that specs check. ID is stable: it
// is a Ginkgo label on every spec that checks it, so users can select specs
// by rule, and it names the rule in every failure.
type Requirement struct {
	ID     string
	Source string // the sentence of the reference page, or of CONTRACT-NOTES.md, it comes from
	Text   string // the rule, as a person reads it
}

// Requirements of the two operations. Every documented rule has one, and every
// spec names the ones it checks.
var (
	Create201 = Requirement{"CREATE-201", `POST page, Status Codes: "201 Creation succeeded."`,
		"Sharing an image with an account, everything valid, answers 201 Created."}
	CreateContentType = Requirement{"CREATE-CONTENT-TYPE", `POST page, Content-Type: "The value can be application/json or charset=utf-8 application/json." CONTRACT-NOTES §2: both spellings are accepted`,
		"Create accepts Content-Type application/json and application/json;charset=utf-8."}
	CreateNested = Requirement{"CREATE-NESTED-REPOSITORY", `POST page, repository: "Replace a slash (/) with a dollar sign ($) before you send the request."`,
		"A repository whose name contains '/' is shared by sending each '/' as '$'."}
	CreateVisible = Requirement{"CREATE-VISIBLE", `CONTRACT-NOTES §5: "a write that answered 201 must be visible there with the values sent"`,
		"A share that answered 201 is visible through show or list with the values sent."}
	Create409 = Requirement{"CREATE-409-DUPLICATE", `POST page, Status Codes: "409 The shared account already exists."`,
		"Creating the same (namespace, repository, account) share again answers 409, whatever the second body's permit, deadline and description."}
	Create409Concurrent = Requirement{"CREATE-409-CONCURRENT", `CONTRACT-NOTES §5: "two identical creates at the same moment: exactly one 201, the other 409"`,
		"Two identical creates at the same moment: exactly one answers 201, the other 409."}

	Update201 = Requirement{"UPDATE-201", `PATCH page, Status Codes: "201 Modification succeeded." CONTRACT-NOTES §5: "201 (not 200, not 204)"`,
		"Updating an existing share, everything valid, answers 201 (not 200, not 204)."}
	UpdateContentType = Requirement{"UPDATE-CONTENT-TYPE", `PATCH page, Content-Type: "The value can be application/json or charset=utf-8 application/json." CONTRACT-NOTES §2: both spellings are accepted`,
		"Update accepts Content-Type application/json and application/json;charset=utf-8."}
	UpdateNested = Requirement{"UPDATE-NESTED-REPOSITORY", `PATCH page, repository: "Replace a slash (/) with a dollar sign ($) before you send the request."`,
		"A share of a repository whose name contains '/' is updated by sending each '/' as '$'."}
	UpdateVisible = Requirement{"UPDATE-VISIBLE", `CONTRACT-NOTES §5: "an update that answers 201 but changes nothing is a defect"`,
		"An update that answered 201 is visible through show or list with the values sent."}
	UpdateMissing = Requirement{"UPDATE-MISSING-SHARE-4XX", `CONTRACT-NOTES §5: "update a share that does not exist: any 4xx, never 2xx"`,
		"Updating a share that does not exist answers 4xx, never 2xx."}
	MissingName = Requirement{"MISSING-NAME-4XX", `CONTRACT-NOTES §5: "a valid name that does not exist on the target: any 4xx"; "500 ... is never the right answer"`,
		"A valid namespace or repository that does not exist answers 4xx, never 2xx or 5xx."}

	AuthMissing = Requirement{"AUTH-401-MISSING-TOKEN", `both pages, Status Codes: "401 Authentication failed." CONTRACT-NOTES §2: "Missing, empty, or a token the target does not accept: 401"`,
		"A request without X-Auth-Token answers 401, even when everything else is valid."}
	AuthEmpty = Requirement{"AUTH-401-EMPTY-TOKEN", `CONTRACT-NOTES §2: "Missing, empty, or a token the target does not accept: 401, not 403"`,
		"A request with an empty X-Auth-Token answers 401."}
	AuthWrong = Requirement{"AUTH-401-WRONG-TOKEN", `CONTRACT-NOTES §2: "Missing, empty, or a token the target does not accept: 401, not 403"`,
		"A request with a token the target does not accept answers 401, not 403."}

	CreateNoEffect = Requirement{"CREATE-REFUSED-NO-EFFECT", `CONTRACT-NOTES §5: "A refused write has no effect: after a 400, 401 or 409 the share is exactly as it was before, or still absent. A write that answers 401 and still creates or changes a share is a security defect."`,
		"A create answered 400, 401 or 409 has no effect: the share is still absent, or still holds its own values."}
	UpdateNoEffect = Requirement{"UPDATE-REFUSED-NO-EFFECT", `CONTRACT-NOTES §5: "A refused write has no effect: after a 400, 401 or 409 the share is exactly as it was before, or still absent. A write that answers 401 and still creates or changes a share is a security defect."`,
		"An update answered 400 or 401 leaves the share exactly as it was."}
	UpdateOwnShare = Requirement{"UPDATE-ONLY-ITS-SHARE", `CONTRACT-NOTES §5: "A write touches only the share it names: the other shares of the repository are unchanged."`,
		"An update changes only the share it names: the repository's other shares are unchanged."}

	NamesValid = Requirement{"NAMES-VALID-ACCEPTED", `both pages, path parameters: "Enter 1 to 64 characters, starting with a lowercase letter ..." / "Enter 1 to 128 characters. It must start and end with a lowercase letter or digit." CONTRACT-NOTES §3: valid examples a, 1, team/app, a__b, x.y-z_1, a name of exactly the maximum length`,
		"Every name the grammar allows is accepted: single characters, maximum lengths, '__', every separator, nested repositories."}
	NamesStructure = Requirement{"NAMES-STRUCTURE-BREAKING", `CONTRACT-NOTES §3: "what the server answers is not pinned beyond not 2xx, not 5xx"`,
		"A name that cannot be one ordinary path segment is never accepted (not 2xx) and never an internal error (not 5xx)."}
)

// NameRequirements maps each name rule of the grammar to its requirement,
// separately for namespaces and repositories.
var NameRequirements = map[bool]map[grammar.Rule]Requirement{
	false: {
		grammar.NSTooLong:              {"NS-MAX-LENGTH", `namespace: "Enter 1 to 64 characters"`, "A namespace of more than 64 characters answers 400."},
		grammar.NSFirstChar:            {"NS-FIRST-CHAR", `namespace: "starting with a lowercase letter"`, "A namespace that does not start with a-z answers 400."},
		grammar.NSLastChar:             {"NS-LAST-CHAR", `namespace: "ending with a lowercase letter or digit"`, "A namespace that does not end with a-z or 0-9 answers 400."},
		grammar.NameInvalidChar:        {"NS-CHARSET", `namespace: "Only lowercase letters, digits, periods (.), underscores (_), and hyphens (-) are allowed."`, "A namespace with any other character answers 400."},
		grammar.NameAdjacentSeparators: {"NS-ADJACENT-SEPARATORS", `namespace: "Periods, underscores, and hyphens cannot be placed next to each other."`, "A namespace with two adjacent separators other than '__' answers 400."},
		grammar.NameTripleUnderscore:   {"NS-TRIPLE-UNDERSCORE", `namespace: "A maximum of two consecutive underscores are allowed."`, "A namespace with three or more underscores in a row answers 400."},
	},
	true: {
		grammar.RepoTooLong:            {"REPO-MAX-LENGTH", `repository: "Enter 1 to 128 characters."`, "A repository of more than 128 characters answers 400."},
		grammar.RepoFirstChar:          {"REPO-FIRST-CHAR", `repository: "It must start and end with a lowercase letter or digit."`, "A repository that does not start with a-z or 0-9 answers 400."},
		grammar.RepoLastChar:           {"REPO-LAST-CHAR", `repository: "It must start and end with a lowercase letter or digit."`, "A repository that does not end with a-z or 0-9 answers 400."},
		grammar.NameInvalidChar:        {"REPO-CHARSET", `repository: "Only lowercase letters, digits, periods (.), slashes (/), underscores (_), and hyphens (-) are allowed."`, "A repository with any other character answers 400."},
		grammar.NameAdjacentSeparators: {"REPO-ADJACENT-SEPARATORS", `repository: "Periods, slashes, underscores, and hyphens cannot be placed next to each other."`, "A repository with two adjacent separators other than '__' answers 400."},
		grammar.NameTripleUnderscore:   {"REPO-TRIPLE-UNDERSCORE", `repository: "A maximum of two consecutive underscores are allowed."`, "A repository with three or more underscores in a row answers 400."},
	},
}

// BodyRequirements maps each body rule of the grammar to its requirement.
var BodyRequirements = map[grammar.Rule]Requirement{
	grammar.BodyMalformed:           {"BODY-MALFORMED-JSON", `CONTRACT-NOTES §4: "400 for: a body that is not a JSON object (malformed JSON, ..., an empty body)"; "A body that never forms one complete JSON value ... is malformed."`, "A body that never forms one complete JSON value (empty included) answers 400."},
	grammar.BodyNotObject:           {"BODY-NOT-OBJECT", `CONTRACT-NOTES §4: "400 for: a body that is not a JSON object (... an array, a string, a number ...)"`, "A JSON body that is not an object answers 400."},
	grammar.BodyAccessDomainMissing: {"BODY-ACCESS-DOMAIN-MANDATORY", `POST page, access_domain: "Mandatory: Yes"`, "A create without access_domain answers 400."},
	grammar.BodyAccessDomainType:    {"BODY-ACCESS-DOMAIN-STRING", `POST page, access_domain: "Type: String"`, "An access_domain that is not a string answers 400."},
	grammar.BodyAccessDomainEmpty:   {"BODY-ACCESS-DOMAIN-NONEMPTY", `CONTRACT-NOTES §4: "400 for: ... access_domain empty"`, "An empty access_domain answers 400."},
	grammar.BodyPermitMissing:       {"BODY-PERMIT-MANDATORY", `both pages, permit: "Mandatory: Yes"`, "A body without permit answers 400."},
	grammar.BodyPermitType:          {"BODY-PERMIT-STRING", `both pages, permit: "Type: String"`, "A permit that is not a string answers 400."},
	grammar.BodyPermitNotRead:       {"BODY-PERMIT-READ-ONLY", `both pages, permit: "Currently, only the read permission is supported."`, "A permit other than \"read\" answers 400."},
	grammar.BodyDeadlineMissing:     {"BODY-DEADLINE-MANDATORY", `both pages, deadline: "Mandatory: Yes"`, "A body without deadline answers 400."},
	grammar.BodyDeadlineType:        {"BODY-DEADLINE-STRING", `both pages, deadline: "Type: String"`, "A deadline that is not a string answers 400."},
	grammar.BodyDeadlineInvalid:     {"BODY-DEADLINE-FORMAT", `both pages, deadline: "Valid until (UTC). forever indicates permanently valid."`, "A deadline that is neither \"forever\" nor a real UTC RFC 3339 timestamp ending in Z answers 400."},
	grammar.BodyDescriptionType:     {"BODY-DESCRIPTION-STRING", `both pages, description: "Type: String"`, "A description that is not a string answers 400."},
}

// Groups are the labels besides requirement IDs that select specs.
var Groups = map[string]string{
	"create":       "specs of POST .../access-domains",
	"update":       "specs of PATCH .../access-domains/{account}",
	"auth":         "credentials: missing, empty and wrong tokens",
	"names":        "namespace and repository names in the path",
	"bodies":       "request bodies",
	"property":     "property-based specs (random cases, shrinking, seeds)",
	"concurrency":  "identical requests sent at the same moment",
	"provisioning": "specs that create namespaces and repositories (SWR_PROVISION=true)",
}

// All lists every requirement of the catalogue, ordered by ID.
func All() []Requirement {
	all := []Requirement{Create201, CreateContentType, CreateNested, CreateVisible, Create409, Create409Concurrent,
		Update201, UpdateContentType, UpdateNested, UpdateVisible, UpdateMissing, MissingName,
		CreateNoEffect, UpdateNoEffect, UpdateOwnShare,
		AuthMissing, AuthEmpty, AuthWrong, NamesValid, NamesStructure}
	for _, byRule := range NameRequirements {
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
