package dev.airlock.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.review.Review;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The organization profile lives on the server: saved by an ADMIN, activated by two people, used
 * by every review, and a profile that judges an active model worse takes it out of service.
 */
class OrgProfilesTest {
  @TempDir Path dir;

  @Test
  void aProfileIsValidatedSavedAndActivatedOnlyByTwoPeople() throws Exception {
    try (ReviewStand stand = ReviewStand.start(dir)) {
      OrgProfiles profiles = stand.app.bean(OrgProfiles.class);
      assertThatThrownBy(() -> profiles.save("monthly_active_users: lots", "user:ops"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the organization profile: monthly_active_users must be a whole number >= 0, found 'lots'");
      assertThatThrownBy(() -> profiles.save("users: 5", "user:ops")).hasMessage("the organization profile: unknown"
          + " key(s) [users]; expected only [commercial_use, eu_domiciled, monthly_active_users, multimodal_use]");
      assertThat(profiles.versions()).isEmpty();

      int before = stand.app.auditCount();
      OrgProfiles.Saved saved = profiles.save("monthly_active_users: 5000\neu_domiciled: true\n", "user:ops");
      assertThat(saved.created()).isTrue();
      assertThat(profiles.save("monthly_active_users: 5000\neu_domiciled: true\n", "user:ops").created()).isFalse();
      assertThat(profiles.active()).isEmpty();
      assertThatThrownBy(() -> profiles.activate(saved.profile().version(), "user:ops", "user:ops"))
          .hasMessage("the organization profile is activated by two people: user:ops proposed it, so another person"
              + " must confirm");
      assertThat(profiles.active()).isEmpty();

      profiles.activate(saved.profile().version(), "user:ops", "user:dpo-1");
      List<ObjectNode> records = stand.app.auditRecordsSince(before);
      assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("org_profile.saved",
          "org_profile.activated");
      assertThat(records.get(1).path("payload").path("proposedBy").asText()).isEqualTo("user:ops");
      assertThat(records.get(1).path("payload").path("confirmedBy").asText()).isEqualTo("user:dpo-1");
      assertThat(profiles.active().orElseThrow().profile().profile().monthlyActiveUsers()).contains(5000L);
    }
  }

  @Test
  void reviewsJudgeWithTheActiveProfileAndOneThatMakesAnActiveModelWorseSuspendsIt() throws Exception {
    try (ReviewStand stand = ReviewStand.start(dir)) {
      stand.user("ops", Set.of(Role.ADMIN));
      stand.user("dpo-1", Set.of(Role.DPO));
      stand.user("dpo-2", Set.of(Role.DPO));
      // Llama 3.1: a 700 million monthly-active-user threshold. With no profile the policy asks for review.
      JsonNode imported = stand.importModel("llama-tune", "US", stand.token("ops"),
          ReviewStand.FIXTURES.resolve("llama31-finetune"));
      String versionId = imported.path("versionId").asText();
      assertThat(imported.path("verdict").asText()).isEqualTo("REVIEW");
      ModelReviews reviews = stand.app.bean(ModelReviews.class);
      assertThat(reviews.latest(versionId).orElseThrow().review().orgProfileVersion()).isEmpty();
      for (String dpo : List.of("dpo-1", "dpo-2")) {
        HttpResponse<String> r = stand.send("POST", "/admin/reviews/" + versionId + "/approve",
            Optional.of(stand.token(dpo)), "{\"justification\":\"well under the user threshold today\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      assertThat(stand.app.admin("PUT", "/admin/models/llama-tune", Map.of("catalogVersionId", versionId)).status())
          .isEqualTo(200);

      OrgProfiles profiles = stand.app.bean(OrgProfiles.class);
      OrgProfiles.Saved big = profiles.save("monthly_active_users: 800000000\n", "user:ops");
      assertThat(big.reevaluation().regressions()).extracting(r -> r.after().name()).containsExactly("DENY");
      int before = stand.app.auditCount();
      OrgProfiles.Activated activated = profiles.activate(big.profile().version(), "user:ops", "user:dpo-1");

      assertThat(activated.suspended()).containsExactly(versionId);
      Vault vault = stand.app.bean(Vault.class);
      assertThat(vault.catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.DENIED);
      assertThat(stand.app.auditRecordsSince(before)).extracting(r -> r.path("type").asText())
          .containsExactly("org_profile.activated", "model.suspended", "model.reviewed");
      Review again = reviews.latest(versionId).orElseThrow().review();
      assertThat(again.orgProfileVersion()).contains(big.profile().version());
      assertThat(again.notes()).contains("Judged with organization profile version " + big.profile().version()
          + " (proposed by user:ops, confirmed by user:dpo-1).");
      assertThat(reviews.approvalRecord(versionId).orgProfileVersion()).contains(big.profile().version());
      stand.app.supervisor().refreshActivations();
      assertThat(stand.app.supervisor().replicas()).doesNotContainKey("llama-tune");
    }
  }
}
