package dev.airlock.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.OrgProfileActivation;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
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
      stand.user("ops", Set.of(Role.ADMIN));
      stand.user("dpo-1", Set.of(Role.DPO));
      OrgProfiles profiles = stand.app.bean(OrgProfiles.class);
      PendingChanges changes = stand.app.bean(PendingChanges.class);
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
      PendingChange proposed = changes.propose(OrgProfileActivation.of(profiles, saved.profile().version()), "ops");
      assertThat(profiles.active()).as("a proposal changes nothing").isEmpty();
      assertThatThrownBy(() -> changes.confirm(proposed.id(), "ops")).hasMessage("Only a DPO confirms a change, and"
          + " ops is not one: ask a DPO to confirm it (it waits for them under Changes).");
      assertThat(profiles.active()).isEmpty();

      changes.confirm(proposed.id(), "dpo-1");
      List<ObjectNode> records = stand.app.auditRecordsSince(before);
      assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("org_profile.saved",
          "change.proposed", "org_profile.activated");
      assertThat(records.get(2).path("payload").path("proposedBy").asText()).isEqualTo("ops");
      assertThat(records.get(2).path("payload").path("confirmedBy").asText()).isEqualTo("dpo-1");
      assertThat(profiles.active().orElseThrow().proposedBy()).isEqualTo("user:ops");
      assertThat(profiles.active().orElseThrow().confirmedBy()).isEqualTo("user:dpo-1");
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
      PendingChanges changes = stand.app.bean(PendingChanges.class);
      changes.confirm(changes.propose(OrgProfileActivation.of(profiles, big.profile().version()), "ops").id(), "dpo-1");

      Vault vault = stand.app.bean(Vault.class);
      assertThat(vault.catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.DENIED);
      assertThat(stand.app.auditRecordsSince(before)).extracting(r -> r.path("type").asText())
          .containsExactly("change.proposed", "org_profile.activated", "model.suspended", "model.reviewed");
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
