package dev.airlock.vault.catalog;

import java.util.List;

/**
 * A catalog version that is an OpenAI-compatible server the organization runs elsewhere, not a
 * bundle: Airlock does not hold its weights, only what it was told about it (its declaration,
 * license text and model card, kept as the version's files) and where it answers.
 *
 * @param servedModelName the model name the server answers to
 * @param endpoints base URLs, {@code http://host:port}, one per replica
 */
public record ExternalServer(String servedModelName, List<String> endpoints) {
  public ExternalServer {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) throw new IllegalArgumentException("an external server has at least one endpoint");
  }

  /** What the vault's declaration file and every view of such a version state. */
  public static final String STATEMENT = "Airlock does not hold this model's weights: it is served by a server"
      + " the organization runs, and Airlock forwards requests to it and audits them.";
}
