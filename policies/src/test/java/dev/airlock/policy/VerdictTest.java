package dev.airlock.policy;

import static dev.airlock.policy.Verdict.ALLOW;
import static dev.airlock.policy.Verdict.DENY;
import static dev.airlock.policy.Verdict.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerdictTest {
  @Test
  void combiningTakesTheStricterVerdict() {
    assertThat(ALLOW.and(ALLOW)).isEqualTo(ALLOW);
    assertThat(ALLOW.and(REVIEW)).isEqualTo(REVIEW);
    assertThat(REVIEW.and(ALLOW)).isEqualTo(REVIEW);
    assertThat(REVIEW.and(DENY)).isEqualTo(DENY);
    assertThat(DENY.and(ALLOW)).isEqualTo(DENY);
  }

  @Test
  void exitCodesAreTheDocumentedOnes() {
    assertThat(ALLOW.exitCode()).isZero();
    assertThat(REVIEW.exitCode()).isEqualTo(10);
    assertThat(DENY.exitCode()).isEqualTo(20);
  }
}
