/**
 * The appliance server: the only module that knows Micronaut.
 *
 * <p>Owns: wiring the libraries together; the OpenAI-compatible gateway; backend supervision
 * (vLLM, the embedded engine, external servers); apps and API keys; the admin console; the audit
 * and admin APIs; sign-in and roles; the appliance database (H2 by default, PostgreSQL to scale out).
 *
 * <p>Does not own: domain logic that the CLI also needs. Bundles, signatures, licenses, policies
 * and the audit log are libraries this server calls.
 */
package dev.airlock.server;
