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
	Source string // the reference page or CONTRACT-NOTES.md section it comes from
	Text   string // the rule, as a person reads it
}

// Requirements of the two operations. Every documented rule has one, and every
// spec names the ones it checks.
var (
	Create201 = Requirement{"CREATE-201", "POST page, status codes; CONTRACT-NOTES §5",
		"Sharing an image with an account, everything valid, answers 201 Created."}
	CreateContentType = Requirement{"CREATE-CONTENT-TYPE", "POST page, Content-Type; CONTRACT-NOTES §2",
		"Create accepts Content-Type application/json and application/json;charset=utf-8."}
	CreateNested = Requirement{"CREATE-NESTED-REPOSITORY", "POST page, repository; CONTRACT-NOTES §3",
		"A repository whose name contains '/' is shared by sending each '/' as '$'."}
	CreateVisible = Requirement{"CREATE-VISIBLE", "CONTRACT-NOTES §5",
		"A share that answered 201 is visible through show or list with the values sent."}
	Create409 = Requirement{"CREATE-409-DUPLICATE", "POST page, 409; CONTRACT-NOTES §5",
		"Creating the same (namespace, repository, account) share again answers 409, whatever the second body's permit, deadline and description."}
	Create409Concurrent = Requirement{"CREATE-409-CONCURRENT", "CONTRACT-NOTES §5",
		"Two identical creates at the same moment: exactly one answers 201, the other 409."}

	Update201 = Requirement{"UPDATE-201", "PATCH page, status codes; CONTRACT-NOTES §5",
		"Updating an existing share, everything valid, answers 201 (not 200, not 204)."}
	UpdateContentType = Requirement{"UPDATE-CONTENT-TYPE", "PATCH page, Content-Type; CONTRACT-NOTES §2",
		"Update accepts Content-Type application/json and application/json;charset=utf-8."}
	UpdateNested = Requirement{"UPDATE-NESTED-REPOSITORY", "PATCH page, repository; CONTRACT-NOTES §3",
		"A share of a repository whose name contains '/' is updated by sending each '/' as '$'."}
	UpdateVisible = Requirement{"UPDATE-VISIBLE", "CONTRACT-NOTES §5",
		"An update that answered 201 is visible through show or list with the values sent."}
	UpdateMissing = Requirement{"UPDATE-MISSING-SHARE-4XX", "CONTRACT-NOTES §5",
		"Updating a share that does not exist answers 4xx, never 2xx."}
	MissingName = Requirement{"MISSING-NAME-4XX", "CONTRACT-NOTES §5",
		"A valid namespace or repository that does not exist answers 4xx, never 2xx or 5xx."}

	AuthMissing = Requirement{"AUTH-401-MISSING-TOKEN", "both pages, X-Auth-Token; CONTRACT-NOTES §2",
		"A request without X-Auth-Token answers 401, even when everything else is valid."}
	AuthEmpty = Requirement{"AUTH-401-EMPTY-TOKEN", "CONTRACT-NOTES §2",
		"A request with an empty X-Auth-Token answers 401."}
	AuthWrong = Requirement{"AUTH-401-WRONG-TOKEN", "CONTRACT-NOTES §2",
		"A request with a token the target does not accept answers 401, not 403."}

	NamesValid = Requirement{"NAMES-VALID-ACCEPTED", "both pages, path parameters; CONTRACT-NOTES §3",
		"Every name the grammar allows is accepted: single characters, maximum lengths, '__', every separator, nested repositories."}
	NamesStructure = Requirement{"NAMES-STRUCTURE-BREAKING", "CONTRACT-NOTES §3",
		"A name that cannot be one ordinary path segment is never accepted (not 2xx) and never an internal error (not 5xx)."}
)

// NameRequirements maps each name rule of the grammar to its requirement,
// separately for namespaces and repositories.
var NameRequirements = map[bool]map[grammar.Rule]Requirement{
	false: {
		grammar.NSTooLong:              {"NS-MAX-LENGTH", "namespace: 1 to 64 characters", "A namespace of more than 64 characters answers 400."},
		grammar.NSFirstChar:            {"NS-FIRST-CHAR", "namespace: starting with a lowercase letter", "A namespace that does not start with a-z answers 400."},
		grammar.NSLastChar:             {"NS-LAST-CHAR", "namespace: ending with a lowercase letter or digit", "A namespace that does not end with a-z or 0-9 answers 400."},
		grammar.NameInvalidChar:        {"NS-CHARSET", "namespace: only lowercase letters, digits, . _ -", "A namespace with any other character answers 400."},
		grammar.NameAdjacentSeparators: {"NS-ADJACENT-SEPARATORS", "namespace: separators cannot be placed next to each other", "A namespace with two adjacent separators other than '__' answers 400."},
		grammar.NameTripleUnderscore:   {"NS-TRIPLE-UNDERSCORE", "namespace: a maximum of two consecutive underscores", "A namespace with three or more underscores in a row answers 400."},
	},
	true: {
		grammar.RepoTooLong:            {"REPO-MAX-LENGTH", "repository: 1 to 128 characters", "A repository of more than 128 characters answers 400."},
		grammar.RepoFirstChar:          {"REPO-FIRST-CHAR", "repository: must start with a lowercase letter or digit", "A repository that does not start with a-z or 0-9 answers 400."},
		grammar.RepoLastChar:           {"REPO-LAST-CHAR", "repository: must end with a lowercase letter or digit", "A repository that does not end with a-z or 0-9 answers 400."},
		grammar.NameInvalidChar:        {"REPO-CHARSET", "repository: only lowercase letters, digits, . / _ -", "A repository with any other character answers 400."},
		grammar.NameAdjacentSeparators: {"REPO-ADJACENT-SEPARATORS", "repository: separators cannot be placed next to each other", "A repository with two adjacent separators other than '__' answers 400."},
		grammar.NameTripleUnderscore:   {"REPO-TRIPLE-UNDERSCORE", "repository: a maximum of two consecutive underscores", "A repository with three or more underscores in a row answers 400."},
	},
}

// BodyRequirements maps each body rule of the grammar to its requirement.
var BodyRequirements = map[grammar.Rule]Requirement{
	grammar.BodyMalformed:           {"BODY-MALFORMED-JSON", "CONTRACT-NOTES §4", "A body that is not JSON (empty included) answers 400."},
	grammar.BodyNotObject:           {"BODY-NOT-OBJECT", "CONTRACT-NOTES §4", "A JSON body that is not an object answers 400."},
	grammar.BodyAccessDomainMissing: {"BODY-ACCESS-DOMAIN-MANDATORY", "POST page, access_domain: mandatory", "A create without access_domain answers 400."},
	grammar.BodyAccessDomainType:    {"BODY-ACCESS-DOMAIN-STRING", "POST page, access_domain: String", "An access_domain that is not a string answers 400."},
	grammar.BodyAccessDomainEmpty:   {"BODY-ACCESS-DOMAIN-NONEMPTY", "CONTRACT-NOTES §4", "An empty access_domain answers 400."},
	grammar.BodyPermitMissing:       {"BODY-PERMIT-MANDATORY", "both pages, permit: mandatory", "A body without permit answers 400."},
	grammar.BodyPermitType:          {"BODY-PERMIT-STRING", "both pages, permit: String", "A permit that is not a string answers 400."},
	grammar.BodyPermitNotRead:       {"BODY-PERMIT-READ-ONLY", "both pages, permit: only the read permission is supported", "A permit other than \"read\" answers 400."},
	grammar.BodyDeadlineMissing:     {"BODY-DEADLINE-MANDATORY", "both pages, deadline: mandatory", "A body without deadline answers 400."},
	grammar.BodyDeadlineType:        {"BODY-DEADLINE-STRING", "both pages, deadline: String", "A deadline that is not a string answers 400."},
	grammar.BodyDeadlineInvalid:     {"BODY-DEADLINE-FORMAT", "both pages, deadline: valid until (UTC), forever", "A deadline that is neither \"forever\" nor a real UTC RFC 3339 timestamp ending in Z answers 400."},
	grammar.BodyDescriptionType:     {"BODY-DESCRIPTION-STRING", "both pages, description: String", "A description that is not a string answers 400."},
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
