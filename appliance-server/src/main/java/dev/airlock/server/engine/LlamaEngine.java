package dev.airlock.server.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.PoolingType;
import dev.airlock.vault.metadata.GgufFile;
import java.util.List;
import java.util.Optional;

/**
 * One GGUF model loaded into llama.cpp (through the de.kherud:llama JNI binding) in this process:
 * chat templating, token counting, streaming generation with cancellation, and embeddings.
 */
final class LlamaEngine implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LlamaModel model;
  private final EngineOptions options;
  private final boolean addsBos;

  private LlamaEngine(LlamaModel model, EngineOptions options, boolean addsBos) {
    this.model = model;
    this.options = options;
    this.addsBos = addsBos;
  }

  /** Loads the model read-only (memory-mapped by llama.cpp) with the options' threads and context. */
  static LlamaEngine load(EngineOptions options, GgufFile header) {
    // llama.cpp logs every tensor at load; keep warnings and errors only, on stderr (the supervisor's log file).
    LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
      if (level == LogLevel.WARN || level == LogLevel.ERROR) System.err.print(message);
    });
    ModelParameters params = new ModelParameters()
        .setModel(options.model().toString())
        .setThreads(options.threads())
        .setThreadsBatch(options.threads())
        .setCtxSize(options.ctxSize())
        .setGpuLayers(0)
        .setParallel(1);
    if (options.embeddings()) {
      params.enableEmbedding();
      // Without a pooling type of its own a decoder model gives one vector per token and the
      // binding returns the first (BOS, the same for every input). Take the last token's, as
      // decoder embedding models do; MEAN trips a GGML_ASSERT in this llama.cpp build (b4916).
      boolean declared = header.architecture().map(a -> header.value(a + ".pooling_type").isPresent()).orElse(false);
      if (!declared) params.setPoolingType(PoolingType.LAST);
    }
    LlamaModel model = new LlamaModel(params);
    return new LlamaEngine(model, options, addsBos(header));
  }

  /**
   * Whether llama.cpp puts a BOS token in front of a prompt: the GGUF's own flag, else its
   * tokenizer's default (SentencePiece "llama" vocabularies add one; BPE ones do not).
   */
  private static boolean addsBos(GgufFile header) {
    Optional<Boolean> flag = header.value("tokenizer.ggml.add_bos_token")
        .filter(v -> v.value() instanceof Boolean).map(v -> (Boolean) v.value());
    return flag.orElseGet(() -> header.string("tokenizer.ggml.model").map("llama"::equals).orElse(false));
  }

  int contextSize() {
    return options.ctxSize();
  }

  boolean embeddingsOnly() {
    return options.embeddings();
  }

  /** The prompt the model's chat template makes of OpenAI-style messages (with the assistant turn opened). */
  String chatPrompt(ArrayNode messages) {
    ObjectNode req = JSON.createObjectNode();
    req.set("messages", messages);
    return model.applyTemplate(req.toString());
  }

  /** Tokens llama.cpp evaluates for {@code prompt}, BOS included when the model adds one. */
  int promptTokens(String prompt) {
    return model.encode(prompt).length + (addsBos ? 1 : 0);
  }

  /** Sampling settings taken from the request. */
  record Sampling(int maxTokens, float temperature, float topP, int topK, float minP, Integer seed,
                  List<String> stop, float frequencyPenalty, float presencePenalty, float repetitionPenalty,
                  boolean ignoreEos) {}

  /** What a generation produced: the text, the pieces streamed (one per token), and why it ended. */
  record Result(String text, int completionTokens, String finishReason) {}

  /**
   * Receives each piece of text as it is generated, {@code last} on the final one (whose text is
   * usually empty); an exception cancels the generation.
   */
  interface PieceSink {
    void piece(String text, boolean last) throws Exception;
  }

  /**
   * Generates from {@code prompt}, handing each piece to {@code sink}. The binding reports one
   * piece per generated token (the last one, carrying the stop, adds none); finish is "length"
   * when the token budget ran out, else "stop" (end of sequence or a stop string).
   */
  Result generate(String prompt, Sampling s, PieceSink sink) throws Exception {
    InferenceParameters p = new InferenceParameters(prompt)
        .setNPredict(s.maxTokens())
        .setTemperature(s.temperature())
        .setTopP(s.topP())
        .setTopK(s.topK())
        .setMinP(s.minP())
        .setFrequencyPenalty(s.frequencyPenalty())
        .setPresencePenalty(s.presencePenalty())
        .setRepeatPenalty(s.repetitionPenalty())
        .setCachePrompt(true)
        .setIgnoreEos(s.ignoreEos());
    if (s.seed() != null) p.setSeed(s.seed());
    if (!s.stop().isEmpty()) p.setStopStrings(s.stop().toArray(String[]::new));
    StringBuilder text = new StringBuilder();
    int pieces = 0;
    LlamaIterator it = model.generate(p).iterator();
    try {
      while (it.hasNext()) {
        LlamaOutput out = it.next();
        boolean last = !it.hasNext();
        if (!last) pieces++;
        text.append(out.text);
        sink.piece(out.text, last);
      }
    } catch (Exception e) {
      if (it.hasNext()) it.cancel();
      throw e;
    }
    return new Result(text.toString(), pieces, pieces >= s.maxTokens() ? "length" : "stop");
  }

  /** The embedding of {@code text}; only for a model loaded with {@code --embeddings}. */
  float[] embed(String text) {
    return model.embed(text);
  }

  @Override
  public void close() {
    model.close();
  }
}
