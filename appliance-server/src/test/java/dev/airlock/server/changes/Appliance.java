package dev.airlock.server.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.PolicyFile;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.auth.Users;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.trust.TrustAdmin;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * What the two-person tests look at on a running appliance: its accounts, pending changes,
 * active policy, trust store and audit log, captured whole so a test can say "nothing changed".
 */
final class Appliance {
  static final ObjectMapper JSON = new ObjectMapper();

  final TestAppliance app;
  final ApplicationContext ctx;
  final Users users;
  final PendingChanges changes;

  Appliance(TestAppliance app) {
    this.app = app;
    this.ctx = app.server.getApplicationContext();
    this.users = ctx.getBean(Users.class);
    this.changes = ctx.getBean(PendingChanges.class);
  }

  /** Everything a refused request must leave as it was. */
  record State(List<String> users, List<String> changes, String activePolicy, List<String> trusted, int auditRecords) {}

  State state() {
    return new State(
        users.list().stream().map(Appliance::describe).toList(),
        changes.pending().stream().map(p -> p.id() + " " + p.state()).toList(),
        ctx.getBean(PolicyAdmin.class).active().map(a -> a.policy().name() + "@" + a.policy().version()).orElse("none"),
        ctx.getBean(TrustAdmin.class).list().stream().map(TrustAnchor::name).sorted().toList(),
        (int) app.auditLog().size());
  }

  static String describe(ConsoleUser u) {
    return u.username() + " " + u.roles() + (u.disabled() ? " disabled" : "") + (u.mustChangePassword() ? " otp" : "");
  }

  /** A session token for a user whose one-time password was already changed. */
  String token(String username) {
    return ctx.getBean(Sessions.class).open(username).token();
  }

  /** The first accounts, as 'airlock admin bootstrap --username ... --dpo ... --auditor ...' makes them. */
  void bootstrap(String admin, List<String> dpos, List<String> auditors) {
    for (Users.Created c : users.bootstrap(new Users.FirstAccounts(java.util.Optional.of(admin), dpos, auditors), "test")) {
      users.changePassword(c.user().username(), c.oneTimePassword().toCharArray(), password(c.user().username()).toCharArray());
    }
  }

  static String password(String username) {
    return username + "-long-passphrase";
  }

  /** An answer of the admin API: status and JSON body. */
  record Answer(int status, JsonNode body) {
    String message() {
      return body.at("/error/message").asText();
    }

    String code() {
      return body.at("/error/code").asText();
    }
  }

  Answer call(String token, String method, String path, Object body) throws Exception {
    String json = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
    HttpRequest.Builder b = HttpRequest.newBuilder(app.url(path)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = app.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body()));
  }

  Answer post(String token, String path, String contentType, String body) throws Exception {
    HttpResponse<String> r = app.http.send(HttpRequest.newBuilder(app.url(path)).header("authorization", "Bearer " + token)
        .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body()));
  }

  /** Records appended since the log held {@code from}. */
  List<ObjectNode> recordsSince(int from) throws IOException {
    return app.auditRecordsSince(from);
  }

  /** A new public key, as PEM. */
  static String newKeyPem() {
    return VerifyingKey.canonicalPem(SigningKey.generate(Curve.P256).verifyingKey().publicKey());
  }

  /** Saves a copy of a shipped pack under another name, as version 1; returns its name. */
  String savedPolicy(String name, String admin) throws Exception {
    String yaml = PolicyFile.pack("permissive-only").source().replace("name: permissive-only", "name: " + name);
    ctx.getBean(PolicyAdmin.class).save(yaml, "user:" + admin);
    return name;
  }

  static Map<String, Object> roles(String... roles) {
    return Map.of("roles", List.of(roles));
  }
}
