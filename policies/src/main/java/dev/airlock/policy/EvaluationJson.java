package dev.airlock.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The JSON form of a verdict, as {@code airlock policy check --json} prints it and the server
 * will serve it. Documented in {@code docs/policies.md}; keys are stable, in a fixed order.
 */
public final class EvaluationJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluationJson() {}

  public static ObjectNode toTree(Evaluation e, PolicyFacts facts) {
    ObjectNode root = JSON.createObjectNode();
    root.put("policy", e.policy());
    ObjectNode subject = root.putObject("subject");
    subject.put("name", e.subject().name());
    subject.put("kind", e.subject().kind().name().toLowerCase(Locale.ROOT));
    root.put("verdict", e.verdict().name());
    root.put("exit_code", e.verdict().exitCode());
    root.put("required_approvals", e.requiredApprovals());
    ArrayNode deciding = root.putArray("deciding_rules");
    e.decidingRules().forEach(deciding::add);
    ArrayNode rules = root.putArray("rules");
    for (RuleResult r : e.rules()) {
      ObjectNode o = rules.addObject();
      o.put("id", r.id());
      o.put("kind", r.kind());
      o.put("description", r.description());
      o.put("outcome", r.outcome().name());
      o.put("reason", r.reason());
      ArrayNode ev = o.putArray("evidence");
      r.evidence().forEach(ev::add);
      r.howToFix().ifPresent(h -> o.put("how_to_fix", h));
    }
    ArrayNode obligations = root.putArray("obligations");
    for (PolicyFacts.Obligation ob : e.obligations()) {
      ObjectNode o = obligations.addObject();
      o.put("license", ob.licenseId());
      o.put("obligation", ob.text());
      o.put("evidence", ob.evidence());
    }
    ObjectNode provenance = root.putObject("provenance");
    var p = facts.provenance();
    provenance.put("transfer_signature", switch (p.transfer()) {
      case NO_BUNDLE -> "not-applicable-no-bundle";
      case MISSING -> "missing";
      case INVALID -> "invalid";
      case VERIFIED -> "verified";
    });
    provenance.put("transfer_signature_detail", p.transferDetail());
    p.publisherSignature().ifPresentOrElse(s -> {
      ObjectNode sig = provenance.putObject("publisher_signature");
      sig.put("signer", s.signer());
      sig.put("verified", s.verified());
      sig.put("trusted", s.trusted());
    }, () -> provenance.putNull("publisher_signature"));
    provenance.put("sbom", p.sbomPresent());
    ArrayNode notes = root.putArray("notes");
    e.notes().forEach(notes::add);
    return root;
  }

  /** Pretty-printed, with a final newline. */
  public static String write(Evaluation e, PolicyFacts facts) {
    try {
      return JSON.writeValueAsString(toTree(e, facts)) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot happen: a tree of strings always serializes", ex);
    }
  }
}
