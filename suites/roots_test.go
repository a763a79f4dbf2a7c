package suites

// The suite verifies a registry's TLS certificate with the system's CA
// roots. Its OCI image has no OS and so no roots: this package puts
// Mozilla's roots into the binary, and Go uses them only where the system
// has none (x509.SetFallbackRoots), so a machine with roots verifies as
// before. SSL_CERT_FILE and SSL_CERT_DIR still work everywhere.
import _ "golang.org/x/crypto/x509roots/fallback"
