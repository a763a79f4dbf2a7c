package suites

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// operation sends a create or an update in which one name is replaced.
type operation struct {
	op   contract.Operation
	send func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange
}

var operations = []operation{
	{contract.OpCreate, func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange {
		if ns == s.Namespace && repo == s.Repository {
			ex := create(ctx, s, validBody(s, contract.Forever, "").CreateJSON(), false)
			undoCreate(ctx, s, ex)
			return ex
		}
		// Another name, with the slot's account: a target that folds an
		// invalid name into the slot's (upper case into lower) writes the
		// slot's share, which its release must then remove.
		ex := run.Target().Client.CreateShare(ctx, ns, repo, validBody(s, contract.Forever, "").CreateJSON())
		s.Wrote(ex)
		return ex
	}},
	{contract.OpUpdate, func(ctx context.Context, s *target.Slot, ns, repo string) *swrclient.Exchange {
		ex := run.Target().Client.UpdateShare(ctx, ns, repo, s.Account, validBody(s, future, "").UpdateJSON())
		s.Wrote(ex)
		return ex
	}},
}

// nameKind is the namespace or the repository of a request.
type nameKind struct {
	contract.NameKind
	// replace puts name in the place of this kind, keeping the slot's other name.
	replace func(s *target.Slot, name string) (ns, repo string)
}

var nameKinds = []nameKind{
	{contract.Namespace, func(s *target.Slot, name string) (string, string) { return name, s.Repository }},
	{contract.Repository, func(s *target.Slot, name string) (string, string) { return s.Namespace, name }},
}

var _ = Describe("Names in the path", Label("names"), func() {
	for _, op := range operations {
		for _, kind := range nameKinds {
			for _, rule := range kind.Rules() {
				req := kind.Requirement(rule)
				ItChecks(req, string(op.op)+", property: "+string(rule), contract.GroupOf(op.op), contract.GroupProperty, func(ctx SpecContext) {
					s := lease(ctx)
					checkProperty(req, generators.InvalidNames(kind.NameKind, rule), func(name string) error {
						ns, repo := kind.replace(s, name)
						return Check(op.send(ctx, s, ns, repo), Answer(req))
					})
				})
			}

			ItChecks(contract.NamesStructure, string(op.op)+", "+kind.Name, contract.GroupOf(op.op), func(ctx SpecContext) {
				s := lease(ctx)
				// Each name is judged by its own answer alone, so they are
				// sent as a property's cases are, several at once.
				names := generators.StructureBreakingNames(kind.NameKind)
				errs := eachAtOnce(len(names), func(i int) error {
					ns, repo := kind.replace(s, names[i])
					if err := Check(op.send(ctx, s, ns, repo), Answer(contract.NamesStructure)); err != nil {
						return fmt.Errorf("%s %q:\n%w", kind.Name, names[i], err)
					}
					return nil
				})
				Expect(firstOf(errs)).To(Hold())
			})

			ItChecks(contract.MissingName, string(op.op)+", a valid "+kind.Name+" that does not exist", contract.GroupOf(op.op), func(ctx SpecContext) {
				s := lease(ctx)
				missing := run.Target().Prefix + "-missing" // valid, and never created by anyone but this run
				ns, repo := kind.replace(s, missing)
				ex := op.send(ctx, s, ns, repo)
				if ex.Answered() {
					observation("a valid "+kind.Name+" that does not exist ("+string(op.op)+")", fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)), ex)
				}
				Expect(ex).To(Answer(contract.MissingName))
			})
		}
	}

	Context("valid names, created on the target and shared", Label("provisioning"), func() {
		BeforeEach(func() {
			if !run.Config().Provision {
				stopNotChecked(report.CauseConfiguration, "valid names can only be tried on namespaces and repositories the suite creates", "SWR_PROVISION=true", contract.NamesValid)
			}
		})

		ItChecks(contract.NamesValid, "repositories: boundary lengths, every separator, '__', nested, digit first", contract.GroupCreate, contract.GroupUpdate, func(ctx SpecContext) {
			in := generators.ValidRepositories()
			var errs []error
			for _, repo := range in.Boundary {
				errs = append(errs, shareOnNewName(ctx, run.Target().Namespace, repo, false))
			}
			Expect(firstOf(errs)).To(Hold())
		})

		ItChecks(contract.NamesValid, "repositories, property: random valid names", contract.GroupCreate, contract.GroupUpdate, contract.GroupProperty, func(ctx SpecContext) {
			in := generators.ValidRepositories()
			in.Boundary = nil // the spec above sends them
			checkPropertyInSeries(contract.NamesValid, in, func(repo string) error { return shareOnNewName(ctx, run.Target().Namespace, repo, false) })
		})

		ItChecks(contract.NamesValid, "namespaces, property: random valid names", contract.GroupCreate, contract.GroupUpdate, contract.GroupProperty, func(ctx SpecContext) {
			in := generators.ValidNamespaces()
			in.Boundary = nil
			checkPropertyInSeries(contract.NamesValid, in, func(ns string) error {
				if !run.Target().Embedded() {
					// Namespaces are global on a registry: there a random
					// name carries the run's prefix, and one too long to
					// carry it is left to the boundary spec.
					ns = run.Target().Prefix + "-" + ns
					if !contract.Namespace.Check(ns).Valid() {
						return nil
					}
				}
				return shareOnNewName(ctx, ns, "app", true)
			})
		})

		ItChecks(contract.NamesValid, "namespaces: boundary lengths, every separator, '__'", contract.GroupCreate, contract.GroupUpdate, func(ctx SpecContext) {
			var errs []error
			for _, ns := range validNamespacesToCreate() {
				errs = append(errs, shareOnNewName(ctx, ns, "app", true))
			}
			Expect(firstOf(errs)).To(Hold())
		})
	})
})

// validNamespacesToCreate lists valid namespace names the run may create.
// Namespaces are global on a real registry, so there the names carry the
// run's prefix, except one single-character name, which cannot: it is
// created and removed within the spec, and skipped if someone holds it. On
// the embedded server every boundary name of the generator is used.
func validNamespacesToCreate() []string {
	if run.Target().Embedded() {
		return generators.ValidNamespaces().Boundary
	}
	p := run.Target().Prefix
	long := p + "-" + strings.Repeat("x", contract.NamespaceMaxLen-len(p)-2) + "9"
	return []string{p + "__a", p + ".b-c_d", p + "-0", long, "q"}
}

// firstOf is the error a spec that checks many cases ends with: every
// violation, joined, or else the first case not checked.
func firstOf(errs []error) error {
	var msgs []string
	var first *Violation
	var evidence []report.Evidence
	var undecidedErr error
	for _, err := range errs {
		var v *Violation
		switch {
		case err == nil:
		case errors.As(err, &v):
			if first == nil {
				first = v
			}
			msgs = append(msgs, err.Error())
			evidence = append(evidence, v.Evidence...)
		case undecidedErr == nil:
			undecidedErr = err
		}
	}
	if first != nil {
		return &Violation{Requirement: first.Requirement, SecurityDefect: first.SecurityDefect, Message: strings.Join(msgs, "\n\n"), Evidence: evidence}
	}
	return undecidedErr
}

// shareOnNewName creates the namespace (if newNamespace) and repository,
// shares it, updates the share, and removes all three. A refusal of the
// valid name by the share's create or update is a failure of the name
// rules; a namespace or repository create that fails is a problem of the
// run (a neighbouring operation), which leaves the name not checked.
func shareOnNewName(ctx context.Context, ns, repo string, newNamespace bool) error {
	req := contract.NamesValid
	if newNamespace {
		ex := run.Target().CreateNamespace(ctx, ns)
		if ex.Answered() && ex.Status == http.StatusConflict && len(ex.Unanswered()) == 0 {
			// Taken by someone else on a shared registry: no verdict on the
			// name, but said in the report rather than passed in silence.
			observation("valid namespace not tried", fmt.Sprintf("%s exists already on the target (409)", contract.Describe(ns)), ex)
			return nil
		}
		if !run.Target().Created(ex) {
			return Undecided(report.CauseRun, fmt.Sprintf("creating valid namespace %s did not succeed:\n%s", contract.Describe(ns), ex), "", req)
		}
		defer removeOrReport(ctx, ns, "")
	}
	if ex := run.Target().CreateRepository(ctx, ns, repo); !run.Target().Created(ex) {
		return Undecided(report.CauseRun, fmt.Sprintf("creating valid repository %s in %s did not succeed:\n%s", contract.Describe(repo), ns, ex), "", req)
	}
	defer removeOrReport(ctx, ns, repo)
	account := run.Config().Accounts[0]
	body := generators.Body{AccessDomain: account, Permit: contract.ReadPermit, Deadline: contract.Forever}
	ex := run.Target().Client.CreateShare(ctx, ns, repo, body.CreateJSON())
	if ex.Succeeded() {
		defer func() {
			if err := run.Target().RemoveShare(ctx, ns, repo, account); err != nil {
				runProblem(err.Error())
			}
		}()
	}
	if err := Check(ex, Answer(req)); err != nil {
		return fmt.Errorf("sharing %s/%s:\n%w", ns, repo, err)
	}
	if err := Check(run.Target().Client.UpdateShare(ctx, ns, repo, account, body.UpdateJSON()), Answer(req)); err != nil {
		return fmt.Errorf("updating the share of %s/%s:\n%w", ns, repo, err)
	}
	return nil
}

func removeOrReport(ctx context.Context, ns, repo string) {
	if err := run.Target().Remove(ctx, ns, repo); err != nil {
		runProblem(err.Error())
	}
}
