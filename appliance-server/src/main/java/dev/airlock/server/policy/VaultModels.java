package dev.airlock.server.policy;

import dev.airlock.server.review.ModelReviews;
import dev.airlock.policy.PolicyFacts;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy facts of the vault's approved and active models, scanned from their stored files
 * (hard-linked into a private staging directory, no bytes copied; weights are never read). A
 * stored version's files never change, so its facts are scanned once per server run.
 */
@Singleton
public class VaultModels {
  /** The models a policy change matters for: those that were let in. */
  static final Set<LifecycleState> JUDGED = EnumSet.of(LifecycleState.APPROVED, LifecycleState.ACTIVE);

  private final Vault vault;
  private final Map<String, PolicyFacts> facts = new ConcurrentHashMap<>();

  public VaultModels(Vault vault) {
    this.vault = vault;
  }

  /** Approved and active versions, by catalog order. */
  public List<ModelVersion> judged() {
    try {
      return vault.catalog().list().stream().filter(v -> JUDGED.contains(v.state())).toList();
    } catch (SQLException e) {
      throw new IllegalStateException("the vault catalog cannot be read: " + e.getMessage(), e);
    }
  }

  /** The facts of one version; an IOException when its files are gone from the vault. */
  public PolicyFacts facts(ModelVersion v) throws IOException {
    PolicyFacts known = facts.get(v.id());
    if (known != null) return known;
    PolicyFacts scanned = scan(v);
    facts.put(v.id(), scanned);
    return scanned;
  }

  static String name(ModelVersion v) {
    return v.modelName() + "@" + v.version();
  }

  private PolicyFacts scan(ModelVersion v) throws IOException {
    try {
      return ModelReviews.scan(vault, v).facts();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
