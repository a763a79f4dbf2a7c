package swrclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"net/http"
)

// The operations of contract section 1, as the suite uses them.

// CreateShare sends POST .../access-domains with body.
func (c *Client) CreateShare(ctx context.Context, ns, repo string, body []byte, opts ...Option) *Exchange {
	return c.Do(ctx, apply(Request{Op: contract.OpCreate, Method: http.MethodPost, Path: SharesPath(ns, repo), Body: body}, opts))
}

// UpdateShare sends PATCH .../access-domains/{account} with body.
func (c *Client) UpdateShare(ctx context.Context, ns, repo, account string, body []byte, opts ...Option) *Exchange {
	return c.Do(ctx, apply(Request{Op: contract.OpUpdate, Method: http.MethodPatch, Path: SharePath(ns, repo, account), Body: body}, opts))
}

// DeleteShare sends DELETE .../access-domains/{account}.
func (c *Client) DeleteShare(ctx context.Context, ns, repo, account string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpDelete, Method: http.MethodDelete, Path: SharePath(ns, repo, account)})
}

// ShowShare sends GET .../access-domains/{account}.
func (c *Client) ShowShare(ctx context.Context, ns, repo, account string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpShow, Method: http.MethodGet, Path: SharePath(ns, repo, account)})
}

// ListShares sends GET .../access-domains.
func (c *Client) ListShares(ctx context.Context, ns, repo string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpList, Method: http.MethodGet, Path: SharesPath(ns, repo)})
}

// CreateNamespace sends POST /v2/manage/namespaces.
func (c *Client) CreateNamespace(ctx context.Context, ns string, opts ...Option) *Exchange {
	body, _ := json.Marshal(map[string]string{"namespace": ns})
	return c.Do(ctx, apply(Request{Op: contract.OpCreateNamespace, Method: http.MethodPost, Path: NamespacesPath(), Body: body}, opts))
}

// DeleteNamespace sends DELETE /v2/manage/namespaces/{ns}.
func (c *Client) DeleteNamespace(ctx context.Context, ns string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpDeleteNamespace, Method: http.MethodDelete, Path: NamespacePath(ns)})
}

// ShowNamespace sends GET /v2/manage/namespaces/{ns}: read only, so the
// suite can find out whether a namespace it did not create exists.
func (c *Client) ShowNamespace(ctx context.Context, ns string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpShowNamespace, Method: http.MethodGet, Path: NamespacePath(ns)})
}

// CreateRepository sends POST .../namespaces/{ns}/repos for a private repository.
func (c *Client) CreateRepository(ctx context.Context, ns, repo string, opts ...Option) *Exchange {
	body, _ := json.Marshal(map[string]any{"repository": repo, "category": "other", "description": "", "is_public": false})
	return c.Do(ctx, apply(Request{Op: contract.OpCreateRepository, Method: http.MethodPost, Path: RepositoriesPath(ns), Body: body}, opts))
}

// DeleteRepository sends DELETE .../namespaces/{ns}/repos/{repo}.
func (c *Client) DeleteRepository(ctx context.Context, ns, repo string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpDeleteRepository, Method: http.MethodDelete, Path: RepositoryPath(ns, repo)})
}

// ShowRepository sends GET .../namespaces/{ns}/repos/{repo}: read only, so
// the suite can find out whether a repository it did not create exists.
func (c *Client) ShowRepository(ctx context.Context, ns, repo string) *Exchange {
	return c.Do(ctx, Request{Op: contract.OpShowRepository, Method: http.MethodGet, Path: RepositoryPath(ns, repo)})
}

// Option changes one aspect of a create or update request.
type Option func(*Request)

// WithAuth sends the given credential instead of the configured token.
func WithAuth(a Auth) Option { return func(r *Request) { r.Auth = a } }

// WithResend says what may be done with a POST that got no answer at all
// (see Resend); ResendOnceRemoved needs the share, WithResendOnceRemoved.
func WithResend(policy Resend) Option { return func(r *Request) { r.Resend = policy } }

// WithResendOnceRemoved lets a create of share that got no answer at all
// be sent again once the client's Remover has removed the share the
// unanswered attempt may have made.
func WithResendOnceRemoved(share ShareKey) Option {
	return func(r *Request) { r.Resend, r.Share = ResendOnceRemoved, share }
}

// WithReplay makes the exchange's reproduction complete on a clean target
// (see Replay).
func WithReplay(rp *Replay) Option { return func(r *Request) { r.Replay = rp } }

// WithContentType sends the given Content-Type.
func WithContentType(ct string) Option { return func(r *Request) { r.ContentType = ct } }

func apply(r Request, opts []Option) Request {
	for _, o := range opts {
		o(&r)
	}
	return r
}

// Share is a share object as show and list return it.
type Share struct {
	Namespace    string `json:"namespace"`
	Repository   string `json:"repository"`
	AccessDomain string `json:"access_domain"`
	Permit       string `json:"permit"`
	Deadline     string `json:"deadline"`
	Description  string `json:"description"`
	Status       bool   `json:"status"`
	Exist        *bool  `json:"exist,omitempty"`
}

// ErrCannotObserve: the target offers neither show nor list of shares, so
// a write cannot be read back (a check of its effect is not made, never
// failed).
var ErrCannotObserve = errors.New("the target offers neither show nor list of shares (GET .../access-domains[/{account}]), so a write cannot be read back")

// DecodeShow reads a show answer: the share, and whether it exists.
func DecodeShow(ex *Exchange) (Share, bool, error) {
	var s Share
	if err := json.Unmarshal(ex.RespBody, &s); err != nil {
		return s, false, fmt.Errorf("the show answer is not a share object: %v", err)
	}
	if s.Exist == nil {
		return s, false, fmt.Errorf(`the show answer has no "exist" field`)
	}
	return s, *s.Exist, nil
}

// DecodeList reads a list answer.
func DecodeList(ex *Exchange) ([]Share, error) {
	var list []Share
	if err := json.Unmarshal(ex.RespBody, &list); err != nil {
		return nil, fmt.Errorf("the list answer is not a JSON array of share objects: %v", err)
	}
	return list, nil
}
