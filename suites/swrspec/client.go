package swrspec

import (
	"context"
	"fmt"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// Client sends the requests of the API to one target with one token and
// records each as an Exchange.
type Client = swrclient.Client

// Operation names one call of the API.
type Operation = contract.Operation

// The two operations the suite certifies.
const (
	OpCreate = contract.OpCreate
	OpUpdate = contract.OpUpdate
)

// Citation is a source of a requirement: a section of a document and the
// words quoted from it.
type Citation = contract.Citation

// Status expects an answer with one of the given codes; Class an answer in
// a range of codes.
var (
	Status = contract.Status
	Class  = contract.Class
)

// NewClient returns a client for the target at endpoint, with the suite's
// transport: 429 and 503 waited out and retried, each answer awaited at
// most 30 s.
func NewClient(endpoint, token string) *Client {
	return swrclient.New(endpoint, token, transport.Base(false), 30*time.Second)
}

// ReadShare reads a share back through show, for BeVisibleWith,
// BeUnchanged and BeAbsent. A show that does not answer 2xx with a share
// object leaves Err set: the check is then not made.
func ReadShare(ctx context.Context, c *Client, namespace, repository, account string) Read {
	ex := c.ShowShare(ctx, namespace, repository, account)
	r := Read{Account: account, Ex: ex}
	if !ex.Succeeded() {
		r.Err = fmt.Errorf("show answered %s", answerOf(ex))
		return r
	}
	r.Share, r.Exists, r.Err = swrclient.DecodeShow(ex)
	return r
}

func answerOf(ex *Exchange) string {
	if !ex.Answered() {
		return "nothing: " + ex.Redact(ex.Err.Error())
	}
	return statusText(ex.Status)
}
