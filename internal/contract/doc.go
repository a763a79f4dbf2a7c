// Package contract is the image-sharing API's contract as code, and the one
// place the project keeps it: the requirement catalogue (each rule with its
// operations, what it expects, its groups and its source), the input
// grammar's oracles (namespace, repository, permit, deadline, request
// bodies: valid, invalid with the rules broken, or open), and the
// operations with their documented status codes.
//
// The generators label their inputs with these rules, the reference server
// validates with these oracles, the client, the configuration, the specs,
// the reports and the self-test take what they know of the contract from
// here; none keeps a copy. It imports the standard library only.
package contract
