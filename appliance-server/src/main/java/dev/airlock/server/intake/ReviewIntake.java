package dev.airlock.server.intake;

import dev.airlock.audit.Actor;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the DPOs' queue complete: every version the catalog holds as IMPORTED (a bundle the CLI
 * imported into the data directory, one whose review failed at upload, records the CLI left
 * pending) is reviewed (license audit, policy verdict) and so reaches the queue, at start and
 * then every minute. An upload is reviewed at once; this catches everything else.
 */
@Singleton
public class ReviewIntake {
  /** Who the review records name: the server itself, since no person asked for these reviews. */
  public static final Actor ACTOR = Actor.system("airlock-intake");
  private static final Logger LOG = LoggerFactory.getLogger(ReviewIntake.class);

  private final Vault vault;
  private final ModelReviews reviews;
  // A version whose review failed is logged once per cause, not every minute.
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public ReviewIntake(Vault vault, ModelReviews reviews) {
    this.vault = vault;
    this.reviews = reviews;
  }

  /** Reviews every IMPORTED version; returns how many reached a verdict. */
  @Scheduled(fixedDelay = "${airlock.review.intake-interval:60s}", initialDelay = "${airlock.review.intake-delay:2s}")
  public synchronized int reviewWaiting() {
    List<ModelVersion> waiting;
    try {
      waiting = vault.catalog().list().stream().filter(v -> v.state() == LifecycleState.IMPORTED).toList();
    } catch (SQLException e) {
      LOG.warn("review intake cannot read the vault catalog: {}", e.getMessage());
      return 0;
    }
    int reviewed = 0;
    for (ModelVersion v : waiting) {
      try {
        reviews.review(v.id(), ACTOR);
        reviewed++;
        LOG.info("review intake: model={} version={} reviewed and queued for the DPOs", v.modelName(), v.version());
      } catch (RuntimeException e) {
        if (reported.add(v.id() + ":" + e.getMessage())) {
          LOG.warn("review intake: model={} version={} stays IMPORTED (never served): {}", v.modelName(), v.version(),
              e.getMessage());
        }
      }
    }
    return reviewed;
  }
}
