// Package actiontest checks the GitHub Action of action.yml by running its
// steps the way a runner does: each run script under bash with the env the
// step gives it, the outputs passed from step to step, the if conditions
// applied, against a release served on loopback and the reference server.
// actionlint (make lint-workflows) checks the action's metadata and the
// inputs of the workflow that uses it, but not a composite action's steps.
package actiontest
