package suites

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/generators/grammar"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// operation sends a create or an update in which one name is replaced.
type operation struct {
	name  string // "create" or "update"
	label string
	send  func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange
}

var operations = []operation{
	{"create", "create", func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange {
		if ns == s.Namespace && repo == s.Repository {
			ex := create(ctx, s, validBody(s, grammar.Forever, "").CreateJSON(), false)
			undoCreate(ctx, s, ex)
			return ex
		}
		return tgt.Client.CreateShare(ctx, ns, repo, validBody(s, grammar.Forever, "").CreateJSON())
	}},
	{"update", "update", func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange {
		return tgt.Client.UpdateShare(ctx, ns, repo, s.Account, validBody(s, future, "").UpdateJSON())
	}},
}

// nameKind is the namespace or the repository of a request.
type nameKind struct {
	what       string
	repository bool
	rules      []grammar.Rule
	invalid    func(grammar.Rule) generators.Inputs
	// replace puts name in the place of this kind, keeping the slot's other name.
	replace func(s *target.Slot, name string) (ns, repo string)
}

var nameKinds = []nameKind{
	{"namespace", false, generators.NamespaceRules(), generators.InvalidNamespaces,
		func(s *target.Slot, name string) (string, string) { return name, s.Repository }},
	{"repository", true, generators.RepositoryRules(), generators.InvalidRepositories,
		func(s *target.Slot, name string) (string, string) { return s.Namespace, name }},
}

var _ = Describe("Names in the path", Label("names"), func() {
	for _, op := range operations {
		for _, kind := range nameKinds {
			for _, rule := range kind.rules {
				req := NameRequirements[kind.repository][rule]
				It(specName(req, op.name+", property: "+string(rule)), labels([]string{op.label, "property"}, req), func(ctx SpecContext) {
					s := lease(ctx)
					checkProperty(req, kind.invalid(rule), func(name string) error {
						ns, repo := kind.replace(s, name)
						return statusError(req, op.send(ctx, s, ns, repo), http.StatusBadRequest)
					})
				})
			}

			It(specName(NamesStructure, op.name+", "+kind.what), labels([]string{op.label}, NamesStructure), func(ctx SpecContext) {
				s := lease(ctx)
				var errs []error
				for _, name := range generators.StructureBreakingNames(kind.repository) {
					ns, repo := kind.replace(s, name)
					ex := op.send(ctx, s, ns, repo)
					if err := classError(NamesStructure, ex, 300, 499, "not 2xx and not 5xx (a router may answer 3xx, 400, 404 or 405 first)"); err != nil {
						errs = append(errs, fmt.Errorf("%s %q:\n%w", kind.what, name, err))
					}
				}
				must(firstOf(errs))
			})

			It(specName(MissingName, op.name+", a valid "+kind.what+" that does not exist"), labels([]string{op.label}, MissingName), func(ctx SpecContext) {
				s := lease(ctx)
				missing := tgt.Prefix + "-missing" // valid, and never created by anyone but this run
				ns, repo := kind.replace(s, missing)
				ex := op.send(ctx, s, ns, repo)
				if ex.Answered() {
					observation("a valid "+kind.what+" that does not exist ("+op.name+")", fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)), ex)
				}
				must(classError(MissingName, ex, 400, 499, "a 4xx status"))
			})
		}
	}

	Context("valid names, created on the target and shared", Label("provisioning"), func() {
		BeforeEach(func() {
			if !tgt.Config.Provision {
				stopNotChecked(report.CauseConfiguration, "valid names can only be tried on namespaces and repositories the suite creates", "SWR_PROVISION=true", NamesValid)
			}
		})

		It(specName(NamesValid, "repositories: boundary lengths, every separator, '__', nested, digit first"), labels([]string{"create", "update"}, NamesValid), func(ctx SpecContext) {
			in := generators.ValidRepositories()
			var errs []error
			for _, repo := range in.Boundary {
				errs = append(errs, shareOnNewName(ctx, tgt.Namespace, repo, false))
			}
			must(firstOf(errs))
		})

		It(specName(NamesValid, "repositories, property: random valid names"), labels([]string{"create", "update", "property"}, NamesValid), func(ctx SpecContext) {
			in := generators.ValidRepositories()
			in.Boundary = nil // the spec above sends them
			checkPropertyInSeries(NamesValid, in, func(repo string) error { return shareOnNewName(ctx, tgt.Namespace, repo, false) })
		})

		It(specName(NamesValid, "namespaces, property: random valid names"), labels([]string{"create", "update", "property"}, NamesValid), func(ctx SpecContext) {
			in := generators.ValidNamespaces()
			in.Boundary = nil
			checkPropertyInSeries(NamesValid, in, func(ns string) error {
				if !tgt.Embedded() {
					// Namespaces are global on a registry: there a random
					// name carries the run's prefix, and one too long to
					// carry it is left to the boundary spec.
					ns = tgt.Prefix + "-" + ns
					if !grammar.Namespace(ns).Valid() {
						return nil
					}
				}
				return shareOnNewName(ctx, ns, "app", true)
			})
		})

		It(specName(NamesValid, "namespaces: boundary lengths, every separator, '__'"), labels([]string{"create", "update"}, NamesValid), func(ctx SpecContext) {
			var errs []error
			for _, ns := range validNamespacesToCreate() {
				errs = append(errs, shareOnNewName(ctx, ns, "app", true))
			}
			must(firstOf(errs))
		})
	})
})

// validNamespacesToCreate lists valid namespace names the run may create.
// Namespaces are global on a real registry, so there the names carry the
// run's prefix, except one single-character name, which cannot: it is
// created and removed within the spec, and skipped if someone holds it. On
// the embedded server every boundary name of the generator is used.
func validNamespacesToCreate() []string {
	if tgt.Embedded() {
		return generators.ValidNamespaces().Boundary
	}
	p := tgt.Prefix
	long := p + "-" + strings.Repeat("x", grammar.NamespaceMaxLen-len(p)-2) + "9"
	return []string{p + "__a", p + ".b-c_d", p + "-0", long, "q"}
}

// firstOf is the error a spec that checks many cases ends with: every
// violation, joined, or else the first case not checked.
func firstOf(errs []error) error {
	var msgs []string
	var first *violation
	var undecidedErr error
	for _, err := range errs {
		var v *violation
		switch {
		case err == nil:
		case errors.As(err, &v):
			if first == nil {
				first = v
			}
			msgs = append(msgs, err.Error())
		case undecidedErr == nil:
			undecidedErr = err
		}
	}
	if first != nil {
		return &violation{req: first.req, security: first.security, msg: strings.Join(msgs, "\n\n")}
	}
	return undecidedErr
}

// shareOnNewName creates the namespace (if newNamespace) and repository,
// shares it, updates the share, and removes all three. A refusal of the
// valid name by the share's create or update is a failure of the name
// rules; a namespace or repository create that fails is a problem of the
// run (a neighbouring operation), which leaves the name not checked.
func shareOnNewName(ctx context.Context, ns, repo string, newNamespace bool) error {
	req := NamesValid
	if newNamespace {
		ex := tgt.CreateNamespace(ctx, ns)
		if ex.Answered() && ex.Status == http.StatusConflict && len(ex.Unanswered) == 0 {
			// Taken by someone else on a shared registry: no verdict on the
			// name, but said in the report rather than passed in silence.
			observation("valid namespace not tried", fmt.Sprintf("%s exists already on the target (409)", grammar.Describe(ns)), ex)
			return nil
		}
		if !tgt.Created(ex) {
			return notCheckedError(report.CauseRun, fmt.Sprintf("creating valid namespace %s did not succeed:\n%s", grammar.Describe(ns), ex), "", req)
		}
		defer removeOrReport(ctx, ns, "")
	}
	if ex := tgt.CreateRepository(ctx, ns, repo); !tgt.Created(ex) {
		return notCheckedError(report.CauseRun, fmt.Sprintf("creating valid repository %s in %s did not succeed:\n%s", grammar.Describe(repo), ns, ex), "", req)
	}
	defer removeOrReport(ctx, ns, repo)
	account := tgt.Config.Accounts[0]
	body := generators.Body{AccessDomain: account, Permit: grammar.ReadPermit, Deadline: grammar.Forever}
	ex := tgt.Client.CreateShare(ctx, ns, repo, body.CreateJSON())
	if ex.Succeeded() {
		defer func() {
			if err := tgt.RemoveShare(ctx, ns, repo, account); err != nil {
				runProblem(err.Error())
			}
		}()
	}
	if err := statusError(req, ex, http.StatusCreated); err != nil {
		return fmt.Errorf("sharing %s/%s:\n%w", ns, repo, err)
	}
	if err := statusError(req, tgt.Client.UpdateShare(ctx, ns, repo, account, body.UpdateJSON()), http.StatusCreated); err != nil {
		return fmt.Errorf("updating the share of %s/%s:\n%w", ns, repo, err)
	}
	return nil
}

func removeOrReport(ctx context.Context, ns, repo string) {
	if err := tgt.Remove(ctx, ns, repo); err != nil {
		runProblem(err.Error())
	}
}
