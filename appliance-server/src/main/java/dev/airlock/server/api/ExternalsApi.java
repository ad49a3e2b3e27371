package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.intake.ExternalServers;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.ModelVersion;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registered external servers (ADMIN): {@code POST /admin/externals} registers one as a catalog
 * version of its own kind, reviewed at once like an uploaded bundle; {@code GET} lists them with
 * their states. Only an APPROVED one can then be activated ({@code PUT /admin/models/{id}}).
 */
@Controller("/admin/externals")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class ExternalsApi {
  private final ExternalServers externals;
  private final Vault vault;

  public ExternalsApi(ExternalServers externals, Vault vault) {
    this.externals = externals;
    this.vault = vault;
  }

  @Post(consumes = MediaType.ALL)
  public MutableHttpResponse<?> register(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.CREATED, () -> {
      ExternalServers.Registered r = externals.register(Problems.read(body, ExternalServers.Registration.class),
          Access.require(request).actorName());
      Map<String, Object> out = view(r.version());
      r.review().ifPresent(review -> {
        out.put("verdict", review.verdict().name());
        out.put("policy", review.policyName());
        out.put("policyVersion", review.policyVersion());
        out.put("requiredApprovals", review.requiredApprovals());
      });
      r.reviewProblem().ifPresent(p -> out.put("reviewProblem", "The server was registered but could not be reviewed ("
          + p + "); it stays IMPORTED and is never served. POST /admin/reviews/" + r.version().id() + "/review retries."));
      return out;
    });
  }

  @Get
  public MutableHttpResponse<?> list() {
    return Api.run(HttpStatus.OK, () -> {
      try {
        return Map.of("data", vault.catalog().list().stream().filter(ModelVersion::isExternal)
            .map(ExternalsApi::view).toList());
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
      }
    });
  }

  private static Map<String, Object> view(ModelVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("catalogVersionId", v.id());
    out.put("model", v.modelName());
    out.put("version", v.version());
    out.put("state", v.state().name());
    out.put("externalServer", ReviewsApi.external(v.external().orElseThrow()));
    out.put("publisher", v.provenance().publisher());
    out.put("originCountry", v.provenance().originCountry());
    out.put("registeredBy", v.provenance().importer());
    out.put("registeredAt", v.provenance().importedAt().toString());
    return out;
  }
}
