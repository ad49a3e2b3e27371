package dev.airlock.license;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import dev.airlock.vault.metadata.CardField;
import dev.airlock.vault.metadata.GgufFile;
import dev.airlock.vault.metadata.GgufReader;
import dev.airlock.vault.metadata.ModelCard;
import dev.airlock.vault.metadata.ModelCardReader;
import dev.airlock.vault.metadata.ModelFileException;

/**
 * Gathers the license facts of a model: what its card, SBOMs and license files declare, which
 * license texts it ships, which models it derives from, and what all of that obliges a user to
 * do. Facts only: whether that is acceptable is the policies module's verdict.
 *
 * <p>Bad input never throws: an unreadable SBOM, a binary file named LICENSE or a license id
 * that does not parse become findings in the report, with their evidence.
 */
public final class LicenseAudit {
  /**
   * License files larger than this are read only up to it. The longest license texts in use
   * (GPL-3.0, CC-BY-NC-4.0, the Llama agreements) are under 40 KiB; 1 MiB leaves ample margin.
   */
  static final int MAX_LICENSE_BYTES = 1024 * 1024;
  /** Model cards larger than this are read only up to it; the front matter comes first. */
  static final int MAX_CARD_BYTES = 1024 * 1024;
  /** SBOMs larger than this are not parsed: a model's SBOM is kilobytes, not tens of megabytes. */
  static final int MAX_SBOM_BYTES = 32 * 1024 * 1024;

  /** Id for a license Airlock cannot name (an unknown or modified text, an id nobody knows). */
  public static final String UNIDENTIFIED = "LicenseRef-airlock-unidentified";

  private static final Pattern LICENSE_FILE =
      Pattern.compile("(?i)^(licen[cs]e|copying|notice|use_policy|acceptable[-_]use[-_]policy)([-_.][^/]*)?$");
  private static final Pattern CARD_FILE = Pattern.compile("(?i)^(readme|modelcard|model_card)\\.md$");
  private static final Pattern GGUF_FILE = Pattern.compile("(?i).*\\.gguf$");
  private static final Pattern SBOM_FILE = Pattern.compile("(?i).*(\\.spdx\\.json|\\.spdx3\\.json|\\.spdx\\.jsonld|sbom[^/]*\\.json)$");

  private static volatile LicenseAudit shared;

  private final LicenseCatalog catalog;
  private final ModelFamilies families;
  private final LicenseResolver resolver;
  private final TextIdentifier identifier;

  private LicenseAudit(LicenseCatalog catalog) {
    this.catalog = catalog;
    this.families = ModelFamilies.load(catalog);
    this.resolver = new LicenseResolver(catalog);
    this.identifier = new TextIdentifier(catalog);
  }

  /**
   * Scans a model directory (its top-level files; weights are never read), or an Airlock bundle
   * file (its model card, license files and SBOMs, without importing or verifying it), and
   * reports its license facts.
   *
   * @throws IllegalArgumentException if {@code model} is neither a directory nor an Airlock bundle
   */
  public static LicenseReport scan(Path model) {
    if (Files.isRegularFile(model)) return BundleScan.scan(shared(), model);
    return shared().scanDirectory(model);
  }

  /** Loads the catalogs and builds the SPDX index now, so the first scan is as fast as the rest. */
  public static void warmUp() {
    shared();
    SpdxLicenseList.warmUp();
  }

  static LicenseAudit shared() {
    LicenseAudit a = shared;
    if (a == null) {
      synchronized (LicenseAudit.class) {
        a = shared;
        if (a == null) {
          a = new LicenseAudit(LicenseCatalog.load());
          shared = a;
        }
      }
    }
    return a;
  }

  LicenseCatalog catalog() {
    return catalog;
  }

  ModelFamilies families() {
    return families;
  }

  TextIdentifier identifier() {
    return identifier;
  }

  LicenseReport scanDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is neither a directory nor a bundle: give the model directory to scan (the one holding its LICENSE and README.md) or an Airlock bundle file");
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    Scan scan = new Scan(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString());
    List<Path> files = new ArrayList<>();
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (Files.isSymbolicLink(p)) {
        // A link can point anywhere on the machine: what it names is not part of the model.
        if (CARD_FILE.matcher(name).matches() || SBOM_FILE.matcher(name).matches() || LICENSE_FILE.matcher(name).matches()
            || GGUF_FILE.matcher(name).matches()) {
          scan.finding(Severity.WARNING, FindingCode.METADATA_UNREADABLE,
              name + " is a symbolic link; Airlock does not follow links out of a model directory, so it was not read. Replace the link with the file itself.",
              Evidence.of(name, ""));
        }
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        files.add(p);
      }
    }
    // Declarations first (card, SBOM, GGUF), then the license files that may contradict them.
    for (int pass = 0; pass < 2; pass++) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          if (pass == 0 && CARD_FILE.matcher(name).matches()) readCard(scan, name, f);
          else if (pass == 0 && SBOM_FILE.matcher(name).matches()) readSbom(scan, name, f);
          else if (pass == 0 && GGUF_FILE.matcher(name).matches()) readGguf(scan, name, f);
          else if (pass == 1 && LICENSE_FILE.matcher(name).matches()) readLicenseFile(scan, name, f);
        } catch (ModelFileException e) {
          scan.finding(Severity.WARNING, FindingCode.METADATA_UNREADABLE,
              e.getMessage() + ". The license facts it may hold were not read.", Evidence.of(name, ""));
        } catch (IOException e) {
          scan.finding(Severity.ERROR, FindingCode.METADATA_UNREADABLE,
              name + " cannot be read: " + e.getMessage() + ". Check the file's permissions and rerun the scan.", Evidence.of(name, ""));
        }
      }
    }
    return scan.report(this);
  }

  // ---- the model card ------------------------------------------------------------------------

  private void readCard(Scan scan, String name, Path f) throws IOException {
    ModelCard card = ModelCardReader.read(f, name);
    Optional<CardField> licenseName = card.licenseName();
    Optional<CardField> licenseLink = card.licenseLink();
    for (CardField v : card.values("license")) {
      Evidence ev = evidence(v.evidence());
      if (v.value().equalsIgnoreCase("other")) {
        Optional<LicenseResolver.ResolvedLicense> byName = licenseName.flatMap(n -> resolver.single(n.value()));
        Optional<LicenseResolver.ResolvedLicense> byLink = licenseLink.flatMap(l -> resolver.byLink(l.value()));
        List<Evidence> all = new ArrayList<>(List.of(ev));
        licenseName.ifPresent(n -> all.add(evidence(n.evidence())));
        licenseLink.ifPresent(l -> all.add(evidence(l.evidence())));
        if (byName.or(() -> byLink).isPresent()) {
          scan.declared(byName.or(() -> byLink).get(), "the model card (license: other, "
              + (byName.isPresent() ? "license_name: " + licenseName.get().value() : "license_link: " + licenseLink.get().value()) + ")", all);
        } else if (licenseName.isPresent()) {
          scan.unknownDeclared(licenseName.get().value(), "the model card's license_name", all);
        } else {
          scan.unknownDeclared("other", "the model card (license: other, with no license_name Airlock knows)", all);
        }
        continue;
      }
      scan.resolveDeclared(resolver, v.value(), "the model card", List.of(ev));
    }
    // Lineage: base_model (one or more) and how this model derives from it.
    List<CardField> bases = card.baseModels();
    Optional<CardField> relationValue = card.baseModelRelation();
    BaseModelRelation relation = relationValue.flatMap(r -> BaseModelRelation.parse(r.value())).orElse(null);
    if (relationValue.isPresent() && relation == null) {
      scan.finding(Severity.WARNING, FindingCode.METADATA_UNREADABLE,
          "base_model_relation '" + relationValue.get().value()
              + "' is not one of finetune, adapter, quantized, merge (or distillation); the relation is treated as unspecified",
          evidence(relationValue.get().evidence()));
    }
    if (relation == null) {
      boolean distilled = card.tags().stream().anyMatch(t -> t.value().toLowerCase(Locale.ROOT).startsWith("distill"));
      relation = distilled ? BaseModelRelation.DISTILLATION : bases.size() > 1 ? BaseModelRelation.MERGE : BaseModelRelation.UNSPECIFIED;
    }
    for (CardField b : bases) scan.base(b.value(), relation, evidence(b.evidence()));
  }

  // ---- GGUF headers --------------------------------------------------------------------------

  private void readGguf(Scan scan, String name, Path f) throws IOException {
    GgufFile gguf = GgufReader.read(f, name);
    gguf.license().ifPresent(l -> scan.resolveDeclared(resolver, l, "the GGUF header of " + name,
        List.of(evidence(gguf.evidence("general.license").orElseThrow()))));
    for (GgufFile.GgufBaseModel b : gguf.baseModels()) {
      String base = b.repoUrl().filter(u -> u.contains("huggingface.co/")).map(LicenseAudit::hubRepo)
          .or(() -> b.organization().flatMap(o -> b.name().map(n -> o + "/" + n)))
          .or(() -> b.name())
          .orElse(b.repoUrl().orElse("unnamed base model " + b.index()));
      scan.base(base, BaseModelRelation.UNSPECIFIED, evidence(b.evidence()));
    }
  }

  /** Model-vault's evidence in this report's terms. */
  static Evidence evidence(dev.airlock.vault.metadata.Evidence e) {
    Position p = e.line().isPresent() ? new Position.Line(e.line().getAsInt()) : new Position.Path(e.locator());
    return Evidence.at(e.file(), p, e.excerpt());
  }

  // ---- license files -------------------------------------------------------------------------

  private void readLicenseFile(Scan scan, String name, Path f) throws IOException {
    BoundedText read = BoundedText.read(f, MAX_LICENSE_BYTES);
    if (read instanceof BoundedText.NotText nt) {
      scan.finding(Severity.ERROR, FindingCode.LICENSE_FILE_NOT_TEXT,
          name + " is named like a license file but holds " + nt.reason() + " (" + nt.size()
              + " bytes). Expected license text; replace it with the model's license text.",
          Evidence.at(name, new Position.ByteOffset(0), ""));
      scan.unidentified(name + " (not text)", List.of(Evidence.of(name, "")));
      return;
    }
    BoundedText.Text t = (BoundedText.Text) read;
    if (t.truncated()) {
      scan.finding(Severity.WARNING, FindingCode.LICENSE_FILE_TRUNCATED,
          name + " is " + t.size() + " bytes; only its first " + MAX_LICENSE_BYTES + " bytes were examined. A license file this large is unusual: check what it holds.",
          Evidence.at(name, new Position.ByteOffset(MAX_LICENSE_BYTES), ""));
    }
    boolean notice = name.toUpperCase(Locale.ROOT).startsWith("NOTICE");
    if (LicenseText.words(t.text()).isEmpty()) {
      scan.finding(Severity.WARNING, FindingCode.LICENSE_TEXT_UNKNOWN, name + " is empty.", Evidence.of(name, ""));
      return;
    }
    int firstLine = firstTextLine(t.text());
    Evidence head = Evidence.at(name, new Position.LineColumn(firstLine, 1), line(t.text(), firstLine));
    switch (identifier.identify(t.text())) {
      case TextIdentifier.Identification.Identified id -> {
        String what = id.part() == KnownLicense.Part.LICENSE ? id.name() : "the acceptable use policy of the " + id.name();
        scan.finding(Severity.INFO, FindingCode.LICENSE_TEXT_IDENTIFIED,
            name + " is " + what + " (" + id.licenseId() + "), matched against the " + id.via() + ".", head);
        if (!notice) {
          LicenseResolver.ResolvedLicense r = resolver.single(id.licenseId())
              .orElse(new LicenseResolver.ResolvedLicense(id.licenseId(), id.name(), LicenseCategory.UNKNOWN, Optional.empty()));
          scan.detected(r, id.part(), List.of(head));
        }
      }
      case TextIdentifier.Identification.Similar s -> {
        scan.finding(Severity.WARNING, FindingCode.LICENSE_TEXT_SIMILAR,
            name + " is similar to " + s.name() + " (" + s.licenseId() + ", " + score(s.score())
                + ") but not the same text: it is not taken as that license. A person must read the differences"
                + (s.differences().isEmpty() ? "." : ": " + String.join("; ", s.differences())),
            head);
        scan.unidentified(name + " (similar to " + s.licenseId() + ", " + score(s.score()) + ")", List.of(head));
      }
      case TextIdentifier.Identification.Unknown u -> {
        if (notice) {
          List<Obligation> carried = attributionNoticesIn(t.text());
          if (carried.isEmpty()) {
            scan.finding(Severity.INFO, FindingCode.LICENSE_TEXT_UNKNOWN, name + " holds notices, not a license text Airlock knows.", head);
          }
          for (Obligation o : carried) {
            scan.finding(Severity.INFO, FindingCode.LICENSE_TEXT_IDENTIFIED,
                name + " carries the attribution notice that " + catalog.byId(o.licenseId()).map(KnownLicense::name).orElse(o.licenseId())
                    + " requires (" + o.citation().clause() + ").", head);
          }
        } else {
          scan.finding(Severity.WARNING, FindingCode.LICENSE_TEXT_UNKNOWN,
              name + " matches no license Airlock knows (closest similarity " + score(u.bestScore())
                  + "). A person must read it.",
              head);
          scan.unidentified(name, List.of(head));
        }
      }
    }
  }

  /** Attribution obligations whose required notice text appears, word for word, in this text. */
  private List<Obligation> attributionNoticesIn(String text) {
    String words = " " + String.join(" ", LicenseText.words(text)) + " ";
    List<Obligation> out = new ArrayList<>();
    for (KnownLicense k : catalog.licenses()) {
      for (Obligation o : k.obligations()) {
        if (o.kind() != Obligation.Kind.ATTRIBUTION) continue;
        var m = QUOTED_NOTICE.matcher(o.citation().quote());
        String notice = null;
        while (m.find()) notice = m.group(1);
        if (notice == null || notice.length() < MIN_NOTICE_CHARS) continue;
        if (words.contains(" " + String.join(" ", LicenseText.words(notice)) + " ")) out.add(o);
      }
    }
    return out;
  }

  /** A notice quoted inside a clause, in straight or curly quotes. */
  private static final Pattern QUOTED_NOTICE = Pattern.compile("[\"“]([^\"“”]+)[\"”]");
  /** Shorter quoted phrases ("Notice", "Built with Llama") are labels, not notices to carry. */
  private static final int MIN_NOTICE_CHARS = 40;

  // ---- SBOMs ---------------------------------------------------------------------------------

  private void readSbom(Scan scan, String name, Path f) throws IOException {
    long size = Files.size(f);
    if (size > MAX_SBOM_BYTES) {
      scan.finding(Severity.ERROR, FindingCode.SBOM_MALFORMED,
          name + " is " + size + " bytes, more than the " + MAX_SBOM_BYTES + " Airlock reads for an SBOM; it was not parsed.",
          Evidence.of(name, ""));
      return;
    }
    byte[] bytes = Files.readAllBytes(f);
    SbomReader.Facts facts = SbomReader.read(bytes);
    for (SbomReader.Problem p : facts.problems()) {
      scan.finding(p.severity(), p.code(), name + " (" + facts.specVersion() + "): " + p.message(),
          new Evidence(name, p.position(), ""));
    }
    for (SbomReader.Declared d : facts.declared()) {
      Evidence ev = Evidence.at(name, new Position.Path(d.element() + "#" + d.property()), d.property() + ": " + d.expression());
      if (resolver.resolve(d.expression()) instanceof LicenseResolver.Resolved.UnknownIds u
          && facts.extractedTexts().keySet().containsAll(u.ids())) {
        declaredByExtractedText(scan, name, d, u.ids(), facts.extractedTexts(), ev);
      } else {
        scan.resolveDeclared(resolver, d.expression(), "the SBOM " + name, List.of(ev));
      }
    }
    for (SbomReader.Base b : facts.bases()) {
      String base = b.location().filter(l -> l.contains("huggingface.co/")).map(LicenseAudit::hubRepo).orElse(b.name());
      Evidence ev = Evidence.at(name, new Position.Path(b.element() + "#" + b.relationship()), b.relationship() + ": " + b.name());
      scan.base(base, BaseModelRelation.UNSPECIFIED, ev);
    }
  }

  /**
   * An SBOM's own {@code LicenseRef-} ids name nothing Airlock knows, but the SBOM carries their
   * texts: those texts are identified like a license file.
   */
  private void declaredByExtractedText(Scan scan, String name, SbomReader.Declared d, List<String> ids,
      Map<String, String> texts, Evidence ev) {
    String source = "the SBOM " + name;
    for (String id : ids) {
      Evidence textEv = Evidence.at(name, new Position.Path(id + "#extractedText"), texts.get(id));
      switch (identifier.identify(texts.get(id))) {
        case TextIdentifier.Identification.Identified i when i.part() == KnownLicense.Part.LICENSE -> {
          scan.finding(Severity.INFO, FindingCode.LICENSE_TEXT_IDENTIFIED,
              source + " names " + id + " and carries its text, which is " + i.name() + " (" + i.licenseId() + "), matched against the " + i.via() + ".",
              List.of(ev, textEv));
          resolver.single(i.licenseId()).ifPresent(r -> scan.declared(r, source + " (" + d.property() + " " + id + ")", List.of(ev, textEv)));
        }
        case TextIdentifier.Identification.Similar sim -> {
          scan.finding(Severity.WARNING, FindingCode.LICENSE_TEXT_SIMILAR,
              source + " names " + id + "; its text is similar to " + sim.name() + " (" + sim.licenseId() + ", " + score(sim.score())
                  + ") but not the same: it is not taken as that license. A person must read the differences"
                  + (sim.differences().isEmpty() ? "." : ": " + String.join("; ", sim.differences())),
              List.of(ev, textEv));
          scan.unidentified(id + " in " + name + " (similar to " + sim.licenseId() + ", " + score(sim.score()) + ")", List.of(ev, textEv));
        }
        default -> scan.unknownDeclared(id, source, List.of(ev, textEv));
      }
    }
  }

  private static String hubRepo(String url) {
    String rest = url.substring(url.indexOf("huggingface.co/") + "huggingface.co/".length());
    String[] parts = rest.split("/");
    return parts.length >= 2 ? parts[0] + "/" + parts[1] : rest;
  }

  /** A similarity score, rounded down: a near match must never print as 1.000. */
  static String score(double s) {
    return String.format(Locale.ROOT, "%.3f", Math.floor(s * 1000) / 1000);
  }

  // ---- helpers -------------------------------------------------------------------------------

  static String line(String text, int oneBased) {
    int start = 0;
    for (int i = 1; i < oneBased; i++) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) return "";
      start = nl + 1;
    }
    int end = text.indexOf('\n', start);
    return (end < 0 ? text.substring(start) : text.substring(start, end)).strip();
  }

  private static int firstTextLine(String text) {
    String stripped = LicenseText.stripScanCodeHeader(text);
    int offset = text.length() - stripped.length();
    int line = 1;
    for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') line++;
    String[] lines = stripped.split("\n", -1);
    for (String l : lines) {
      if (!l.isBlank()) return line;
      line++;
    }
    return 1;
  }

  /** Everything found during one scan, turned into a report at the end. */
  static final class Scan {
    private final String model;
    private final List<Finding> findings = new ArrayList<>();
    private final Map<String, EffectiveBuilder> effective = new LinkedHashMap<>();
    /** License ids declared by each source (card, SBOM): conflicts between them are findings. */
    private final Map<String, Set<String>> declaredBySource = new LinkedHashMap<>();
    private final Map<String, List<Evidence>> declaredEvidence = new LinkedHashMap<>();
    private final Set<String> detectedIds = new LinkedHashSet<>();
    private final List<Evidence> detectedEvidence = new ArrayList<>();
    private final Map<String, BaseBuilder> bases = new LinkedHashMap<>();
    private final Map<String, KnownLicense> terms = new LinkedHashMap<>();
    private boolean anyLicense;

    Scan(String model) {
      this.model = model;
    }

    void finding(Severity s, FindingCode c, String message, Evidence e) {
      findings.add(new Finding(s, c, message, e));
    }

    void finding(Severity s, FindingCode c, String message, List<Evidence> e) {
      findings.add(new Finding(s, c, message, e));
    }

    void resolveDeclared(LicenseResolver resolver, String raw, String source, List<Evidence> ev) {
      switch (resolver.resolve(raw)) {
        case LicenseResolver.Resolved.Licenses l -> {
          for (LicenseResolver.ResolvedLicense r : l.licenses()) declared(r, source, ev);
          if (l.choice()) {
            finding(Severity.INFO, FindingCode.LICENSE_DECLARED,
                source + " offers a choice of licenses (" + raw + "); each is listed, and the user may pick one.", ev);
          }
        }
        case LicenseResolver.Resolved.Invalid i -> {
          anyLicense = true;
          finding(Severity.ERROR, FindingCode.LICENSE_EXPRESSION_INVALID,
              source + " declares license '" + raw + "', which does not parse: " + i.message()
                  + ". Expected an SPDX license id or expression (e.g. Apache-2.0, MIT OR Apache-2.0) or a license Airlock knows.",
              ev);
          unidentified("'" + raw + "' declared by " + source, EffectiveLicense.Basis.DECLARED, ev);
        }
        case LicenseResolver.Resolved.UnknownIds u -> unknownDeclared(String.join(", ", u.ids()), source, ev);
        case LicenseResolver.Resolved.NoAssertion n -> finding(Severity.INFO, FindingCode.LICENSE_DECLARED,
            source + " makes no assertion about the license ('" + raw + "').", ev);
      }
    }

    void declared(LicenseResolver.ResolvedLicense r, String source, List<Evidence> ev) {
      anyLicense = true;
      String sourceKey = source.startsWith("the model card") ? "the model card" : source;
      declaredBySource.computeIfAbsent(sourceKey, k -> new LinkedHashSet<>()).add(r.id());
      declaredEvidence.computeIfAbsent(sourceKey, k -> new ArrayList<>()).addAll(ev);
      finding(Severity.INFO, FindingCode.LICENSE_DECLARED, source + " declares " + r.name() + " (" + r.id() + ").", ev);
      effective(r, EffectiveLicense.Basis.DECLARED, EffectiveLicense.THIS_MODEL, ev);
    }

    void unknownDeclared(String raw, String source, List<Evidence> ev) {
      anyLicense = true;
      finding(Severity.WARNING, FindingCode.LICENSE_ID_UNKNOWN,
          source + " names license '" + raw + "', which is neither on the SPDX list nor in Airlock's catalog. A person must read the license.",
          ev);
      unidentified("'" + raw + "' declared by " + source, EffectiveLicense.Basis.DECLARED, ev);
    }

    void detected(LicenseResolver.ResolvedLicense r, KnownLicense.Part part, List<Evidence> ev) {
      anyLicense = true;
      if (part == KnownLicense.Part.LICENSE) {
        detectedIds.add(r.id());
        detectedEvidence.addAll(ev);
      }
      effective(r, EffectiveLicense.Basis.DETECTED, EffectiveLicense.THIS_MODEL, ev);
    }

    /** A license text Airlock cannot name (found in a file). */
    void unidentified(String what, List<Evidence> ev) {
      unidentified(what, EffectiveLicense.Basis.DETECTED, ev);
    }

    void unidentified(String what, EffectiveLicense.Basis basis, List<Evidence> ev) {
      anyLicense = true;
      EffectiveBuilder b = effective.computeIfAbsent(UNIDENTIFIED + "|" + what, k -> new EffectiveBuilder(
          UNIDENTIFIED, "Unidentified license: " + what, LicenseCategory.UNKNOWN, basis, EffectiveLicense.THIS_MODEL));
      b.evidence.addAll(ev);
    }

    void base(String name, BaseModelRelation relation, Evidence ev) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      BaseBuilder b = bases.computeIfAbsent(key, k -> new BaseBuilder(name.strip(), relation));
      if (b.relation == BaseModelRelation.UNSPECIFIED) b.relation = relation;
      b.evidence.add(ev);
    }

    private void effective(LicenseResolver.ResolvedLicense r, EffectiveLicense.Basis basis, String through, List<Evidence> ev) {
      EffectiveBuilder b = effective.computeIfAbsent(r.id() + "|" + through,
          k -> new EffectiveBuilder(r.id(), r.name(), r.category(), basis, through));
      b.evidence.addAll(ev);
      r.known().ifPresent(k -> terms.putIfAbsent(k.id(), k));
    }

    LicenseReport report(LicenseAudit audit) {
      // Lineage: every base resolved through the family catalog; its license binds this model.
      List<LineageEntry> lineage = new ArrayList<>();
      for (BaseBuilder b : bases.values()) {
        Optional<ModelFamily> family = audit.families.resolve(b.name);
        lineage.add(new LineageEntry(b.name, b.relation, family, b.evidence));
        if (family.isEmpty()) {
          finding(Severity.WARNING, FindingCode.BASE_MODEL_UNKNOWN,
              "base model " + b.name + " (" + b.relation.describe() + ") is not in Airlock's catalog of model families, so the license it carries is unknown. A person must check the base model's license.",
              b.evidence);
          EffectiveBuilder u = effective.computeIfAbsent(UNIDENTIFIED + "|" + b.name, k -> new EffectiveBuilder(
              UNIDENTIFIED, "Unknown license of base model " + b.name, LicenseCategory.UNKNOWN, EffectiveLicense.Basis.INHERITED, b.name));
          u.evidence.addAll(b.evidence);
          continue;
        }
        ModelFamily f = family.get();
        finding(Severity.INFO, FindingCode.BASE_MODEL_RESOLVED,
            "base model " + b.name + " (" + b.relation.describe() + ") is " + f.name() + " by " + f.publisher() + " (" + f.originCountry() + "), released under " + f.licenseId() + ".",
            b.evidence);
        LicenseResolver.ResolvedLicense inherited = audit.resolver.single(f.licenseId()).orElseThrow();
        Set<String> own = new LinkedHashSet<>();
        declaredBySource.values().forEach(own::addAll);
        own.addAll(detectedIds);
        boolean differs = !own.isEmpty() && !own.contains(inherited.id());
        finding(differs ? Severity.WARNING : Severity.INFO, FindingCode.LICENSE_INHERITED,
            "as a " + b.relation.describe() + " of " + b.name + ", this model is bound by " + inherited.name() + " (" + inherited.id() + ")"
                + (differs ? ", whatever it declares itself (" + String.join(", ", own) + ")." : "."),
            b.evidence);
        effective(inherited, EffectiveLicense.Basis.INHERITED, b.name, b.evidence);
      }
      // Conflicts: sources that disagree, and a license text that is not what was declared.
      List<String> sources = new ArrayList<>(declaredBySource.keySet());
      for (int i = 0; i < sources.size(); i++) {
        for (int j = i + 1; j < sources.size(); j++) {
          Set<String> a = declaredBySource.get(sources.get(i));
          Set<String> b = declaredBySource.get(sources.get(j));
          if (!a.equals(b)) {
            List<Evidence> ev = new ArrayList<>(declaredEvidence.get(sources.get(i)));
            ev.addAll(declaredEvidence.get(sources.get(j)));
            finding(Severity.ERROR, FindingCode.LICENSE_CONFLICT,
                sources.get(i) + " declares " + String.join(", ", a) + " but " + sources.get(j) + " declares " + String.join(", ", b)
                    + ". Both are listed as effective; find out which is right and correct the other.",
                ev);
          }
        }
      }
      Set<String> declaredIds = new LinkedHashSet<>();
      declaredBySource.values().forEach(declaredIds::addAll);
      if (!declaredIds.isEmpty()) {
        for (String d : detectedIds) {
          if (!declaredIds.contains(d)) {
            List<Evidence> ev = new ArrayList<>();
            declaredEvidence.values().forEach(ev::addAll);
            ev.addAll(detectedEvidence);
            finding(Severity.ERROR, FindingCode.LICENSE_CONFLICT,
                "the model declares " + String.join(", ", declaredIds) + " but its license file is " + d
                    + ". The license text shipped with the weights binds: both are listed as effective until the declaration is corrected.",
                ev);
          }
        }
      }
      if (!anyLicense && bases.isEmpty()) {
        finding(Severity.ERROR, FindingCode.NO_LICENSE,
            "no license found: no license in the model card or SBOM, and no LICENSE, COPYING or NOTICE file. Without a license there is no right to use the model; ask the publisher for one.",
            List.of());
        effective.put(EffectiveLicense.NOASSERTION, new EffectiveBuilder(EffectiveLicense.NOASSERTION, "No license found",
            LicenseCategory.UNKNOWN, EffectiveLicense.Basis.DECLARED, EffectiveLicense.THIS_MODEL));
      }
      // Terms of every effective license the knowledge base knows.
      List<Obligation> obligations = new ArrayList<>();
      List<Threshold> thresholds = new ArrayList<>();
      List<FieldOfUseRestriction> fieldOfUse = new ArrayList<>();
      List<TerritorialRestriction> territorial = new ArrayList<>();
      List<GoverningLaw> law = new ArrayList<>();
      for (KnownLicense k : terms.values()) {
        obligations.addAll(k.obligations());
        thresholds.addAll(k.thresholds());
        fieldOfUse.addAll(k.fieldOfUse());
        territorial.addAll(k.territorial());
        k.governingLaw().ifPresent(law::add);
        if (k.textShipped() && !k.termsReviewed()) {
          List<Evidence> ev = effective.values().stream().filter(e -> e.id.equals(k.id())).flatMap(e -> e.evidence.stream()).toList();
          finding(Severity.WARNING, FindingCode.LICENSE_TERMS_NOT_REVIEWED,
              k.name() + " (" + k.id() + ") is identified, but Airlock has not recorded its terms yet"
                  + k.scancode().map(sc -> " (ScanCode LicenseDB key " + sc.key() + ", category '" + sc.category() + "')").orElse("")
                  + ": its obligations, thresholds and restrictions are not listed. A person must review it.",
              ev);
        }
        if (!k.textShipped()) {
          List<Evidence> ev = effective.values().stream().filter(e -> e.id.equals(k.id())).flatMap(e -> e.evidence.stream()).toList();
          finding(Severity.WARNING, FindingCode.LICENSE_TEXT_NOT_SHIPPED,
              k.name() + " (" + k.id() + ") is known by name only: Airlock does not ship its text, so its obligations, thresholds and restrictions are not listed. A person must review it.",
              ev);
        }
      }
      List<EffectiveLicense> effectiveLicenses = effective.values().stream()
          .map(b -> new EffectiveLicense(b.id, b.name, b.category, b.basis, b.through, dedupe(b.evidence)))
          .toList();
      return new LicenseReport(model, effectiveLicenses, lineage, obligations, thresholds, fieldOfUse, territorial, law, findings);
    }

    private static List<Evidence> dedupe(List<Evidence> ev) {
      return List.copyOf(new LinkedHashSet<>(ev));
    }
  }

  private static final class EffectiveBuilder {
    final String id;
    final String name;
    final LicenseCategory category;
    final EffectiveLicense.Basis basis;
    final String through;
    final List<Evidence> evidence = new ArrayList<>();

    EffectiveBuilder(String id, String name, LicenseCategory category, EffectiveLicense.Basis basis, String through) {
      this.id = id;
      this.name = name;
      this.category = category;
      this.basis = basis;
      this.through = through;
    }
  }

  private static final class BaseBuilder {
    final String name;
    BaseModelRelation relation;
    final List<Evidence> evidence = new ArrayList<>();

    BaseBuilder(String name, BaseModelRelation relation) {
      this.name = name;
      this.relation = relation;
    }
  }
}
