package dev.airlock.vault.metadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Learns what a model directory holds: config.json, the model card, safetensors and GGUF headers,
 * risky content, and the memory it needs. Only headers and small text files are read, each with a
 * size cap; weights are never read.
 */
public final class ModelInspector {
  public static final String CONFIG_FILE = "config.json";
  public static final String CARD_FILE = "README.md";

  private static final Set<String> PICKLE_WEIGHT_EXTENSIONS = Set.of("bin", "pt", "pth", "ckpt", "pkl");

  private ModelInspector() {}

  /**
   * Inspects {@code modelDir} for the {@code hardware} it is meant to run on.
   *
   * @throws ModelFileException if a file is not what its name promises (the message says which
   *     and why) or the directory does not exist
   */
  public static ModelMetadata inspect(Path modelDir, HardwareProfile hardware) throws IOException {
    if (!Files.isDirectory(modelDir)) {
      throw new ModelFileException(
          String.valueOf(modelDir), "is not a directory; give the directory that holds the model's files");
    }
    Optional<ModelConfig> config = Optional.empty();
    if (Files.isRegularFile(modelDir.resolve(CONFIG_FILE))) {
      config = Optional.of(ModelConfigReader.read(modelDir.resolve(CONFIG_FILE), CONFIG_FILE));
    }
    Optional<ModelCard> card = Optional.empty();
    Optional<Path> cardFile = topLevel(modelDir).stream()
        .filter(p -> p.getFileName().toString().equalsIgnoreCase(CARD_FILE)).findFirst();
    if (cardFile.isPresent()) {
      card = Optional.of(ModelCardReader.read(cardFile.get(), cardFile.get().getFileName().toString()));
    }
    Optional<SafetensorsWeights> safetensors = SafetensorsReader.readModel(modelDir);
    List<GgufFile> ggufs = new ArrayList<>();
    List<Path> pickles = new ArrayList<>();
    for (Path p : topLevel(modelDir)) {
      String n = p.getFileName().toString();
      String ext = n.contains(".") ? n.substring(n.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
      if (ext.equals("gguf")) ggufs.add(GgufReader.read(p, n));
      if (PICKLE_WEIGHT_EXTENSIONS.contains(ext)) pickles.add(p);
    }
    List<GgufFile> sized = sizedGgufFiles(ggufs);
    List<RiskFinding> risks = RiskScanner.scan(modelDir);

    ModelFormat format = safetensors.isPresent() ? ModelFormat.SAFETENSORS
        : !ggufs.isEmpty() ? ModelFormat.GGUF
        : !pickles.isEmpty() ? ModelFormat.PYTORCH_PICKLE
        : ModelFormat.NONE;

    Optional<String> architecture = config.flatMap(c -> c.architectures().stream().findFirst())
        .or(() -> sized.stream().flatMap(g -> g.architecture().stream()).findFirst());
    Optional<String> name = sized.stream().flatMap(g -> g.name().stream()).findFirst();

    OptionalLong parameters = OptionalLong.empty();
    Map<String, Long> byDtype = new TreeMap<>();
    List<String> weightFiles = new ArrayList<>();
    if (safetensors.isPresent()) {
      parameters = OptionalLong.of(unpackedParameterCount(safetensors.get(), config.flatMap(ModelConfig::quantization)));
      byDtype.putAll(safetensors.get().parametersByDtype());
      safetensors.get().files().forEach(h -> weightFiles.add(h.file()));
    } else if (!sized.isEmpty()) {
      long n = 0;
      for (GgufFile g : sized) {
        n = Math.addExact(n, g.parameterCount());
        for (GgufTensorInfo t : g.tensors()) byDtype.merge(t.typeName(), t.elementCount(), Math::addExact);
        weightFiles.add(g.file());
      }
      parameters = OptionalLong.of(n);
    } else {
      pickles.forEach(p -> weightFiles.add(p.getFileName().toString()));
    }

    Optional<Quantization> quantization = config.flatMap(ModelConfig::quantization)
        .or(() -> sized.stream()
            .filter(g -> g.fileTypeName().isPresent())
            .map(g -> new Quantization(g.fileTypeName().orElseThrow(), OptionalInt.empty(),
                g.evidence("general.file_type").orElseThrow()))
            .findFirst());

    OptionalInt contextLength = config.map(ModelConfig::maxPositionEmbeddings).orElse(OptionalInt.empty());
    if (contextLength.isEmpty()) {
      contextLength = sized.stream().map(GgufFile::contextLength).filter(OptionalLong::isPresent)
          .mapToLong(OptionalLong::getAsLong).filter(v -> v <= Integer.MAX_VALUE)
          .mapToInt(v -> (int) v).findFirst();
    }

    List<LicenseField> licenses = new ArrayList<>();
    List<BaseModel> bases = new ArrayList<>();
    if (card.isPresent()) {
      ModelCard c = card.get();
      for (String key : List.of("license", "license_name", "license_link")) {
        for (CardField f : c.values(key)) licenses.add(new LicenseField(key, f.value(), f.evidence()));
      }
      Optional<String> relation = c.baseModelRelation().map(CardField::value);
      for (CardField f : c.baseModels()) {
        bases.add(new BaseModel(f.value(), Optional.empty(), Optional.empty(), relation, f.evidence()));
      }
    }
    Set<String> seenBases = new HashSet<>();
    for (GgufFile g : ggufs) {
      for (String key : List.of("general.license", "general.license.name", "general.license.link")) {
        g.string(key).ifPresent(v -> licenses.add(new LicenseField(key, v, g.evidence(key).orElseThrow())));
      }
      for (GgufFile.GgufBaseModel b : g.baseModels()) {
        String label = b.name().or(b::repoUrl).or(b::organization).orElseThrow();
        if (seenBases.add(label)) {
          bases.add(new BaseModel(label, b.organization(), b.repoUrl(), Optional.empty(), b.evidence()));
        }
      }
    }

    Optional<Weights> weights = weights(safetensors, sized, pickles, parameters, config);
    Optional<KvCacheShape> kvShape = kvShape(config, sized);
    OptionalInt context = hardware.contextLength().isPresent() ? hardware.contextLength() : contextLength;

    Optional<MemoryEstimate> memory = Optional.empty();
    HardwareFit fit;
    if (weights.isEmpty()) {
      fit = HardwareFit.unknown("no weights were found to size");
    } else if (kvShape.isEmpty()) {
      fit = HardwareFit.unknown("the model's layer and attention-head counts are unknown (no config.json or GGUF keys), so its KV cache cannot be sized");
    } else if (context.isEmpty()) {
      fit = HardwareFit.unknown("neither the model nor the hardware profile gives a context length to size the KV cache for");
    } else {
      int bytes = MemoryEstimator.DEFAULT_KV_BYTES_PER_ELEMENT;
      int ctx = context.getAsInt();
      MemoryEstimate estimate = new MemoryEstimate(
          weights.get().bytes(), weights.get().basis(),
          MemoryEstimator.kvCacheBytes(kvShape.get(), ctx, hardware.batchSize(), bytes),
          MemoryEstimator.kvCacheBasis(kvShape.get(), ctx, hardware.batchSize(), bytes),
          ctx, hardware.batchSize());
      memory = Optional.of(estimate);
      fit = MemoryEstimator.fit(estimate, hardware);
      if (contextLength.isPresent() && ctx > contextLength.getAsInt()) {
        // Servers refuse a context longer than the model's (vLLM: max_model_len above the derived one).
        fit = new HardwareFit(HardwareFit.Verdict.DOES_NOT_FIT, fit.requiredBytes(), fit.usableBytes(),
            "the configured context of " + ctx + " tokens exceeds the model's maximum of "
                + contextLength.getAsInt() + "; configure at most " + contextLength.getAsInt());
      }
    }

    return new ModelMetadata(
        format, architecture, config.flatMap(ModelConfig::modelType), name, parameters, byDtype,
        config.flatMap(ModelConfig::dtype), quantization, contextLength, licenses, bases, risks,
        memory, fit, card, config, weightFiles);
  }

  /** Methods that pack several low-bit weights into each I32 element of a {@code .qweight}. */
  private static final Set<String> PACKED_INT32_METHODS = Set.of("awq", "gptq");

  /** Per-group quantization metadata of AWQ/GPTQ: bookkeeping, not parameters of the model. */
  private static final List<String> PACKING_METADATA_SUFFIXES = List.of(".qzeros", ".scales", ".g_idx");

  /**
   * Parameters as the model has them: for AWQ and GPTQ each I32 element of a {@code .qweight}
   * holds 32 / bits weights, and their zeros, scales and group indices are not parameters.
   * Otherwise every tensor element counts.
   */
  static long unpackedParameterCount(SafetensorsWeights weights, Optional<Quantization> quantization) {
    boolean packed = quantization.isPresent()
        && PACKED_INT32_METHODS.contains(quantization.get().method())
        && quantization.get().bits().isPresent()
        && quantization.get().bits().getAsInt() > 0
        && 32 % quantization.get().bits().getAsInt() == 0;
    if (!packed) return weights.parameterCount();
    int perElement = 32 / quantization.get().bits().getAsInt();
    long n = 0;
    for (SafetensorsHeader h : weights.files()) {
      for (SafetensorsTensor t : h.tensors()) {
        if (PACKING_METADATA_SUFFIXES.stream().anyMatch(t.name()::endsWith)) continue;
        long elements = t.elementCount();
        n = Math.addExact(n, t.name().endsWith(".qweight") && t.dtype().equals("I32")
            ? Math.multiplyExact(elements, perElement) : elements);
      }
    }
    return n;
  }

  private record Weights(long bytes, String basis) {}

  private static Optional<Weights> weights(
      Optional<SafetensorsWeights> safetensors, List<GgufFile> ggufs, List<Path> pickles,
      OptionalLong parameters, Optional<ModelConfig> config) throws IOException {
    if (safetensors.isPresent()) {
      return Optional.of(new Weights(safetensors.get().tensorBytes(),
          "tensor byte ranges in " + safetensors.get().files().size() + " safetensors header(s)"));
    }
    if (!ggufs.isEmpty()) {
      long n = 0;
      for (GgufFile g : ggufs) n = Math.addExact(n, g.tensorDataBytes());
      return Optional.of(new Weights(n, "tensor data of " + String.join(", ", ggufs.stream().map(GgufFile::file).toList())));
    }
    if (!pickles.isEmpty()) {
      long n = 0;
      for (Path p : pickles) n = Math.addExact(n, Files.size(p));
      return Optional.of(new Weights(n, "size of " + pickles.size() + " pickle weight file(s)"));
    }
    if (parameters.isPresent() && config.isPresent()) {
      Optional<Double> bpp = MemoryEstimator.bytesPerParameter(config.get().dtype(), config.get().quantization());
      if (bpp.isPresent()) {
        return Optional.of(new Weights(MemoryEstimator.weightBytes(parameters.getAsLong(), bpp.get()),
            parameters.getAsLong() + " parameters x " + bpp.get() + " bytes"));
      }
    }
    return Optional.empty();
  }

  private static Optional<KvCacheShape> kvShape(Optional<ModelConfig> config, List<GgufFile> ggufs) {
    if (config.isPresent()) {
      ModelConfig c = config.get();
      if (c.numHiddenLayers().isPresent() && c.numKeyValueHeads().isPresent() && c.headDim().isPresent()
          && c.numHiddenLayers().getAsInt() > 0 && c.numKeyValueHeads().getAsInt() > 0 && c.headDim().getAsInt() > 0) {
        return Optional.of(new KvCacheShape(c.numHiddenLayers().getAsInt(), c.numKeyValueHeads().getAsInt(), c.headDim().getAsInt()));
      }
    }
    for (GgufFile g : ggufs) {
      OptionalLong layers = g.blockCount();
      OptionalLong kv = g.headCountKv();
      OptionalLong dim = g.keyLength();
      if (layers.isPresent() && kv.isPresent() && dim.isPresent()
          && inIntRange(layers.getAsLong()) && inIntRange(kv.getAsLong()) && inIntRange(dim.getAsLong())) {
        return Optional.of(new KvCacheShape((int) layers.getAsLong(), (int) kv.getAsLong(), (int) dim.getAsLong()));
      }
    }
    return Optional.empty();
  }

  private static boolean inIntRange(long v) {
    return v >= 1 && v <= Integer.MAX_VALUE;
  }

  /**
   * The GGUF files that make up the model: all of them when they are splits of one model
   * ({@code split.count}), else the largest (a directory of several quantizations of one model is
   * sized by its biggest variant).
   */
  static List<GgufFile> sizedGgufFiles(List<GgufFile> ggufs) {
    if (ggufs.isEmpty()) return List.of();
    boolean split = ggufs.stream().allMatch(g -> g.integer("split.count").orElse(1) > 1);
    if (split) return ggufs;
    return List.of(ggufs.stream().max(Comparator.comparingLong(GgufFile::fileSize)).orElseThrow());
  }

  private static List<Path> topLevel(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
