// Package docs holds tests of the repository's documentation: readme_test.go
// checks that README.md renders as written on GitHub (its tables end where
// they should and have as many cells in every row as in the header) and that
// its relative links point to files that exist. The package has no code.
package docs
