package dev.airlock.server.policy;

import dev.airlock.policy.PolicyStore;
import dev.airlock.server.ApplianceDatabase;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The policy store in the server's own database (its tables come with the shared migrations). */
@Factory
public class PolicyStoreFactory {
  @Singleton
  PolicyStore policyStore(ApplianceDatabase database) {
    return new PolicyStore(database.dataSource(), Clock.systemUTC());
  }
}
