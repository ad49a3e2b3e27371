/**
 * The query index of the audit log: derived data in an embedded H2 file beside the log, which
 * finds entries by time, type, actor, user, subject, model, request id and status, one keyset page
 * at a time. It stores only what finding needs (users and subjects as pseudonymous tags, never
 * payloads); payloads stay sealed in the log and are opened by a separate call that takes an
 * explicit {@link dev.airlock.audit.index.PayloadAccess}. It follows the log as a listener, so it
 * never blocks or fails an append; when it lags, every page says by how much; deleting its
 * directory rebuilds it from the log on the next open.
 */
package dev.airlock.audit.index;
