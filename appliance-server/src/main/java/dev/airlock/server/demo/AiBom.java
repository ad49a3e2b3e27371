package dev.airlock.server.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A minimal SPDX 3.0.1 AI-BOM (JSON-LD, AI profile) for one model: the document, its SBOM, the
 * model as an {@code ai_AIPackage} with every property the specification requires of one
 * (suppliedBy, releaseTime, downloadLocation, packageVersion, primaryPurpose), and exactly one
 * declared and one concluded license, as the AI profile asks.
 */
final class AiBom {
  /** Where the SPDX 3.0.1 JSON-LD context lives; readers resolve it locally, nothing is fetched. */
  static final String CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the AI-BOM states about the model. */
  record Model(String name, String version, String supplier, String summary, String downloadLocation,
               String licenseId, Instant released) {}

  private AiBom() {}

  /** The document as pretty-printed JSON-LD bytes. */
  static byte[] of(Model m) {
    String base = "https://airlock.local/spdx/" + m.name() + "/" + m.version() + "#";
    String created = m.released().truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode doc = JSON.createObjectNode();
    doc.put("@context", CONTEXT);
    ArrayNode graph = doc.putArray("@graph");

    ObjectNode creation = graph.addObject();
    creation.put("@id", "_:creationinfo");
    creation.put("type", "CreationInfo");
    creation.put("specVersion", "3.0.1");
    creation.put("created", created);
    creation.putArray("createdBy").add(base + "supplier");

    ObjectNode supplier = element(graph, "Organization", base + "supplier");
    supplier.put("name", m.supplier());

    ObjectNode document = element(graph, "SpdxDocument", base + "document");
    document.put("name", m.name() + " " + m.version() + " AI-BOM");
    document.putArray("profileConformance").add("core").add("software").add("ai").add("simpleLicensing");
    document.putArray("rootElement").add(base + "sbom");

    ObjectNode sbom = element(graph, "software_Sbom", base + "sbom");
    sbom.putArray("software_sbomType").add("build");
    sbom.putArray("rootElement").add(base + "model");

    ObjectNode model = element(graph, "ai_AIPackage", base + "model");
    model.put("name", m.name());
    model.put("summary", m.summary());
    model.put("software_packageVersion", m.version());
    model.put("software_downloadLocation", m.downloadLocation());
    model.put("software_primaryPurpose", "model");
    model.put("suppliedBy", base + "supplier");
    model.put("releaseTime", created);
    model.putArray("ai_typeOfModel").add("transformer").add("causal language model");
    model.putArray("ai_domain").add("text generation");
    model.put("ai_autonomyType", "no");
    model.put("ai_useSensitivePersonalInformation", "no");

    String license = "https://spdx.org/licenses/" + m.licenseId();
    ObjectNode expression = element(graph, "simplelicensing_LicenseExpression", license);
    expression.put("simplelicensing_licenseExpression", m.licenseId());
    for (String kind : new String[] {"hasDeclaredLicense", "hasConcludedLicense"}) {
      ObjectNode r = element(graph, "Relationship", base + kind);
      r.put("from", base + "model");
      r.put("relationshipType", kind);
      r.putArray("to").add(license);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the AI-BOM: " + e.getMessage(), e);
    }
  }

  private static ObjectNode element(ArrayNode graph, String type, String id) {
    ObjectNode e = graph.addObject();
    e.put("type", type);
    e.put("spdxId", id);
    e.put("creationInfo", "_:creationinfo");
    return e;
  }
}
