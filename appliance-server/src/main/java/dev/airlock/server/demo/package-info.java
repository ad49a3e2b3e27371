/**
 * {@code ./airlock demo}: the whole product on one machine in one command, with the tiny model
 * Airlock generates. Owns the demo's steps and narrative, nothing else: every step calls the same
 * library classes as the CLI (keys, model signing, bundles, trust) or the server's own HTTP API
 * (accounts, import and review, approvals, activation, apps, {@code /v1}).
 */
package dev.airlock.server.demo;
