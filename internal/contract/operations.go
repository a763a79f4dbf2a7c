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
