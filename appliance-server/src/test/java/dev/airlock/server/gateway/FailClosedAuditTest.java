package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No unaudited inference: with the real audit log in a temp directory, storage that becomes
 * unusable makes the gateway answer 503 and forward nothing, and operator changes are refused too.
 */
class FailClosedAuditTest {
  @TempDir Path dir;

  @Test
  void whenTheAuditStorageBecomesUnwritableRequestsAre503AndNothingIsForwarded() throws Exception {
    int port = TestAppliance.freePort();
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(port), Map.of("airlock.audit.segment-bytes", 4096))) {
      Process backend = appliance.standIn.startExternal("sealed-chat", port);
      Path auditDir = appliance.auditLog().directory();
      Path moved = auditDir.resolveSibling("audit-moved");
      try {
        appliance.activateExternal("sealed-chat", port);
        JsonNode app = appliance.createApp("fail-closed", List.of("sealed-chat"), Map.of());
        String key = app.path("key").path("secret").asText();
        appliance.awaitHealthy("sealed-chat", 1);
        String body = "{\"model\":\"sealed-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"the merger closes friday\"}]}";
        HttpRequest request = HttpRequest.newBuilder(appliance.url("/v1/chat/completions"))
            .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertThat(appliance.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // The storage goes away under the running log: its directory is replaced by a plain file.
        Files.move(auditDir, moved);
        Files.writeString(auditDir, "not a directory any more");

        HttpResponse<String> refused = null;
        for (int attempt = 0; attempt < 40 && refused == null; attempt++) {
          int forwardedBefore = appliance.standIn.requests(port).size();
          HttpResponse<String> r = appliance.http.send(request, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) continue;
          assertThat(r.statusCode()).isEqualTo(503);
          // A 503 may also come from the response record (the answer is then withheld); the proof
          // we want is a request whose own record failed, so it never reached the backend.
          if (appliance.standIn.requests(port).size() == forwardedBefore) refused = r;
        }
        assertThat(refused).as("a request refused before forwarding").isNotNull();
        JsonNode error = TestAppliance.JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("audit_unavailable");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText())
            .isEqualTo("The audit log cannot record this request, so it was not sent to the model. Retry later;"
                + " operators are alerted by the audit metrics.");
        assertThat(refused.headers().firstValue("x-request-id")).isPresent();

        int forwarded = appliance.standIn.requests(port).size();
        assertThat(appliance.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        // The official client sees the same refusal.
        OpenAIClient sdk = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(appliance.server.getURL() + "/v1").maxRetries(0).build();
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("sealed-chat").addUserMessage("the merger closes friday").build()))
            .isInstanceOfSatisfying(InternalServerException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.code()).contains("audit_unavailable");
            });
        assertThat(appliance.standIn.requests(port)).hasSize(forwarded);

        // Operator changes are refused as well: nothing changes without its record.
        TestAppliance.Answer change = appliance.admin("POST", "/admin/apps", Map.of("name", "unrecorded", "grants", List.of()));
        assertThat(change.status()).isEqualTo(503);
        assertThat(change.body().path("error").path("code").asText()).isEqualTo("audit_unavailable");
        assertThat(appliance.admin("GET", "/admin/apps", null).body().toString()).doesNotContain("unrecorded");
      } finally {
        if (Files.isRegularFile(auditDir)) {
          Files.delete(auditDir);
          Files.move(moved, auditDir);
        }
        backend.destroyForcibly();
      }
    }
  }
}
