// Package iamtest is a stand-in for IAM's token endpoint, for tests that
// need a token from somewhere: the other side of the wire from package
// iam, written from IAM's documentation on its own, so that it checks the
// request iam sends rather than sharing its types.
package iamtest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"time"
)

// User is the one user the stand-in knows.
type User struct {
	Name, Password, Domain, Project string
}

// IAM's documented names: the path of the token endpoint and the header
// that carries the token issued.
const (
	tokensPath         = "/v3/auth/tokens"
	headerSubjectToken = "X-Subject-Token"
)

// The request body, as IAM documents it for a password and a project scope.
type authRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// NewStandIn is a stand-in for IAM's token endpoint. It answers
// POST {endpoint}/v3/auth/tokens like IAM does:
//
//   - 201 with token in X-Subject-Token and a small token description whose
//     expires_at is 24 hours ahead, when the body has exactly the shape of a
//     password request scoped to a project and names u's name, password,
//     domain and project;
//   - 401 when the body has that shape but the user, password, domain or
//     project does not match;
//   - 400 when the body is not JSON of that shape, or not sent as JSON;
//   - 404 and 405 for other paths and methods.
//
// Errors have IAM's body: {"error":{"code":...,"message":...,"title":...}}.
// No answer echoes what was sent, so a test can check that a secret that
// leaks did not come from the stand-in.
//
// Being strict (unknown fields refused, exactly one method) makes the
// stand-in catch a malformed request that a lenient server would let
// through and production IAM would refuse.
func NewStandIn(u User, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tokensPath {
			iamError(w, http.StatusNotFound, "The requested URL was not found on this server.")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			iamError(w, http.StatusMethodNotAllowed, "The method is not allowed for the requested URL.")
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			iamError(w, http.StatusBadRequest, "The request body must be JSON (Content-Type: application/json;charset=utf8).")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			iamError(w, http.StatusBadRequest, "The request body could not be read.")
			return
		}
		var req authRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || dec.Decode(&struct{}{}) != io.EOF {
			iamError(w, http.StatusBadRequest, "The request body is not a valid auth request.")
			return
		}
		a := req.Auth
		id := a.Identity.Password.User
		switch {
		case len(a.Identity.Methods) != 1 || a.Identity.Methods[0] != "password":
			iamError(w, http.StatusBadRequest, `auth.identity.methods must be ["password"].`)
			return
		case id.Name == "" || id.Password == "" || id.Domain.Name == "":
			iamError(w, http.StatusBadRequest, "auth.identity.password.user needs name, password and domain.name.")
			return
		case a.Scope.Project.Name == "":
			iamError(w, http.StatusBadRequest, "auth.scope.project.name is required.")
			return
		}
		ok := id.Name == u.Name && id.Domain.Name == u.Domain && a.Scope.Project.Name == u.Project
		ok = subtle.ConstantTimeCompare([]byte(id.Password), []byte(u.Password)) == 1 && ok
		if !ok {
			// One answer for every mismatch, as IAM gives: it does not tell
			// which part was wrong.
			iamError(w, http.StatusUnauthorized, "The request you have made requires authentication.")
			return
		}
		now := time.Now().UTC()
		const layout = "2006-01-02T15:04:05.000000Z" // IAM's spelling
		w.Header().Set(headerSubjectToken, token)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"token": map[string]any{
			"methods":    []string{"password"},
			"issued_at":  now.Format(layout),
			"expires_at": now.Add(24 * time.Hour).Format(layout),
			"user":       map[string]any{"name": u.Name, "domain": map[string]string{"name": u.Domain}},
			"project":    map[string]any{"name": u.Project},
		}})
	})
}

// iamError writes an error in IAM's (Keystone's) shape.
func iamError(w http.ResponseWriter, code int, message string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message, "title": http.StatusText(code)}})
}
