package dev.airlock.license;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The license report as JSON, in the shape documented in {@code docs/license-scan.md}: stable
 * snake_case field names, every list always present, absent values as {@code null}.
 */
public final class LicenseReportJson {
  /** Bumped when a field is renamed or removed; adding fields keeps the version. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LicenseReportJson() {}

  public static String write(LicenseReport r) {
    try {
      return MAPPER.writeValueAsString(tree(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a license report could not be written as JSON: " + e.getMessage(), e);
    }
  }

  public static ObjectNode tree(LicenseReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("model", r.model());
    ArrayNode eff = root.putArray("effective_licenses");
    for (EffectiveLicense e : r.effectiveLicenses()) {
      ObjectNode n = eff.addObject();
      n.put("id", e.id());
      n.put("name", e.name());
      n.put("category", e.category().id());
      n.put("basis", e.basis().id());
      n.put("bound_through", e.boundThrough());
      evidence(n.putArray("evidence"), e.evidence());
    }
    ArrayNode lineage = root.putArray("lineage");
    for (LineageEntry l : r.lineage()) {
      ObjectNode n = lineage.addObject();
      n.put("model", l.model());
      n.put("relation", l.relation().id());
      if (l.family().isPresent()) {
        ModelFamily f = l.family().get();
        ObjectNode fam = n.putObject("family");
        fam.put("id", f.id());
        fam.put("name", f.name());
        fam.put("publisher", f.publisher());
        fam.put("origin_country", f.originCountry());
        fam.put("license", f.licenseId());
      } else {
        n.putNull("family");
      }
      evidence(n.putArray("evidence"), l.evidence());
    }
    ArrayNode obligations = root.putArray("obligations");
    for (Obligation o : r.obligations()) {
      ObjectNode n = obligations.addObject();
      n.put("license", o.licenseId());
      n.put("kind", o.kind().id());
      n.put("description", o.description());
      citation(n, o.citation());
    }
    ArrayNode thresholds = root.putArray("thresholds");
    for (Threshold t : r.thresholds()) {
      ObjectNode n = thresholds.addObject();
      n.put("license", t.licenseId());
      n.put("metric", t.metric().id());
      n.put("limit", t.limit());
      n.put("consequence", t.consequence());
      citation(n, t.citation());
    }
    ArrayNode fields = root.putArray("field_of_use_restrictions");
    for (FieldOfUseRestriction f : r.fieldOfUseRestrictions()) {
      ObjectNode n = fields.addObject();
      n.put("license", f.licenseId());
      n.put("field", f.field());
      n.put("description", f.description());
      citation(n, f.citation());
    }
    ArrayNode territorial = root.putArray("territorial_restrictions");
    for (TerritorialRestriction t : r.territorialRestrictions()) {
      ObjectNode n = territorial.addObject();
      n.put("license", t.licenseId());
      n.put("territory", t.territory());
      n.put("scope", t.scope());
      n.put("description", t.description());
      citation(n, t.citation());
    }
    ArrayNode law = root.putArray("governing_law");
    for (GoverningLaw g : r.governingLaw()) {
      ObjectNode n = law.addObject();
      n.put("license", g.licenseId());
      n.put("jurisdiction", g.jurisdiction());
      citation(n, g.citation());
    }
    ArrayNode findings = root.putArray("findings");
    for (Finding f : r.findings()) {
      ObjectNode n = findings.addObject();
      n.put("severity", f.severity().id());
      n.put("code", f.code().id());
      n.put("message", f.message());
      evidence(n.putArray("evidence"), f.evidence());
    }
    return root;
  }

  private static void citation(ObjectNode n, Citation c) {
    ObjectNode cit = n.putObject("citation");
    cit.put("clause", c.clause());
    cit.put("quote", c.quote());
  }

  private static void evidence(ArrayNode out, List<Evidence> evidence) {
    for (Evidence e : evidence) {
      ObjectNode n = out.addObject();
      n.put("file", e.file());
      position(n, e.position());
      n.put("excerpt", e.excerpt());
    }
  }

  private static void position(ObjectNode n, Optional<Position> position) {
    if (position.isEmpty()) {
      n.putNull("position");
      return;
    }
    ObjectNode p = n.putObject("position");
    switch (position.get()) {
      case Position.LineColumn lc -> {
        p.put("line", lc.line());
        p.put("column", lc.column());
      }
      case Position.Line l -> p.put("line", l.line());
      case Position.ByteOffset b -> p.put("byte_offset", b.offset());
      case Position.Path path -> p.put("path", path.path());
    }
  }
}
