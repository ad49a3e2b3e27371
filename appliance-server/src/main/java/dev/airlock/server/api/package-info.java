/**
 * The JSON admin API for what the console does (sessions, users, and the DPO's, analyst's and
 * operator's work), behind the same roles as the console pages: the CLI's {@code --server} mode
 * and automation use it. Errors come in the OpenAI error shape. Documented in docs/admin-api.md.
 */
package dev.airlock.server.api;
