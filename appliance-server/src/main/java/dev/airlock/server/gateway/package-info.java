/**
 * The OpenAI-compatible gateway: the /v1 routes, OpenAI-shaped errors, per-app limits, the
 * fail-closed audit of every inference (request before forwarding, response after the end), and
 * /metrics. See docs/gateway.md.
 *
 * <p>Owns: what an inference request must pass before a model sees it. Does not own: keys and apps
 * ({@code apps}), which backend serves a model ({@code backend}), the audit log itself (audit-log).
 */
package dev.airlock.server.gateway;
