package contract

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Every example of contract section 3, and the boundaries around it.
func TestNames(t *testing.T) {
	tests := []struct {
		name      string
		namespace []Rule // nil: valid
		repo      []Rule
	}{
		{"a", nil, nil},
		{"1", []Rule{NSFirstChar}, nil},
		{"1a", []Rule{NSFirstChar}, nil},
		{"team/app", []Rule{NameInvalidChar}, nil},
		{"a/b/c/d", []Rule{NameInvalidChar}, nil},
		{"a__b", nil, nil},
		{"x.y-z_1", nil, nil},
		{strings.Repeat("a", 64), nil, nil},
		{strings.Repeat("a", 65), []Rule{NSTooLong}, nil},
		{strings.Repeat("a", 128), []Rule{NSTooLong}, nil},
		{strings.Repeat("a", 129), []Rule{NSTooLong}, []Rule{RepoTooLong}},
		{"A", []Rule{NSFirstChar, NSLastChar, NameInvalidChar}, []Rule{RepoFirstChar, RepoLastChar, NameInvalidChar}},
		{"aBc", []Rule{NameInvalidChar}, []Rule{NameInvalidChar}},
		{"a-", []Rule{NSLastChar}, []Rule{RepoLastChar}},
		{"-a", []Rule{NSFirstChar}, []Rule{RepoFirstChar}},
		{"a_", []Rule{NSLastChar}, []Rule{RepoLastChar}},
		{"a/", []Rule{NSLastChar, NameInvalidChar}, []Rule{RepoLastChar}},
		{"a b", []Rule{NameInvalidChar}, []Rule{NameInvalidChar}},
		{"a@b", []Rule{NameInvalidChar}, []Rule{NameInvalidChar}},
		{"a$b", []Rule{NameInvalidChar}, []Rule{NameInvalidChar}},
		{"aé", []Rule{NSLastChar, NameInvalidChar}, []Rule{RepoLastChar, NameInvalidChar}},
		{"a--b", []Rule{NameAdjacentSeparators}, []Rule{NameAdjacentSeparators}},
		{"a..b", []Rule{NameAdjacentSeparators}, []Rule{NameAdjacentSeparators}},
		{"a._b", []Rule{NameAdjacentSeparators}, []Rule{NameAdjacentSeparators}},
		{"a-_b", []Rule{NameAdjacentSeparators}, []Rule{NameAdjacentSeparators}},
		{"a__-b", []Rule{NameAdjacentSeparators}, []Rule{NameAdjacentSeparators}},
		{"a___b", []Rule{NameTripleUnderscore}, []Rule{NameTripleUnderscore}},
		{"a____b", []Rule{NameTripleUnderscore}, []Rule{NameTripleUnderscore}},
		{"a/_b", []Rule{NameInvalidChar}, []Rule{NameAdjacentSeparators}},
		{"a//b", []Rule{NameInvalidChar}, []Rule{NameAdjacentSeparators}},
		{"", []Rule{NSEmpty}, []Rule{RepoEmpty}},
		{".", []Rule{NSFirstChar, NSLastChar}, []Rule{RepoFirstChar, RepoLastChar}},
	}
	for _, tc := range tests {
		check := func(kind string, got Verdict, want []Rule) {
			t.Helper()
			if len(want) == 0 {
				if !got.Valid() {
					t.Errorf("%s %q: got %v, want valid", kind, tc.name, got)
				}
				return
			}
			if len(got.Rules) != len(want) {
				t.Errorf("%s %q: got %v, want %v", kind, tc.name, got, want)
				return
			}
			for _, r := range want {
				if !got.Breaks(r) {
					t.Errorf("%s %q: got %v, want %v", kind, tc.name, got, want)
				}
			}
		}
		check("namespace", Namespace.Check(tc.name), tc.namespace)
		check("repository", Repository.Check(tc.name), tc.repo)
	}
}

func TestWireRepository(t *testing.T) {
	if got := WireRepository("team/app/x"); got != "team$app$x" {
		t.Fatalf("WireRepository = %q", got)
	}
	if got := RepositoryFromWire("team$app"); got != "team/app" {
		t.Fatalf("RepositoryFromWire = %q", got)
	}
}

func TestOrdinarySegment(t *testing.T) {
	for _, s := range []string{"a", "A", "a@b", "a$b", "a;b", "a\"b", "a{b}", "..."} {
		if !OrdinarySegment(s) {
			t.Errorf("OrdinarySegment(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", ".", "..", "a/b", "a?b", "a#b", "a%b", `a\b`, "a b", "a\tb", "a\x7fb", "aé"} {
		if OrdinarySegment(s) {
			t.Errorf("OrdinarySegment(%q) = true, want false", s)
		}
	}
}

func TestDeadline(t *testing.T) {
	valid := []string{"forever", "2030-10-01T16:00:00.000Z", "2030-10-01T16:00:00Z", "2030-10-01T16:00:00.5Z", "2099-12-31T23:59:59.999999999Z"}
	invalid := []string{"tomorrow", "", "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z", "1538409600", "2030-10-01 16:00:00",
		"2030-10-01T24:00:00Z", "2030-10-01T16:00Z", "2030-10-01T16:00:00.Z", "2030-1-01T16:00:00Z", " forever", "forever ", "2030-10-01T16:00:00+25:00", "2030-10-01T16:00:60Z"}
	unpinned := []string{"Forever", "FOREVER", "2030-10-01T16:00:00+08:00", "2030-10-01T16:00:00+00:00", "2030-10-01", "2018-10-01T16:00:00.000Z",
		"2030-10-01t16:00:00z", "2030-10-01 16:00:00Z", "2030-06-30T23:59:60Z"}
	for _, s := range valid {
		if v := Deadline(s, now); !v.Valid() {
			t.Errorf("Deadline(%q) = %v, want valid", s, v)
		}
	}
	for _, s := range invalid {
		if v := Deadline(s, now); !v.Only(BodyDeadlineInvalid) {
			t.Errorf("Deadline(%q) = %v, want %s", s, v, BodyDeadlineInvalid)
		}
	}
	for _, s := range unpinned {
		if v := Deadline(s, now); v.Invalid() || v.Pinned() {
			t.Errorf("Deadline(%q) = %v, want not pinned", s, v)
		}
	}
}

func TestPermit(t *testing.T) {
	if !Permit("read").Valid() {
		t.Error("read must be valid")
	}
	for _, s := range []string{"write", "pull", "", " read", "reads"} {
		if !Permit(s).Only(BodyPermitNotRead) {
			t.Errorf("Permit(%q) = %v", s, Permit(s))
		}
	}
	for _, s := range []string{"Read", "READ"} {
		if v := Permit(s); v.Invalid() || v.Pinned() {
			t.Errorf("Permit(%q) = %v, want not pinned", s, v)
		}
	}
}

func TestBodies(t *testing.T) {
	tests := []struct {
		body     string
		create   bool
		want     Rule // "" : valid
		unpinned bool
	}{
		{`{"access_domain":"demo","permit":"read","deadline":"forever"}`, true, "", false},
		{`{"access_domain":"demo","permit":"read","deadline":"2030-10-01T16:00:00.000Z","description":"d"}`, true, "", false},
		{`{"access_domain":"demo","permit":"read","deadline":"forever","description":""}`, true, "", false},
		{`{"permit":"read","deadline":"forever"}`, false, "", false},
		{` { "permit" : "read" , "deadline" : "forever" } `, false, "", false},
		{``, true, BodyMalformed, false},
		{`{`, true, BodyMalformed, false},
		{`{"permit":"read",}`, false, BodyMalformed, false},
		// Content after a complete object is not pinned (contract §4);
		// a body that never completes one object is malformed.
		{`{"permit":"read","deadline":"forever"} {}`, false, "", true},
		{`{"permit":"read","deadline":"forever"}]`, false, "", true},
		{`{"permit":"read","deadline":"forever"}}`, true, "", true},
		{`{"permit":}`, false, BodyMalformed, false},
		{`{"permit":"read","deadline":"forever"]`, false, BodyMalformed, false},
		{`[]`, true, BodyNotObject, false},
		{`"read"`, true, BodyNotObject, false},
		{`42`, true, BodyNotObject, false},
		{`null`, true, BodyNotObject, false},
		{`{"permit":"read","deadline":"forever"}`, true, BodyAccessDomainMissing, false},
		{`{"access_domain":"","permit":"read","deadline":"forever"}`, true, BodyAccessDomainEmpty, false},
		{`{"access_domain":7,"permit":"read","deadline":"forever"}`, true, BodyAccessDomainType, false},
		{`{"access_domain":null,"permit":"read","deadline":"forever"}`, true, BodyAccessDomainType, false},
		{`{"access_domain":"demo","deadline":"forever"}`, true, BodyPermitMissing, false},
		{`{"deadline":"forever"}`, false, BodyPermitMissing, false},
		{`{"permit":true,"deadline":"forever"}`, false, BodyPermitType, false},
		{`{"permit":["read"],"deadline":"forever"}`, false, BodyPermitType, false},
		{`{"permit":"write","deadline":"forever"}`, false, BodyPermitNotRead, false},
		{`{"permit":"","deadline":"forever"}`, false, BodyPermitNotRead, false},
		{`{"permit":"read"}`, false, BodyDeadlineMissing, false},
		{`{"permit":"read","deadline":1538409600}`, false, BodyDeadlineType, false},
		{`{"permit":"read","deadline":"tomorrow"}`, false, BodyDeadlineInvalid, false},
		{`{"permit":"read","deadline":"forever","description":{}}`, false, BodyDescriptionType, false},
		{`{"permit":"read","deadline":"forever","description":false}`, false, BodyDescriptionType, false},
		{`{"permit":"read","deadline":"forever","description":null}`, false, "", true},
		{`{"permit":"read","deadline":"forever","extra":1}`, false, "", true},
		{`{"access_domain":"demo","permit":"read","deadline":"forever"}`, false, "", true},
		{`{"permit":"Read","deadline":"forever"}`, false, "", true},
		{`{"permit":"read","permit":"write","deadline":"forever"}`, false, "", true},
		{`{"Permit":"read","deadline":"forever"}`, false, "", true},
		{`{"permit":"read","DeadLine":"forever"}`, false, "", true},
		{"{\"permit\":\"read\",\"deadline\":\"forever\",\"description\":\"\xff\"}", false, "", true},
		{`{"permit":"read","deadline":"forever","description":"` + strings.Repeat("x", 65) + `"}`, false, "", true},
	}
	for _, tc := range tests {
		var v Verdict
		if tc.create {
			v = CreateBody([]byte(tc.body), now)
		} else {
			v = UpdateBody([]byte(tc.body), now)
		}
		switch {
		case tc.want != "" && !v.Only(tc.want):
			t.Errorf("body %s (create=%v): got %v, want only %s", tc.body, tc.create, v, tc.want)
		case tc.want == "" && tc.unpinned && (v.Invalid() || v.Pinned()):
			t.Errorf("body %s (create=%v): got %v, want not pinned", tc.body, tc.create, v)
		case tc.want == "" && !tc.unpinned && !v.Valid():
			t.Errorf("body %s (create=%v): got %v, want valid", tc.body, tc.create, v)
		}
	}
}
