package dev.airlock.license;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.spdx.core.CoreModelObject;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.core.TypedValue;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v2.Relationship;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxElement;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.enumerations.RelationshipType;
import org.spdx.library.model.v3_0_1.ai.AIPackage;
import org.spdx.library.model.v3_0_1.core.Element;
import org.spdx.library.model.v3_0_1.dataset.DatasetPackage;
import org.spdx.library.model.v3_0_1.simplelicensing.LicenseExpression;
import org.spdx.storage.IModelStore;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.utility.compare.LicenseCompareHelper;
import org.spdx.v3jsonldstore.JsonLDStore;

/**
 * Reads an SPDX SBOM (2.3 JSON, or 3.0.1 JSON-LD with the AI profile) through SPDX Java Tools and
 * pulls out what matters for licensing: the model packages' declared and concluded licenses, and
 * the packages they descend from. A document that cannot be read, or lacks what the specification
 * requires, is reported; it never stops the scan.
 */
final class SbomReader {
  /** A license expression the SBOM states for a model package. */
  record Declared(String expression, String element, String property) {}

  /** A package the model descends from, as the SBOM names it. */
  record Base(String name, Optional<String> location, String element, String relationship) {}

  record Problem(Severity severity, FindingCode code, String message, Optional<Position> position) {}

  /**
   * @param extractedTexts license texts the document carries for its own {@code LicenseRef-} ids
   *     (SPDX 2.3 {@code hasExtractedLicensingInfos}), by id
   */
  record Facts(String specVersion, List<Declared> declared, List<Base> bases, List<Problem> problems,
      Map<String, String> extractedTexts) {}

  /** Cap on problems listed per document: enough to act on, not a flood. */
  private static final int MAX_PROBLEMS = 20;

  private SbomReader() {}

  static Facts read(byte[] json) {
    SpdxTools.start();
    String head = new String(json, 0, Math.min(json.length, 4096), StandardCharsets.UTF_8);
    if (head.contains("\"@context\"") || head.contains("\"@graph\"")) return readV3(json);
    return readV2(json);
  }

  // ---- SPDX 2.3 ------------------------------------------------------------------------------

  private static Facts readV2(byte[] json) {
    List<Declared> declared = new ArrayList<>();
    List<Base> bases = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON_PRETTY);
    SpdxDocument doc;
    try {
      doc = (SpdxDocument) store.deSerialize(new ByteArrayInputStream(json), false);
    } catch (Exception | StackOverflowError e) {
      problems.add(new Problem(Severity.ERROR, FindingCode.SBOM_MALFORMED,
          "not a readable SPDX 2.3 JSON document: " + oneLine(e)
              + ". Expected an SPDX 2.3 JSON document (spdxVersion, SPDXID, documentNamespace, ...); fix or regenerate the SBOM.",
          Optional.empty()));
      return new Facts("SPDX-2.3", declared, bases, problems, Map.of());
    }
    String version = orElse(() -> doc.getSpecVersion(), "SPDX-2.x");
    for (String v : safeList(doc::verify)) {
      if (problems.size() >= MAX_PROBLEMS) break;
      problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE, "SPDX validation: " + v, Optional.empty()));
    }
    List<SpdxPackage> models = new ArrayList<>();
    try {
      for (SpdxElement e : doc.getDocumentDescribes()) {
        if (e instanceof SpdxPackage p) models.add(p);
      }
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE, "cannot tell which packages the document describes: " + oneLine(e), Optional.empty()));
    }
    for (SpdxPackage p : models) {
      String id = p.getId();
      addV2License(declared, id, "licenseDeclared", () -> p.getLicenseDeclared().toString());
      addV2License(declared, id, "licenseConcluded", () -> p.getLicenseConcluded().toString());
      for (Relationship r : safeList(() -> List.copyOf(p.getRelationships()))) {
        RelationshipType type = orElse(r::getRelationshipType, RelationshipType.OTHER);
        if (type == RelationshipType.DESCENDANT_OF || type == RelationshipType.VARIANT_OF) {
          orElse(() -> r.getRelatedSpdxElement(), Optional.<SpdxElement>empty())
              .ifPresent(base -> bases.add(v2Base(base, id, type)));
        }
      }
    }
    // ANCESTOR_OF points the other way: from the base to the model.
    try {
      store.getAllItems(null, "Package").forEach(tv -> {
        try {
          SpdxPackage other = (SpdxPackage) SpdxModelFactory.inflateModelObject(store, tv.getObjectUri(), tv.getType(),
              new ModelCopyManager(), tv.getSpecVersion(), false, null);
          for (Relationship r : other.getRelationships()) {
            if (r.getRelationshipType() != RelationshipType.ANCESTOR_OF) continue;
            Optional<SpdxElement> to = r.getRelatedSpdxElement();
            if (to.isPresent() && models.stream().anyMatch(m -> m.getId().equals(to.get().getId()))) {
              bases.add(v2Base(other, to.get().getId(), RelationshipType.ANCESTOR_OF));
            }
          }
        } catch (InvalidSPDXAnalysisException | RuntimeException e) {
          // An unreadable package cannot be an ancestor we can name; validation reports it.
        }
      });
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE, "cannot list the document's packages: " + oneLine(e), Optional.empty()));
    }
    Map<String, String> extracted = new LinkedHashMap<>();
    try {
      for (var info : doc.getExtractedLicenseInfos()) {
        String text = orElse(info::getExtractedText, "");
        if (!text.isBlank()) extracted.put(info.getLicenseId(), text);
      }
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      // No extracted texts: LicenseRef ids stay unknown and are reported as such.
    }
    return new Facts(version, declared, bases, problems, extracted);
  }

  private static Base v2Base(SpdxElement base, String modelId, RelationshipType type) {
    String name = orElse(() -> base.getName().orElse(base.getId()), base.getId());
    Optional<String> location = base instanceof SpdxPackage p ? orElse(p::getDownloadLocation, Optional.<String>empty()) : Optional.empty();
    return new Base(name, location, modelId, type.name());
  }

  private static void addV2License(List<Declared> out, String element, String property, Checked<String> value) {
    try {
      String v = value.get();
      if (v != null && !v.isBlank() && !v.equals("NOASSERTION") && !v.equals("NONE")) {
        out.add(new Declared(v, element, property));
      }
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      // Missing license fields are reported by SPDX validation.
    }
  }

  // ---- SPDX 3.0.1 ----------------------------------------------------------------------------

  private static Facts readV3(byte[] json) {
    List<Declared> declared = new ArrayList<>();
    List<Base> bases = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    JsonLDStore store = new JsonLDStore(new InMemSpdxStore());
    try {
      store.deSerialize(new ByteArrayInputStream(json), false);
    } catch (Exception | StackOverflowError e) {
      problems.add(new Problem(Severity.ERROR, FindingCode.SBOM_MALFORMED,
          "not a readable SPDX 3.0.1 JSON-LD document: " + oneLine(e)
              + ". Expected SPDX 3.0.1 JSON-LD (@context and @graph, each element with a unique spdxId); fix or regenerate the SBOM.",
          Optional.empty()));
      return new Facts("SPDX-3.0.1", declared, bases, problems, Map.of());
    }
    List<AIPackage> models = new ArrayList<>();
    List<DatasetPackage> datasets = new ArrayList<>();
    List<org.spdx.library.model.v3_0_1.core.Relationship> relationships = new ArrayList<>();
    for (TypedValue tv : items(store)) {
      CoreModelObject o;
      try {
        o = SpdxModelFactory.inflateModelObject(store, tv.getObjectUri(), tv.getType(), new ModelCopyManager(), tv.getSpecVersion(), false, null);
      } catch (InvalidSPDXAnalysisException | RuntimeException e) {
        problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE,
            "element " + tv.getObjectUri() + " cannot be read: " + oneLine(e), Optional.of(new Position.Path(tv.getObjectUri()))));
        continue;
      }
      if (o instanceof AIPackage ai) models.add(ai);
      else if (o instanceof DatasetPackage ds) datasets.add(ds);
      else if (o instanceof org.spdx.library.model.v3_0_1.core.Relationship r) relationships.add(r);
      for (String v : safeList(o::verify)) {
        if (problems.size() < MAX_PROBLEMS) {
          problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE, "SPDX validation: " + v,
              Optional.of(new Position.Path(tv.getObjectUri()))));
        }
      }
    }
    for (AIPackage ai : models) {
      String id = ai.getObjectUri();
      // SPDX 3.0.1 AIPackage: suppliedBy, releaseTime, downloadLocation, packageVersion and
      // primaryPurpose have minCount 1 ("External properties cardinality updates").
      require(problems, id, "AIPackage", "suppliedBy", () -> ai.getSuppliedBy().isPresent());
      require(problems, id, "AIPackage", "releaseTime", () -> ai.getReleaseTime().isPresent());
      require(problems, id, "AIPackage", "software_downloadLocation", () -> ai.getDownloadLocation().isPresent());
      require(problems, id, "AIPackage", "software_packageVersion", () -> ai.getPackageVersion().isPresent());
      require(problems, id, "AIPackage", "software_primaryPurpose", () -> ai.getPrimaryPurpose().isPresent());
      int declaredCount = 0;
      int concludedCount = 0;
      for (var r : relationships) {
        String type = orElse(() -> r.getRelationshipType().name(), "");
        String from = orElse(() -> r.getFrom().getObjectUri(), "");
        boolean fromModel = from.equals(id);
        if (fromModel && (type.equals("HAS_DECLARED_LICENSE") || type.equals("HAS_CONCLUDED_LICENSE"))) {
          if (type.equals("HAS_DECLARED_LICENSE")) declaredCount++;
          else concludedCount++;
          String property = type.equals("HAS_DECLARED_LICENSE") ? "hasDeclaredLicense" : "hasConcludedLicense";
          for (Element to : r.getTos()) licenseOf(to).ifPresent(e -> declared.add(new Declared(e, id, property)));
        } else if (fromModel && type.equals("DESCENDANT_OF")) {
          for (Element to : r.getTos()) bases.add(v3Base(to, id, "descendantOf"));
        } else if (type.equals("ANCESTOR_OF")) {
          for (Element to : r.getTos()) {
            if (to.getObjectUri().equals(id)) bases.add(v3Base(orElse(r::getFrom, null), id, "ancestorOf"));
          }
        }
      }
      // SPDX 3.0.1 AI profile conformance: exactly one of each license relationship per AIPackage.
      if (declaredCount != 1) {
        problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE,
            "AIPackage " + id + " has " + declaredCount + " hasDeclaredLicense relationships; the AI profile requires exactly one",
            Optional.of(new Position.Path(id + "#hasDeclaredLicense"))));
      }
      if (concludedCount != 1) {
        problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE,
            "AIPackage " + id + " has " + concludedCount + " hasConcludedLicense relationships; the AI profile requires exactly one",
            Optional.of(new Position.Path(id + "#hasConcludedLicense"))));
      }
    }
    for (DatasetPackage ds : datasets) {
      String id = ds.getObjectUri();
      // SPDX 3.0.1 DatasetPackage: builtTime, originatedBy, releaseTime, downloadLocation and
      // primaryPurpose have minCount 1.
      require(problems, id, "DatasetPackage", "builtTime", () -> ds.getBuiltTime().isPresent());
      require(problems, id, "DatasetPackage", "originatedBy", () -> !ds.getOriginatedBys().isEmpty());
      require(problems, id, "DatasetPackage", "releaseTime", () -> ds.getReleaseTime().isPresent());
      require(problems, id, "DatasetPackage", "software_downloadLocation", () -> ds.getDownloadLocation().isPresent());
      require(problems, id, "DatasetPackage", "software_primaryPurpose", () -> ds.getPrimaryPurpose().isPresent());
    }
    if (models.isEmpty()) {
      problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE,
          "the document has no ai_AIPackage element, so it states no model license", Optional.empty()));
    }
    return new Facts("SPDX-3.0.1", declared, bases, problems, Map.of());
  }

  private static Base v3Base(Element e, String modelId, String relationship) {
    if (e == null) return new Base("(unreadable element)", Optional.empty(), modelId, relationship);
    String name = orElse(() -> e.getName().orElse(e.getObjectUri()), e.getObjectUri());
    Optional<String> location = e instanceof org.spdx.library.model.v3_0_1.software.SpdxPackage p
        ? orElse(p::getDownloadLocation, Optional.<String>empty())
        : Optional.empty();
    return new Base(name, location.or(() -> Optional.of(e.getObjectUri())), modelId, relationship);
  }

  private static Optional<String> licenseOf(Element to) {
    if (to instanceof LicenseExpression le) {
      return Optional.ofNullable(orElse(le::getLicenseExpression, null));
    }
    String uri = to.getObjectUri();
    if (uri.startsWith("https://spdx.org/licenses/") || uri.startsWith("http://spdx.org/licenses/")) {
      return Optional.of(LicenseCompareHelper.licenseUriToLicenseId(uri));
    }
    return Optional.of(uri);
  }

  private static void require(List<Problem> problems, String id, String type, String property, Checked<Boolean> present) {
    boolean ok;
    try {
      ok = present.get();
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      ok = false;
    }
    if (!ok && problems.size() < MAX_PROBLEMS) {
      problems.add(new Problem(Severity.WARNING, FindingCode.SBOM_INCOMPLETE,
          type + " " + id + " lacks " + property + ", which SPDX 3.0.1 requires (minCount 1)",
          Optional.of(new Position.Path(id + "#" + property))));
    }
  }

  private static List<TypedValue> items(IModelStore store) {
    try {
      return store.getAllItems(null, null).toList();
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      return List.of();
    }
  }

  @FunctionalInterface
  interface Checked<T> {
    T get() throws InvalidSPDXAnalysisException;
  }

  private static <T> T orElse(Checked<T> f, T fallback) {
    try {
      T v = f.get();
      return v == null ? fallback : v;
    } catch (InvalidSPDXAnalysisException | RuntimeException e) {
      return fallback;
    }
  }

  private static <T> List<T> safeList(Checked<List<T>> f) {
    return orElse(f, List.of());
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.replaceAll("\\s+", " ").strip();
    return m.length() > 300 ? m.substring(0, 299) + "…" : m;
  }

}
