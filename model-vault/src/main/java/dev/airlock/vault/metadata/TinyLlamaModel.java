package dev.airlock.vault.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A small but complete llama-architecture GGUF model with random weights: tests and the demo run
 * real inference on a CPU in milliseconds per token, and nothing is ever downloaded.
 *
 * <p>It has what llama.cpp needs to load and chat with a model (keys and tensor names as in
 * llama.cpp's {@code gguf-py/gguf/constants.py} and {@code src/llama-model.cpp}): the
 * {@code llama.*} hyperparameters, a SentencePiece ("llama") vocabulary with the 256 byte tokens
 * its tokenizer falls back to, the special tokens {@code <unk>}, {@code <s>}, {@code </s>} and the
 * ChatML markers, a ChatML chat template, and F32 weights drawn from a seeded generator, so that
 * the same parameters always give the same file, byte for byte. Its answers are random text.
 *
 * @param layers transformer blocks
 * @param embedding width of the hidden state
 * @param heads attention heads
 * @param kvHeads key/value heads (fewer than {@code heads} gives grouped-query attention)
 * @param feedForward width of the feed-forward layer
 * @param contextLength the context length the model claims to be trained for
 * @param seed seed of the weights
 */
public record TinyLlamaModel(
    int layers, int embedding, int heads, int kvHeads, int feedForward, int contextLength, long seed) {

  /** Two blocks of width 64: loads in well under a second and generates hundreds of tokens/s on one core. */
  public static final TinyLlamaModel DEFAULT = new TinyLlamaModel(2, 64, 4, 2, 128, 2048, 20261121L);

  /** The name written to {@code general.name}. */
  public static final String NAME = "airlock-tiny-llama";

  /** ChatML, which llama.cpp recognises by its {@code <|im_start|>} marker (and also runs as Jinja). */
  public static final String CHAT_TEMPLATE =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  // Token types of llama.cpp's llama_token_type (gguf-py TokenType).
  private static final int TYPE_NORMAL = 1;
  private static final int TYPE_UNKNOWN = 2;
  private static final int TYPE_CONTROL = 3;
  private static final int TYPE_BYTE = 6;

  /** SentencePiece marks a word start with U+2581; llama.cpp's SPM tokenizer does the same. */
  private static final String WORD_START = "\u2581";

  /** Words whose pieces make up the vocabulary beyond bytes and single characters. */
  private static final List<String> WORDS = List.of(
      "the", "and", "that", "have", "for", "not", "with", "you", "this", "but", "his", "from", "they",
      "say", "her", "she", "will", "one", "all", "would", "there", "their", "what", "out", "about",
      "who", "get", "which", "when", "make", "can", "like", "time", "just", "him", "know", "take",
      "people", "into", "year", "your", "good", "some", "could", "them", "see", "other", "than",
      "then", "now", "look", "only", "come", "its", "over", "think", "also", "back", "after", "use",
      "two", "how", "our", "work", "first", "well", "way", "even", "new", "want", "because", "any",
      "these", "give", "day", "most", "hello", "model", "answer", "question", "data", "secure",
      "air", "lock", "audit", "policy", "token", "engine");

  public TinyLlamaModel {
    if (layers < 1 || embedding < 8 || heads < 1 || kvHeads < 1 || feedForward < 1 || contextLength < 16) {
      throw new IllegalArgumentException("tiny model dimensions must be positive (embedding >= 8, context >= 16)");
    }
    if (embedding % heads != 0 || heads % kvHeads != 0 || (embedding / heads) % 2 != 0) {
      throw new IllegalArgumentException("embedding " + embedding + " must split into " + heads
          + " heads of even width, and heads into " + kvHeads + " key/value groups");
    }
  }

  /** The vocabulary in id order: {@code <unk>}, {@code <s>}, {@code </s>}, ChatML markers, bytes, pieces. */
  public static List<String> vocabulary() {
    LinkedHashSet<String> tokens = new LinkedHashSet<>(List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"));
    for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
    tokens.add(WORD_START);
    for (char c = 'a'; c <= 'z'; c++) {
      tokens.add(String.valueOf(c));
      tokens.add(WORD_START + c);
    }
    for (char c = 'A'; c <= 'Z'; c++) tokens.add(String.valueOf(c));
    for (char c = '0'; c <= '9'; c++) tokens.add(String.valueOf(c));
    for (char c : ".,:;!?'\"-()/".toCharArray()) tokens.add(String.valueOf(c));
    for (String w : WORDS) {
      // Every prefix of "▁word" is a piece, so the tokenizer's pairwise merges can reach the whole word.
      String piece = WORD_START + w;
      for (int end = 2; end <= piece.length(); end++) tokens.add(piece.substring(0, end));
    }
    return List.copyOf(tokens);
  }

  /** Id of {@code <s>}. */
  public static final int BOS_ID = 1;
  /** Id of {@code </s>}. */
  public static final int EOS_ID = 2;

  /** Writes the model to {@code file} (replacing it). */
  public void writeTo(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    toWriter().writeTo(file);
  }

  /** The model as a GGUF writer, for callers who add their own metadata before writing. */
  public GgufWriter toWriter() {
    List<String> vocab = vocabulary();
    int n = vocab.size();
    float[] scores = new float[n];
    int[] types = new int[n];
    for (int i = 0; i < n; i++) {
      String t = vocab.get(i);
      if (i == 0) types[i] = TYPE_UNKNOWN;
      else if (i < 5) types[i] = TYPE_CONTROL;
      else if (t.startsWith("<0x") && t.length() == 6) types[i] = TYPE_BYTE;
      else types[i] = TYPE_NORMAL;
      // Longer pieces score higher so that the SentencePiece merges prefer whole words.
      scores[i] = types[i] == TYPE_NORMAL ? t.length() - i / (float) n : 0f;
    }
    int headDim = embedding / heads;
    int kvWidth = headDim * kvHeads;

    GgufWriter w = new GgufWriter();
    w.putString("general.architecture", "llama");
    w.putString("general.name", NAME);
    w.putString("general.license", "apache-2.0");
    w.putUint32("general.file_type", 0); // all F32
    w.putUint32("llama.context_length", contextLength);
    w.putUint32("llama.embedding_length", embedding);
    w.putUint32("llama.block_count", layers);
    w.putUint32("llama.feed_forward_length", feedForward);
    w.putUint32("llama.attention.head_count", heads);
    w.putUint32("llama.attention.head_count_kv", kvHeads);
    w.putUint32("llama.rope.dimension_count", headDim);
    w.putFloat32("llama.rope.freq_base", 10000f);
    w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.putUint32("llama.vocab_size", n);
    w.putString("tokenizer.ggml.model", "llama");
    w.put("tokenizer.ggml.tokens", GgufValue.strings(vocab));
    w.put("tokenizer.ggml.scores", GgufValue.float32s(scores));
    w.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
    w.putUint32("tokenizer.ggml.unknown_token_id", 0);
    w.putUint32("tokenizer.ggml.bos_token_id", BOS_ID);
    w.putUint32("tokenizer.ggml.eos_token_id", EOS_ID);
    w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
    w.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
    w.putString("tokenizer.chat_template", CHAT_TEMPLATE);

    SplittableRandom rng = new SplittableRandom(seed);
    // ggml dimensions are innermost first: a weight mapping width a to width b is {a, b}.
    w.addTensor("token_embd.weight", GgmlType.F32, new long[] {embedding, n}, random(rng, embedding * n, 1.0));
    for (int l = 0; l < layers; l++) {
      String p = "blk." + l + ".";
      w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
      w.addTensor(p + "attn_q.weight", GgmlType.F32, new long[] {embedding, embedding}, random(rng, embedding * embedding, scale(embedding)));
      w.addTensor(p + "attn_k.weight", GgmlType.F32, new long[] {embedding, kvWidth}, random(rng, embedding * kvWidth, scale(embedding)));
      w.addTensor(p + "attn_v.weight", GgmlType.F32, new long[] {embedding, kvWidth}, random(rng, embedding * kvWidth, scale(embedding)));
      w.addTensor(p + "attn_output.weight", GgmlType.F32, new long[] {embedding, embedding}, random(rng, embedding * embedding, scale(embedding)));
      w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
      w.addTensor(p + "ffn_gate.weight", GgmlType.F32, new long[] {embedding, feedForward}, random(rng, embedding * feedForward, scale(embedding)));
      w.addTensor(p + "ffn_up.weight", GgmlType.F32, new long[] {embedding, feedForward}, random(rng, embedding * feedForward, scale(embedding)));
      w.addTensor(p + "ffn_down.weight", GgmlType.F32, new long[] {feedForward, embedding}, random(rng, feedForward * embedding, scale(feedForward)));
    }
    w.addTensor("output_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
    w.addTensor("output.weight", GgmlType.F32, new long[] {embedding, n}, random(rng, embedding * n, scale(embedding)));
    return w;
  }

  /** Keeps activations of order one through each layer (1/sqrt(fan-in)). */
  private static double scale(int fanIn) {
    return 1.0 / Math.sqrt(fanIn);
  }

  private static float[] random(SplittableRandom rng, int count, double std) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) v[i] = (float) (gaussian(rng) * std);
    return v;
  }

  /** Box-Muller, so the values depend only on the seed and not on the JDK's Random implementation. */
  private static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static float[] ones(int count) {
    float[] v = new float[count];
    java.util.Arrays.fill(v, 1f);
    return v;
  }
}
