package dev.airlock.server.review;

import dev.airlock.audit.AuditLog;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.vault.Vault;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The server's one {@link ModelReviews}, on its vault, audit log and database. */
@Factory
public class ReviewsFactory {
  @Singleton
  ModelReviews modelReviews(Vault vault, AuditLog audit, ApplianceDatabase database) {
    return new ModelReviews(vault, audit, database.dataSource(), Clock.systemUTC());
  }

  @Singleton
  Suspensions suspensions(Vault vault, AuditLog audit, ApplianceDatabase database, ModelReviews reviews) {
    return new Suspensions(vault, audit, database.dataSource(), reviews);
  }
}
