package dev.airlock.license;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Airlock's shipped catalog of well-known model families ({@code catalog/model-families.yaml}). */
final class ModelFamilies {
  private static final String RESOURCE = "/dev/airlock/license/catalog/model-families.yaml";

  private record Entry(ModelFamily family, List<Pattern> patterns) {}

  record File(List<FamilyEntry> families) {}

  record FamilyEntry(
      String id,
      String name,
      String publisher,
      @JsonProperty("origin_country") String originCountry,
      String license,
      String note,
      List<String> match) {}

  private final List<Entry> entries;

  private ModelFamilies(List<Entry> entries) {
    this.entries = entries;
  }

  static ModelFamilies load(LicenseCatalog catalog) {
    File file;
    try (InputStream in = ModelFamilies.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("the shipped model family catalog " + RESOURCE + " is missing");
      file = new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .readValue(in, File.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped model family catalog cannot be read: " + e.getMessage(), e);
    }
    List<Entry> entries = file.families().stream().map(f -> {
      if (catalog.byId(f.license()).isEmpty() && SpdxLicenseList.listedId(f.license()).isEmpty()) {
        throw new IllegalStateException("model family " + f.id() + " names license " + f.license() + ", which is in no catalog");
      }
      return new Entry(new ModelFamily(f.id(), f.name(), f.publisher(), f.originCountry(), f.license()),
          f.match().stream().map(p -> Pattern.compile(p, Pattern.CASE_INSENSITIVE)).toList());
    }).toList();
    return new ModelFamilies(entries);
  }

  /** The family a model name or repository id belongs to; the first matching entry wins. */
  Optional<ModelFamily> resolve(String modelName) {
    String n = modelName.strip();
    for (Entry e : entries) {
      for (Pattern p : e.patterns()) {
        if (p.matcher(n).find()) return Optional.of(e.family());
      }
    }
    return Optional.empty();
  }

  List<ModelFamily> families() {
    return entries.stream().map(Entry::family).toList();
  }
}
