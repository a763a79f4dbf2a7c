package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

func TestErrorShape(t *testing.T) {
	for body, want := range map[string]string{
		"":    "empty",
		" \n": "empty",
		`{"errorCode":"SVCSTG.SWR.4001008","errorMessage":"bad"}`: "object with errorCode, errorMessage",
		`{"error_msg":"x","error_code":"APIGW.0301"}`:             "object with error_code, error_msg",
		`{}`: "object with ",
		`[{"errorMessage":"a","errorCode":"b"},{"other":1}]`: "array of objects with errorCode, errorMessage",
		`[]`:                   "not a JSON object",
		`[1, 2]`:               "not a JSON object",
		`"bad request"`:        "not a JSON object",
		`<html>400</html>`:     "not a JSON object",
		`{"errorCode":"X"} {}`: "not a JSON object",
	} {
		if got := errorShape([]byte(body)); got != want {
			t.Errorf("errorShape(%q) = %q, want %q", body, got, want)
		}
	}
}

const recorderToken = "s3cret-t0ken-for-the-recorder"

// A target answering the create by the body it gets, the update with a
// gateway's 401, and show with 200.
func recorderTarget(t *testing.T) *swrclient.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method == http.MethodPost && strings.Contains(string(body), `"permit":"write"`):
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"errorCode":"SVCSTG.SWR.4001008","errorMessage":"invalid permit"}`)
		case r.Method == http.MethodPost && strings.Contains(string(body), "again"):
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `[{"errorCode":"SVCSTG.SWR.4091001","errorMessage":"exists"}]`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodPatch:
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`)
		default:
			io.WriteString(w, `{"exist": true}`)
		}
	}))
	t.Cleanup(srv.Close)
	return swrclient.New(srv.URL, recorderToken, nil, 0)
}

// The recorder counts what the two certified operations answered, with
// one example request per code (its body as sent, the token removed), and
// one example per error body shape; nothing of other operations.
func TestRecorder(t *testing.T) {
	c := recorderTarget(t)
	rec := newRecorder()
	c.Journal = rec.journal
	ctx := context.Background()
	create := func(body string) { c.CreateShare(ctx, "ns", "team/app", []byte(body)) }
	create(`{"access_domain":"peer-1","permit":"read","deadline":"forever","description":"with ` + recorderToken + `"}`)
	create(`{"access_domain":"peer-1","permit":"read","deadline":"forever"}`)
	create(`{"access_domain":"peer-1","permit":"write","deadline":"forever"}`)
	create(`{"access_domain":"peer-1","permit":"read","deadline":"forever","description":"again"}`)
	c.UpdateShare(ctx, "ns", "team/app", "peer-1", []byte(`{"permit":"read","deadline":"forever"}`))
	c.ShowShare(ctx, "ns", "team/app", "peer-1")
	rec.journal.Add(&swrclient.Exchange{Op: contract.OpUpdate, Method: http.MethodPatch, Path: "/v2/x", Err: errors.New("connection reset")})

	tallies := rec.drain()
	var got []string
	for _, tl := range tallies {
		got = append(got, fmt.Sprintf("%s %d ×%d", tl.Operation, tl.Code, tl.Count))
	}
	want := []string{"create 201 ×2", "create 400 ×1", "create 409 ×1", "update 0 ×1", "update 401 ×1"}
	if !slices.Equal(got, want) {
		t.Fatalf("tallies %q, want %q (by operation, then code; no show)", got, want)
	}
	first := tallies[0]
	if !strings.HasPrefix(first.Example, "POST /v2/manage/namespaces/ns/repositories/team$app/access-domains {") || !strings.HasSuffix(first.Example, "} → 201") ||
		strings.Contains(first.Example, recorderToken) || !strings.Contains(first.Example, "[REDACTED]") {
		t.Errorf("example of the first 201: %q; want the first request, its body as sent with the token redacted, and the answer", first.Example)
	}
	if first.ExampleRequest != "POST /v2/manage/namespaces/ns/repositories/team$app/access-domains → 201" || first.ExampleBody == "" || strings.Contains(first.ExampleBody, recorderToken) {
		t.Errorf("example request %q, body %q: want the request line with its answer, and the body apart, redacted", first.ExampleRequest, first.ExampleBody)
	}
	if noAnswer := tallies[3]; noAnswer.Code != 0 || noAnswer.Example != "PATCH /v2/x → no answer" {
		t.Errorf("a request without an answer is tallied as %+v, want code 0 and \"no answer\"", noAnswer)
	}

	var shapes []string
	for _, o := range rec.drainShapes() {
		if o.Point != "error body shape" || o.Example == "" {
			t.Errorf("shape observation %+v: want the point \"error body shape\" and an example", o)
		}
		shapes = append(shapes, o.Choice)
	}
	if want := []string{"array of objects with errorCode, errorMessage", "object with errorCode, errorMessage", "object with error_code, error_msg"}; !slices.Equal(shapes, want) {
		t.Errorf("shapes %q, want %q, sorted", shapes, want)
	}

	if tl, sh := rec.drain(), rec.drainShapes(); len(tl) != 0 || len(sh) != 0 {
		t.Errorf("a second drain got %v and %v: each spec's record starts empty", tl, sh)
	}
	create(`{"access_domain":"peer-1","permit":"write","deadline":"forever"}`)
	rec.reset()
	if tl, sh := rec.drain(), rec.drainShapes(); len(tl) != 0 || len(sh) != 0 {
		t.Errorf("after reset: %v and %v, want nothing", tl, sh)
	}
}

// A target that echoes what it gets answers every case with another error
// body: the recorder remembers at most maxKnownShapes of them.
func TestRecorderBoundsWhatItRemembers(t *testing.T) {
	rec := newRecorder()
	for i := range maxKnownShapes + 10 {
		rec.journal.Add(&swrclient.Exchange{Op: contract.OpCreate, Method: http.MethodPost, Path: "/p", Status: 400, RespBody: []byte(`{"echo":"` + strings.Repeat("x", i) + `"}`)})
	}
	if got := rec.drain(); len(got) != 1 || got[0].Count != maxKnownShapes+10 {
		t.Errorf("tallies %+v, want one code seen %d times", got, maxKnownShapes+10)
	}
	if n := len(rec.known); n != min(maxKnownShapes, swrclient.MaxErrorBodies) {
		t.Errorf("remembered %d error bodies, want at most %d (the journal keeps %d)", n, maxKnownShapes, swrclient.MaxErrorBodies)
	}
}

// An example body is cut at about 200 bytes, never inside a character.
func TestExampleBodyCutsAtACharacter(t *testing.T) {
	body := `{"description":"` + strings.Repeat("é", 150) + `"}`
	ex := &swrclient.Exchange{Op: contract.OpCreate, Method: http.MethodPost, Path: "/p", Status: 400, ReqBody: []byte(body)}
	got := exampleBody(ex)
	if !strings.HasSuffix(got, "...") || len(got) > 203 || !strings.HasPrefix(body, strings.TrimSuffix(got, "...")) {
		t.Errorf("exampleBody = %q (%d bytes), want at most 200 bytes of the body, whole characters, then ...", got, len(got))
	}
	if got := RequestLine(&swrclient.Exchange{Method: http.MethodGet, Path: "/p", Status: 200}); got != "GET /p → 200" {
		t.Errorf("RequestLine without a body = %q", got)
	}
}
