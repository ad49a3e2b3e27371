package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrgProfileTest {
  @Test
  void readsAProfileWithUnstatedFieldsLeftUnknown() {
    OrgProfile p = OrgProfile.parse("monthly_active_users: 800000000\neu_domiciled: true\n", "org.yaml");
    assertThat(p).isEqualTo(new OrgProfile(Optional.of(800_000_000L), Optional.of(true),
        Optional.empty(), Optional.empty()));
  }

  @Test
  void rejectsUnknownKeysNamingTheExpectedOnes() {
    assertThatThrownBy(() -> OrgProfile.parse("mau: 5\n", "org.yaml"))
        .hasMessage("org.yaml: unknown key(s) [mau]; expected only [commercial_use, eu_domiciled,"
            + " monthly_active_users, multimodal_use]");
  }

  @Test
  void rejectsValuesOfTheWrongType() {
    assertThatThrownBy(() -> OrgProfile.parse("monthly_active_users: lots\n", "org.yaml"))
        .hasMessage("org.yaml: monthly_active_users must be a whole number >= 0, found 'lots'");
    assertThatThrownBy(() -> OrgProfile.parse("commercial_use: sometimes\n", "org.yaml"))
        .hasMessage("org.yaml: commercial_use must be true or false, found 'sometimes'");
  }

  @Test
  void rejectsMalformedYamlWithItsPosition() {
    assertThatThrownBy(() -> OrgProfile.parse("eu_domiciled: [true\n", "org.yaml"))
        .hasMessage("org.yaml:2:1: not a readable YAML organization profile: not valid YAML:"
            + " expected ',' or ']', but got <stream end> (while parsing a flow sequence that"
            + " starts at line 1, column 15)");
  }
}
