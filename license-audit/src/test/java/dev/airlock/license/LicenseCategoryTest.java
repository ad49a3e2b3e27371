package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LicenseCategoryTest {
  @Test
  void idsRoundTripThroughTheirYamlSpelling() {
    for (LicenseCategory c : LicenseCategory.values()) {
      assertThat(LicenseCategory.fromId(c.id())).isEqualTo(c);
    }
    assertThat(LicenseCategory.OPEN_WEIGHTS_RESTRICTED.id()).isEqualTo("open-weights-restricted");
  }

  @Test
  void unknownIdNamesTheAcceptedOnes() {
    assertThatThrownBy(() -> LicenseCategory.fromId("free"))
        .hasMessageContaining("unknown license category 'free'")
        .hasMessageContaining("permissive, weak-copyleft, copyleft");
  }
}
