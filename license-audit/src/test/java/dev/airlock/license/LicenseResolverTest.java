package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LicenseResolverTest {
  private final LicenseResolver resolver = new LicenseResolver(LicenseAudit.shared().catalog());

  @Test
  void hubSpellingsResolveToCatalogIds() {
    assertThat(resolver.resolve("llama3.1")).isEqualTo(new LicenseResolver.Resolved.Licenses(
        java.util.List.of(resolver.single("LicenseRef-scancode-llama-3.1-license-2024").orElseThrow()), false));
    assertThat(resolver.single("apache-2.0")).get().extracting(LicenseResolver.ResolvedLicense::id).isEqualTo("Apache-2.0");
    assertThat(resolver.single("Gemma")).get().extracting(LicenseResolver.ResolvedLicense::id).isEqualTo("LicenseRef-scancode-gemma-tou-2024-04-01");
  }

  @Test
  void earlierAirlockIdsOfTheLlamaLicensesStillResolve() {
    assertThat(resolver.single("LicenseRef-airlock-llama-3.1")).get().extracting(LicenseResolver.ResolvedLicense::id)
        .isEqualTo("LicenseRef-scancode-llama-3.1-license-2024");
  }

  @Test
  void spdxIdsOffTheCatalogTakeTheirCategoryFromTheList() {
    assertThat(resolver.single("bsd-3-clause")).get().satisfies(r -> {
      assertThat(r.id()).isEqualTo("BSD-3-Clause");
      assertThat(r.category()).isEqualTo(LicenseCategory.PERMISSIVE);
    });
    assertThat(resolver.single("Zed")).get().extracting(LicenseResolver.ResolvedLicense::category).isEqualTo(LicenseCategory.UNKNOWN);
  }

  @Test
  void disjunctionIsAChoiceOfEveryLicenseInIt() {
    var r = (LicenseResolver.Resolved.Licenses) resolver.resolve("MIT OR Apache-2.0");
    assertThat(r.choice()).isTrue();
    assertThat(r.licenses()).extracting(LicenseResolver.ResolvedLicense::id).containsExactly("MIT", "Apache-2.0");
  }

  @Test
  void expressionWithAnExceptionNamesOnlyTheLicense() {
    var r = (LicenseResolver.Resolved.Licenses) resolver.resolve("GPL-2.0-only WITH Classpath-exception-2.0");
    assertThat(r.licenses()).extracting(LicenseResolver.ResolvedLicense::id).containsExactly("GPL-2.0-only");
  }

  @Test
  void syntaxErrorsAreInvalidWithTheParsersReason() {
    assertThat(resolver.resolve("MIT AND")).isInstanceOf(LicenseResolver.Resolved.Invalid.class);
    assertThat(resolver.resolve("(MIT")).isInstanceOf(LicenseResolver.Resolved.Invalid.class);
    assertThat(resolver.resolve("Apache 2.0 license, see file")).isInstanceOf(LicenseResolver.Resolved.Invalid.class);
  }

  @Test
  void unknownIdsAreNamed() {
    assertThat(resolver.resolve("LicenseRef-acme")).isEqualTo(new LicenseResolver.Resolved.UnknownIds(java.util.List.of("LicenseRef-acme")));
    assertThat(resolver.resolve("MIT AND LicenseRef-acme")).isEqualTo(new LicenseResolver.Resolved.UnknownIds(java.util.List.of("LicenseRef-acme")));
  }

  @Test
  void noAssertionIsNotALicense() {
    assertThat(resolver.resolve("NOASSERTION")).isInstanceOf(LicenseResolver.Resolved.NoAssertion.class);
    assertThat(resolver.resolve("unknown")).isInstanceOf(LicenseResolver.Resolved.NoAssertion.class);
  }
}
