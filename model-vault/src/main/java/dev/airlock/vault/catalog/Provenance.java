package dev.airlock.vault.catalog;

import java.time.Instant;
import java.util.Optional;

/** Where a model version came from and who vouched for it. */
public record Provenance(
    String publisher,
    String originCountry,
    Optional<String> source,
    String bundleId,
    String manifestSha256,
    Instant bundleCreatedAt,
    String transferSignerName,
    String transferSignerFingerprint,
    PublisherSignature publisherSignature,
    Instant importedAt,
    String importer) {}
