package dev.airlock.server.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.backend.ActiveModels;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.review.Review;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.ExternalServer;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.catalog.Provenance;
import dev.airlock.vault.catalog.PublisherSignature;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Registers an OpenAI-compatible server the organization runs elsewhere as a catalog version of
 * its own kind. Airlock does not hold its weights; what it holds, as the version's files, is what
 * the DPOs judge: a declaration (endpoints, served model name, publisher, origin and the plain
 * statement that the weights are not here), the license text and the model card. The version then
 * goes through the same license audit, policy verdict, review and four eyes as a bundle, and only
 * an APPROVED one can be activated; its endpoints must be on the address allowlist when it is
 * registered and again when it is activated.
 */
@Singleton
public class ExternalServers {
  /** The declaration the vault keeps among the version's files, beside LICENSE and README.md. */
  public static final String DECLARATION = "airlock-external-server.json";
  /** A license or model card is text of a few pages; more is not what the field is for. */
  static final int MAX_TEXT_BYTES = 1 << 20;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,255}");
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Vault vault;
  private final AuditLog audit;
  private final ApplianceDatabase database;
  private final ActiveModels models;
  private final ModelReviews reviews;
  private final Clock clock = Clock.systemUTC();

  public ExternalServers(Vault vault, AuditLog audit, ApplianceDatabase database, ActiveModels models,
                         ModelReviews reviews) {
    this.vault = vault;
    this.audit = audit;
    this.database = database;
    this.models = models;
    this.reviews = reviews;
  }

  /**
   * What an ADMIN states about the server (the JSON body of {@code POST /admin/externals}).
   *
   * @param license the SPDX id (or LicenseRef) of the model's license, when no model card states it
   * @param licenseText the license's full text, as a bundle's LICENSE carries it
   * @param modelCard the model card (README.md, with its YAML front matter), if the publisher has one
   */
  public record Registration(String model, String version, String servedModelName, List<String> endpoints,
                             String publisher, String originCountry, String source, String license,
                             String licenseText, String modelCard) {}

  /** The registered version and its first review (absent if the review could not run; it stays IMPORTED). */
  public record Registered(ModelVersion version, Optional<Review> review, Optional<String> reviewProblem) {}

  public Registered register(Registration r, String actor) {
    String model = required(r.model(), "model", NAME, "a model name such as granite-8b-instruct");
    String version = required(r.version(), "version", NAME, "a version such as 2024-11 or 1.0");
    String served = r.servedModelName() == null || r.servedModelName().isBlank() ? model
        : required(r.servedModelName(), "servedModelName", NAME, "the model name the server answers to");
    if (r.endpoints() == null || r.endpoints().isEmpty()) {
      throw new IllegalArgumentException("give 'endpoints': the server's base URLs, e.g. [\"http://10.0.0.5:8000\"]");
    }
    List<String> endpoints = new ArrayList<>();
    for (String e : r.endpoints()) {
      String checked = models.allowlistedEndpoint(e);
      if (endpoints.contains(checked)) throw new IllegalArgumentException("endpoint " + checked + " is listed twice");
      endpoints.add(checked);
    }
    String publisher = required(r.publisher(), "publisher", Pattern.compile("\\S.{0,511}", Pattern.DOTALL),
        "the organization that published the model, e.g. IBM");
    String country = required(r.originCountry() == null ? null : r.originCountry().strip().toUpperCase(Locale.ROOT),
        "originCountry", COUNTRY, "the publisher's country as two letters (ISO 3166-1), e.g. US");
    boolean hasLicense = r.license() != null && !r.license().isBlank();
    boolean hasText = r.licenseText() != null && !r.licenseText().isBlank();
    boolean hasCard = r.modelCard() != null && !r.modelCard().isBlank();
    if (!hasLicense && !hasText && !hasCard) {
      throw new IllegalArgumentException("say under which license the model is used: 'license' (an SPDX id such as"
          + " Apache-2.0), 'licenseText' (its full text) or a 'modelCard' whose front matter states it;"
          + " the license audit judges it as it judges a bundle");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (hasText) files.put("LICENSE", text(r.licenseText(), "licenseText"));
    if (hasCard) {
      files.put("README.md", text(r.modelCard(), "modelCard"));
    } else if (hasLicense) {
      // The license id where a hub's model card states it, so the audit reads it the same way.
      files.put("README.md", ("---\nlicense: " + r.license().strip() + "\n---\n\n# " + model + "\n\n"
          + ExternalServer.STATEMENT + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Map<String, Object> declaration = new LinkedHashMap<>();
    declaration.put("kind", "external-server");
    declaration.put("statement", ExternalServer.STATEMENT);
    declaration.put("model", model);
    declaration.put("version", version);
    declaration.put("servedModelName", served);
    declaration.put("endpoints", endpoints);
    declaration.put("publisher", publisher);
    declaration.put("originCountry", country);
    declaration.put("source", blankToNull(r.source()));
    declaration.put("license", hasLicense ? r.license().strip() : null);
    declaration.put("registeredBy", actor);
    declaration.put("registeredAt", now.toString());
    byte[] declared = json(declaration);
    files.put(DECLARATION, declared);

    List<CatalogFile> stored;
    try {
      if (vault.catalog().find(model, version).isPresent()) {
        throw new IllegalStateException(model + " version " + version + " is already in the vault; a version never"
            + " changes: register the server under a new version");
      }
      stored = vault.storeFiles(files);
    } catch (IOException e) {
      throw new UncheckedIOException("the vault could not store the registration's files: " + e.getMessage(), e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
    long total = stored.stream().mapToLong(CatalogFile::size).sum();
    String id = "external-" + UUID.randomUUID();
    Provenance p = new Provenance(publisher, country, Optional.ofNullable(blankToNull(r.source())), id,
        Sha256.of(declared).hex(), now, "none: registered external server", "-", PublisherSignature.absent(), now, actor);
    ExternalServer server = new ExternalServer(served, endpoints);
    AtomicReference<String> versionId = new AtomicReference<>();
    Sql.inTransaction(database.dataSource(), c -> {
      LifecycleEvent event = vault.catalog().recordImport(c, new dev.airlock.vault.catalog.Catalog.NewVersion(
          model, version, total, p, stored, Optional.empty(), Optional.of(server)));
      versionId.set(event.versionId());
      Map<String, Object> lifecycle = new LinkedHashMap<>(event.auditDetails());
      audit.append(AdminRecords.of("model.lifecycle", actor, lifecycle));
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("catalogVersionId", event.versionId());
      details.put("catalogModel", model);
      details.put("catalogVersion", version);
      details.put("servedModelName", served);
      details.put("endpoints", endpoints);
      details.put("publisher", publisher);
      details.put("originCountry", country);
      details.put("declarationSha256", Sha256.of(declared).hex());
      details.put("files", stored.stream().map(CatalogFile::path).toList());
      audit.append(AdminRecords.of("admin.external.registered", actor, details));
    });
    ModelVersion registered = find(versionId.get());
    // The registration stands whatever the review does, as an upload's import does.
    try {
      Review review = reviews.review(registered.id(), AdminRecords.actor(actor));
      return new Registered(find(registered.id()), Optional.of(review), Optional.empty());
    } catch (dev.airlock.audit.AuditLogException e) {
      throw e;
    } catch (RuntimeException e) {
      return new Registered(registered, Optional.empty(), Optional.of(e.getMessage()));
    }
  }

  private ModelVersion find(String id) {
    try {
      return vault.catalog().find(id).orElseThrow();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
  }

  private static String required(String value, String field, Pattern shape, String what) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) throw new IllegalArgumentException("give '" + field + "': " + what);
    if (!shape.matcher(v).matches()) {
      throw new IllegalArgumentException("'" + field + "' must be " + what + "; found '" + v + "'");
    }
    return v;
  }

  private static byte[] text(String value, String field) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException("'" + field + "' is " + bytes.length + " bytes; at most " + MAX_TEXT_BYTES
          + " are kept: is this the right text?");
    }
    return bytes;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static byte[] json(Map<String, Object> value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
