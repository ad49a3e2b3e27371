/**
 * Backends: which models are ACTIVE and under which aliases, the servable directories laid out
 * from the vault for them, the supervisor that starts, health-checks, restarts and stops vLLM and
 * embedded engine replicas (each with every process it started) or watches allowlisted external
 * servers, and the only HTTP client the gateway has, which reaches configured backends on the
 * OpenAI routes only.
 */
package dev.airlock.server.backend;
