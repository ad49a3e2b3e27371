package dev.airlock.vault.catalog;

import dev.airlock.vault.Sha256;

/** A file of a model version and the blob that holds its bytes. */
public record CatalogFile(String path, long size, Sha256 sha256) {}
