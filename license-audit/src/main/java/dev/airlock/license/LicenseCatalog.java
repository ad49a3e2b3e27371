package dev.airlock.license;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Airlock's shipped license knowledge base ({@code catalog/licenses.yaml}) and license texts
 * ({@code catalog/texts/}), looked up by id, by the spellings model cards use, and by link.
 */
final class LicenseCatalog {
  private static final String BASE = "/dev/airlock/license/catalog/";

  private final Map<String, KnownLicense> byId = new LinkedHashMap<>();
  private final Map<String, KnownLicense> byAlias = new HashMap<>();
  private final Map<String, LicenseCategory> spdxCategories = new HashMap<>();
  private final List<KnownLicense.KnownText> texts = new ArrayList<>();

  private LicenseCatalog() {}

  /** Loads the catalog shipped on the class path. A broken catalog is a build defect: it throws. */
  static LicenseCatalog load() {
    File file;
    try (InputStream in = resource("licenses.yaml")) {
      file = new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .readValue(in, File.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped license catalog licenses.yaml cannot be read: " + e.getMessage(), e);
    }
    ScanCodeFile scancode;
    try (InputStream in = resource(SCANCODE_FILE)) {
      scancode = new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .readValue(in, ScanCodeFile.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped license catalog " + SCANCODE_FILE + " cannot be read: " + e.getMessage(), e);
    }
    LicenseCatalog c = new LicenseCatalog();
    List<KnownLicense> reviewed = file.licenses().stream().map(Entry::toKnownLicense).toList();
    for (KnownLicense l : withScanCodeTexts(reviewed, scancode.licenses())) c.add(l);
    file.spdxCategories().forEach((cat, ids) -> ids.forEach(id -> c.spdxCategories.put(id, LicenseCategory.fromId(cat))));
    return c;
  }

  /** ScanCode LicenseDB's AI-model licenses: which ones and why is in tools/scancode_ai_licenses.py. */
  private static final String SCANCODE_FILE = "scancode-licensedb.yaml";

  /**
   * Adds each ScanCode text to the reviewed entry it belongs to (by id or alias), or makes it an
   * entry of its own whose terms are not reviewed: named exactly, category unknown, so a policy
   * sends it to review.
   */
  private static List<KnownLicense> withScanCodeTexts(List<KnownLicense> reviewed, List<ScanCodeLicense> scancode) {
    Map<String, KnownLicense> byKey = new LinkedHashMap<>();
    for (KnownLicense l : reviewed) byKey.put(l.id(), l);
    for (ScanCodeLicense s : scancode) {
      String id = s.airlockId() != null ? s.airlockId() : s.spdxLicenseKey();
      KnownLicense owner = byKey.get(id);
      if (owner == null) {
        for (KnownLicense l : byKey.values()) if (l.aliases().stream().anyMatch(a -> a.equalsIgnoreCase(id))) owner = l;
      }
      KnownLicense.Part part = s.part() == null ? KnownLicense.Part.LICENSE : part(id, s.part());
      String body = text(s.file());
      KnownLicense.ScanCodeEntry entry = new KnownLicense.ScanCodeEntry(s.key(), s.name(), s.category());
      if (owner == null) {
        List<String> aliases = new ArrayList<>(List.of(s.key(), s.shortName()));
        aliases.addAll(orEmpty(s.aliases()));
        aliases.removeIf(a -> key(a).equals(key(s.name())) || key(a).equals(key(id)));
        owner = new KnownLicense(id, s.name(), LicenseCategory.UNKNOWN,
            new Citation(id, "not reviewed", "Terms not recorded by Airlock yet; ScanCode LicenseDB classifies this license as '" + s.category() + "'."),
            false, true, false, Optional.of(entry), List.copyOf(new java.util.LinkedHashSet<>(aliases)), linksOf(s.links()), List.of(),
            List.of(), List.of(), List.of(), List.of(), Optional.empty());
      }
      KnownLicense o = owner;
      boolean alreadyShipped = o.texts().stream().anyMatch(t -> t.file().equals(s.file()));
      List<KnownLicense.KnownText> texts = new ArrayList<>(o.texts());
      if (!alreadyShipped) {
        texts.add(new KnownLicense.KnownText(o.id(), s.file(), part, body, LicenseText.of(body), "ScanCode LicenseDB " + s.key()));
      }
      byKey.put(o.id(), new KnownLicense(o.id(), o.name(), o.category(), o.categoryReason(), o.spdxListed(), true,
          o.termsReviewed(), o.scancode().isPresent() || part != KnownLicense.Part.LICENSE ? o.scancode() : Optional.of(entry),
          o.aliases(), o.links(), List.copyOf(texts), o.obligations(), o.thresholds(), o.fieldOfUse(), o.territorial(),
          o.governingLaw()));
    }
    return List.copyOf(byKey.values());
  }

  /** Link fragments as the catalog matches them: without scheme and {@code www.}. */
  private static List<String> linksOf(List<String> urls) {
    return orEmpty(urls).stream().map(u -> u.replaceFirst("^https?://", "").replaceFirst("^www\\.", "")).distinct().toList();
  }

  private static KnownLicense.Part part(String id, String part) {
    return switch (part) {
      case "license" -> KnownLicense.Part.LICENSE;
      case "acceptable-use-policy" -> KnownLicense.Part.ACCEPTABLE_USE_POLICY;
      default -> throw new IllegalStateException(id + ": unknown text part '" + part + "'");
    };
  }

  private void add(KnownLicense l) {
    if (byId.putIfAbsent(l.id(), l) != null) throw new IllegalStateException("duplicate license id in catalog: " + l.id());
    byAlias.put(key(l.id()), l);
    byAlias.put(key(l.name()), l);
    for (String a : l.aliases()) {
      KnownLicense prev = byAlias.put(key(a), l);
      if (prev != null && prev != l) throw new IllegalStateException("alias '" + a + "' names both " + prev.id() + " and " + l.id());
    }
    texts.addAll(l.texts());
  }

  Optional<KnownLicense> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** By id, name or any alias, ignoring case and spacing. */
  Optional<KnownLicense> byName(String nameOrId) {
    return Optional.ofNullable(byAlias.get(key(nameOrId)));
  }

  /** The entry whose link appears in this URL (e.g. a card's {@code license_link}). */
  Optional<KnownLicense> byLink(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    KnownLicense best = null;
    int bestLength = 0;
    for (KnownLicense l : byId.values()) {
      for (String link : l.links()) {
        String k = link.toLowerCase(Locale.ROOT);
        if (u.contains(k) && k.length() > bestLength) {
          best = l;
          bestLength = k.length();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** The category of an SPDX-listed license that has no full entry, if the catalog classifies it. */
  Optional<LicenseCategory> spdxCategory(String spdxId) {
    return Optional.ofNullable(spdxCategories.get(spdxId));
  }

  List<KnownLicense.KnownText> texts() {
    return texts;
  }

  List<KnownLicense> licenses() {
    return List.copyOf(byId.values());
  }

  private static String key(String s) {
    return s.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_]+", " ");
  }

  private static InputStream resource(String name) {
    InputStream in = LicenseCatalog.class.getResourceAsStream(BASE + name);
    if (in == null) throw new IllegalStateException("the shipped license catalog lacks " + BASE + name);
    return in;
  }

  private static String text(String file) {
    try (InputStream in = resource("texts/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // The YAML's shape. Field names follow the file (snake_case).

  record File(List<Entry> licenses, @JsonProperty("spdx_categories") Map<String, List<String>> spdxCategories) {
    File {
      spdxCategories = Objects.requireNonNullElse(spdxCategories, Map.of());
    }
  }

  record Clause(String clause, String quote) {}

  record ScanCodeFile(Map<String, String> source, List<ScanCodeLicense> licenses) {}

  record ScanCodeLicense(
      String key,
      String name,
      @JsonProperty("short_name") String shortName,
      String category,
      @JsonProperty("spdx_license_key") String spdxLicenseKey,
      String owner,
      String file,
      List<String> links,
      List<String> aliases,
      @JsonProperty("airlock_id") String airlockId,
      String part) {}

  record TextRef(String file, String part) {}

  record ObligationEntry(String kind, String description, String clause, String quote) {}

  record ThresholdEntry(String metric, long limit, String consequence, String clause, String quote) {}

  record FieldEntry(String field, String description, String clause, String quote) {}

  record TerritoryEntry(String territory, String scope, String description, String clause, String quote) {}

  record LawEntry(String jurisdiction, String clause, String quote) {}

  record Entry(
      String id,
      String name,
      String category,
      @JsonProperty("category_reason") Clause categoryReason,
      @JsonProperty("spdx_listed") boolean spdxListed,
      @JsonProperty("text_shipped") Boolean textShipped,
      List<String> aliases,
      List<String> links,
      List<TextRef> texts,
      List<ObligationEntry> obligations,
      List<ThresholdEntry> thresholds,
      @JsonProperty("field_of_use") List<FieldEntry> fieldOfUse,
      List<TerritoryEntry> territorial,
      @JsonProperty("governing_law") LawEntry governingLaw) {

    KnownLicense toKnownLicense() {
      Objects.requireNonNull(id, "a catalog entry has no id");
      Objects.requireNonNull(categoryReason, id + ": category_reason is required");
      List<KnownLicense.KnownText> known = new ArrayList<>();
      for (TextRef t : orEmpty(texts)) {
        String body = text(t.file());
        known.add(new KnownLicense.KnownText(id, t.file(), part(id, t.part()), body, LicenseText.of(body), "Airlock"));
      }
      return new KnownLicense(
          id,
          name,
          LicenseCategory.fromId(category),
          new Citation(id, categoryReason.clause(), categoryReason.quote()),
          spdxListed,
          textShipped == null || textShipped,
          textShipped == null || textShipped,
          Optional.empty(),
          orEmpty(aliases),
          orEmpty(links),
          known,
          orEmpty(obligations).stream()
              .map(o -> new Obligation(id, Obligation.Kind.valueOf(o.kind().toUpperCase(Locale.ROOT).replace('-', '_')),
                  o.description(), new Citation(id, o.clause(), o.quote())))
              .toList(),
          orEmpty(thresholds).stream()
              .map(t -> new Threshold(id, Threshold.Metric.valueOf(t.metric().toUpperCase(Locale.ROOT)), t.limit(),
                  t.consequence(), new Citation(id, t.clause(), t.quote())))
              .toList(),
          orEmpty(fieldOfUse).stream()
              .map(f -> new FieldOfUseRestriction(id, f.field(), f.description(), new Citation(id, f.clause(), f.quote())))
              .toList(),
          orEmpty(territorial).stream()
              .map(t -> new TerritorialRestriction(id, t.territory(), t.scope(), t.description(),
                  new Citation(id, t.clause(), t.quote())))
              .toList(),
          Optional.ofNullable(governingLaw)
              .map(g -> new GoverningLaw(id, g.jurisdiction(), new Citation(id, g.clause(), g.quote()))));
    }
  }

  private static <T> List<T> orEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }
}
