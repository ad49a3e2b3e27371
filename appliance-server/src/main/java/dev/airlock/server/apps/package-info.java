/**
 * Apps and their API keys (hashed at rest, shown once), grants and limits, and the operator's JSON
 * API under /admin for apps, keys, model activations and aliases; every change is an audit record.
 */
package dev.airlock.server.apps;
