package dev.airlock.vault.catalog;

import static dev.airlock.vault.catalog.LifecycleState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class LifecycleStateTest {
  @Test
  void theTransitionTableIsTheOneDocumented() {
    assertThat(IMPORTED.allowedNext()).containsExactlyInAnyOrder(UNDER_REVIEW, DENIED, REVOKED);
    assertThat(UNDER_REVIEW.allowedNext()).containsExactlyInAnyOrder(APPROVED, DENIED, REVOKED);
    assertThat(DENIED.allowedNext()).containsExactlyInAnyOrder(UNDER_REVIEW, REVOKED);
    assertThat(APPROVED.allowedNext()).containsExactlyInAnyOrder(ACTIVE, RETIRED, SUSPENDED, REVOKED);
    assertThat(ACTIVE.allowedNext()).containsExactlyInAnyOrder(RETIRED, SUSPENDED, REVOKED);
    assertThat(SUSPENDED.allowedNext()).containsExactlyInAnyOrder(UNDER_REVIEW, DENIED, RETIRED, REVOKED);
    assertThat(RETIRED.allowedNext()).containsExactlyInAnyOrder(REVOKED);
    assertThat(REVOKED.allowedNext()).isEmpty();
  }

  @Test
  void aDeniedModelCannotBeApprovedWithoutANewReview() {
    assertThat(DENIED.canMoveTo(APPROVED)).isFalse();
    assertThat(IMPORTED.canMoveTo(APPROVED)).isFalse();
  }

  @Test
  void aSuspendedModelIsServedAgainOnlyThroughANewReviewAndApproval() {
    assertThat(SUSPENDED.canMoveTo(ACTIVE)).isFalse();
    assertThat(SUSPENDED.canMoveTo(APPROVED)).isFalse();
    assertThat(SUSPENDED.isServable()).isFalse();
    assertThat(EnumSet.allOf(LifecycleState.class).stream().filter(LifecycleState::isApproved))
        .containsExactlyInAnyOrder(APPROVED, ACTIVE);
  }

  @Test
  void everyStateButRevokedCanBeRevokedAndOnlyActiveIsServed() {
    for (LifecycleState s : EnumSet.complementOf(EnumSet.of(REVOKED))) {
      assertThat(s.canMoveTo(REVOKED)).as(s.name()).isTrue();
    }
    assertThat(EnumSet.allOf(LifecycleState.class).stream().filter(LifecycleState::isServable))
        .containsExactly(ACTIVE);
  }
}
