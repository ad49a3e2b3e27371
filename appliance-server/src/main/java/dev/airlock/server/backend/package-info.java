/**
 * Backends: which models are ACTIVE and under which aliases, the supervisor that starts,
 * health-checks, restarts and stops vLLM replicas (or watches allowlisted external servers), and
 * the only HTTP client the gateway has, which reaches configured backends on the OpenAI routes only.
 */
package dev.airlock.server.backend;
