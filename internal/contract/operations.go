package contract

import "net/http"

// Operation names one call of the API (contract section 1). The suite
// certifies OpCreate and OpUpdate; the others are the neighbouring
// operations it uses to set up, read back and clean up.
type Operation string

// The operations.
const (
	OpCreate           Operation = "create"
	OpUpdate           Operation = "update"
	OpShow             Operation = "show"
	OpList             Operation = "list"
	OpDelete           Operation = "delete"
	OpCreateNamespace  Operation = "create namespace"
	OpDeleteNamespace  Operation = "delete namespace"
	OpCreateRepository Operation = "create repository"
	OpDeleteRepository Operation = "delete repository"
	OpShowNamespace    Operation = "show namespace"
	OpShowRepository   Operation = "show repository"
)

// Certified lists the two operations the suite judges, create first.
var Certified = []Operation{OpCreate, OpUpdate}

// Certified reports whether op is one of the two operations the suite judges.
func (op Operation) Certified() bool { return op == OpCreate || op == OpUpdate }

// Documented are the status codes the vendor's page of a certified
// operation lists; any other code a target answers is undocumented.
func (op Operation) Documented() []int {
	switch op {
	case OpCreate:
		return []int{http.StatusCreated, http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusInternalServerError}
	case OpUpdate:
		return []int{http.StatusCreated, http.StatusBadRequest, http.StatusUnauthorized, http.StatusInternalServerError}
	}
	return nil
}

// Headers of the two operations (contract section 2).
const (
	HeaderToken       = "X-Auth-Token"
	HeaderContentType = "Content-Type"
	// ContentTypeJSON and ContentTypeJSONCharset are the two accepted
	// spellings: the pages write "charset=utf-8 application/json", a
	// garbled form of the second.
	ContentTypeJSON        = "application/json"
	ContentTypeJSONCharset = "application/json;charset=utf-8"
)

// Absent reports whether an answer of a neighbouring operation says the
// thing asked for is not there: any 4xx (contract section 1: the live
// service answers 400 for a share that does not exist, others 404),
// except the ones that say something else: 401 and 403 speak of the
// credential, 409 of a conflict (a namespace that still holds
// repositories), 429 of the rate. The one definition of "not there".
func Absent(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return status >= 400 && status < 500
}

// The paths of the API (contract section 1), in one place: the client
// builds them and the reference server routes them.
const (
	// PathNamespaces is the root of every path: /v2/manage/namespaces.
	PathNamespaces = "/v2/manage/namespaces"
	// SegmentRepos follows a namespace in the paths of the repository
	// operations: .../namespaces/{namespace}/repos[/{repository}].
	SegmentRepos = "repos"
	// SegmentRepositories and SegmentShares frame a repository in the
	// paths of the share operations:
	// .../namespaces/{namespace}/repositories/{repository}/access-domains[/{access_domain}].
	SegmentRepositories = "repositories"
	SegmentShares       = "access-domains"
)
