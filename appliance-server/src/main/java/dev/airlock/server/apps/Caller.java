package dev.airlock.server.apps;

/** An authenticated request's app and the id of the key it presented (never the key itself). */
public record Caller(App app, String keyId) {}
