/**
 * The vocabulary every server package shares, so that none imports a feature package for it: how
 * a state change commits with its audit record ({@link dev.airlock.server.vocabulary.AuditedChange}),
 * the records of operator actions ({@link dev.airlock.server.vocabulary.AdminRecords}), and the
 * typed refusals ({@link dev.airlock.server.vocabulary.Refusal}) with the one place that maps a
 * failure to its HTTP status and writes it in OpenAI's error shape ({@link
 * dev.airlock.server.vocabulary.Problems}). Imports no other package of the server.
 */
package dev.airlock.server.vocabulary;
