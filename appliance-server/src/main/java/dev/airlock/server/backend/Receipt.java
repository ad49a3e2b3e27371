package dev.airlock.server.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an answer's record says about the weights that produced it: the catalog version served, the
 * digest of its signed bundle manifest (which names every file's digest; for a registered external
 * server, its declaration's), the backend kind, and the review and policy under which the DPOs
 * approved it. "This answer came from these exact approved weights" is one lookup.
 */
public record Receipt(String catalogVersionId, String catalogModel, String catalogVersion, String manifestSha256,
                      String backend, String reviewId, String policy, int policyVersion) {
  /** As the {@code inference.response} payload carries it. */
  public Map<String, Object> payload() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("catalogVersionId", catalogVersionId);
    r.put("catalogModel", catalogModel);
    r.put("catalogVersion", catalogVersion);
    r.put("manifestSha256", manifestSha256);
    r.put("backend", backend);
    r.put("reviewId", reviewId);
    r.put("policy", policy);
    r.put("policyVersion", policyVersion);
    return r;
  }
}
