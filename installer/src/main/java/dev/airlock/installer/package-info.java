/**
 * The {@code airlock} command line: bundles, keys, trust, license scans, policy checks, audit
 * verification and export, appliance install.
 *
 * <p>Owns: argument parsing, terminal output (progress, tables, JSON), exit codes.
 *
 * <p>Does not own: anything the server must also do. Every command is a thin shell over the
 * domain libraries (audit-log, model-vault, license-audit, policies) or the server's admin API.
 */
package dev.airlock.installer;
