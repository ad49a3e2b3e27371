package dev.airlock.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The facts as CEL sees them: plain maps and lists, with YAML-style keys. */
final class CelFacts {
  private CelFacts() {}

  static Map<String, Object> variables(
      PolicyFacts facts, OrgProfile org, List<PolicyFacts.LicenseFact> licenses) {
    List<Map<String, Object>> ls =
        licenses.stream()
            .map(l -> {
              Map<String, Object> m = new HashMap<>();
              m.put("id", l.id());
              m.put("name", l.name());
              m.put("category", l.category().id());
              m.put("inherited_from", l.inheritedFrom().orElse(""));
              return m;
            })
            .toList();
    Map<String, Object> o = new HashMap<>();
    org.monthlyActiveUsers().ifPresent(v -> o.put("monthly_active_users", v));
    org.euDomiciled().ifPresent(v -> o.put("eu_domiciled", v));
    org.commercialUse().ifPresent(v -> o.put("commercial_use", v));
    org.multimodalUse().ifPresent(v -> o.put("multimodal_use", v));
    Map<String, Object> model = new HashMap<>();
    model.put("name", facts.subject().name());
    model.put("subject", facts.subject().kind().name().toLowerCase(java.util.Locale.ROOT));
    model.put("publisher", facts.origin().publisher().orElse(""));
    model.put("origin_country", facts.origin().country().orElse(""));
    model.put("quantization", facts.safety().quantization().orElse("none"));
    model.put("pickle_weights", !facts.safety().pickleFiles().isEmpty());
    model.put("custom_code", !facts.safety().customCode().isEmpty());
    model.put("sbom", facts.provenance().sbomPresent());
    return Map.of("licenses", ls, "org", o, "model", model);
  }
}
