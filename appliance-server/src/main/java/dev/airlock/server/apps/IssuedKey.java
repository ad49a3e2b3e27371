package dev.airlock.server.apps;

/**
 * A key just issued: {@code secret} is shown to the operator once and never stored; the
 * {@code prefix} stays visible to tell keys apart.
 */
public record IssuedKey(String keyId, String appId, String prefix, String secret) {}
