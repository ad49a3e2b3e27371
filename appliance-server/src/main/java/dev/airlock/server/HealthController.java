package dev.airlock.server;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Liveness ({@code /health}: the process answers) and readiness ({@code /health/ready}: the
 * database answers and the data directory is writable, so requests can be served and audited).
 */
@Controller("/health")
public class HealthController {
  private final ApplianceDatabase database;
  private final Path dataDir;

  public HealthController(ApplianceDatabase database, ApplianceConfig config) {
    this.database = database;
    this.dataDir = config.getDataDir().toAbsolutePath().normalize();
  }

  @Get
  public Health live() {
    return new Health("UP", Map.of());
  }

  @Get("/ready")
  public HttpResponse<Health> ready() {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("database", database.isReachable() ? "UP" : "DOWN");
    checks.put("dataDir", Files.isDirectory(dataDir) && Files.isWritable(dataDir) ? "UP" : "DOWN");
    boolean up = checks.values().stream().allMatch("UP"::equals);
    Health health = new Health(up ? "UP" : "DOWN", checks);
    return up ? HttpResponse.ok(health) : HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(health);
  }

  @Serdeable
  public record Health(String status, Map<String, String> checks) {}
}
