package dev.airlock.vault;

import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Vault#importBundle} did. {@code event} is present when something changed (the
 * caller audits it); a bundle already in the vault changes nothing.
 */
public record ImportResult(Outcome outcome, ModelVersion version, int files, long bytes,
    int newBlobs, Optional<LifecycleEvent> event) {
  public enum Outcome {
    IMPORTED,
    /** The same bundle (same id, same signed manifest) was imported before. */
    ALREADY_PRESENT
  }

  /** The lifecycle event of a new import as its audit record ({@code model.lifecycle}) names it. */
  public Optional<Map<String, Object>> eventAuditDetails() {
    return event.map(e -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("eventId", e.eventId());
      d.putAll(e.auditDetails());
      return d;
    });
  }

  /** The import as its audit record ({@code admin.bundle.import}) names it, whoever imported. */
  public Map<String, Object> auditDetails() {
    ModelVersion v = version;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("outcome", outcome == Outcome.IMPORTED ? "imported" : "already_present");
    d.put("model", v.modelName());
    d.put("version", v.version());
    d.put("versionId", v.id());
    d.put("state", v.state().name());
    d.put("bundleId", v.provenance().bundleId());
    d.put("files", files);
    d.put("newBlobs", newBlobs);
    d.put("bytesCopied", bytes);
    d.put("transferSigner", v.provenance().transferSignerName());
    d.put("publisherSignature", v.provenance().publisherSignature().status().name());
    return d;
  }
}
