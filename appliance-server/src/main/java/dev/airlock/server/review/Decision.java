package dev.airlock.server.review;

import java.time.Instant;

/** One DPO's decision on one review of a model version, with the justification they gave. */
public record Decision(
    String id, String reviewId, String versionId, Kind kind, String dpo, String justification,
    Instant decidedAt) {
  public enum Kind {
    APPROVE,
    REJECT
  }
}
