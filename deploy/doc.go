// Package deploy holds the suite's Kubernetes manifests (kubernetes/: a Job
// and a CronJob running the image with settings from a ConfigMap and a
// Secret, reports on a volume) and its Sonobuoy plugin definition
// (sonobuoy/). It has no code: its test decodes every manifest strictly into
// the Kubernetes API types, checks that every variable they set is a
// setting of the suite and that they run the image `make image` builds, and
// runs the suite binary as each of them would.
package deploy
