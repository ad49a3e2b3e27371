package dev.airlock.server.backend;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The vLLM engine flags an administrator may add to a model's command line ({@code extraArgs}),
 * checked by allowlist and parsed as vLLM parses them, so that no spelling vLLM accepts slips a
 * flag past the check.
 *
 * <p>vLLM's {@code FlexibleArgumentParser} (vllm/utils/argparse_utils.py) turns {@code _} into
 * {@code -} in a flag's name, splits {@code --flag=value}, reads {@code --flag.key value} as a
 * field of a JSON flag, replaces {@code --config FILE} by the flags in that YAML file, and hands
 * the rest to Python's argparse, which takes a value from the next argument and accepts any
 * unambiguous prefix of a flag. {@link #check} therefore accepts exactly the full names below, each
 * once, with values it checks itself; every flag that reads files, loads code, opens the network,
 * logs prompts or sets what Airlock sets is refused with its reason.
 *
 * <p>Names, value types, choices and lower bounds are vLLM's, read from vllm-project/vllm:
 * {@code vllm/engine/arg_utils.py} ({@code EngineArgs.add_cli_args}, {@code AsyncEngineArgs};
 * at commit 99d7eb5, the v0.11 line, and in a 2026 copy with {@code --optimization-level}),
 * {@code vllm/config/cache.py} ({@code BlockSize}, {@code CacheDType}, the bounds of
 * {@code gpu_memory_utilization}, {@code swap_space}, {@code cpu_offload_gb}),
 * {@code vllm/config/model.py} ({@code ModelDType}),
 * {@code vllm/model_executor/layers/quantization/__init__.py} ({@code QuantizationMethods})
 * and {@code vllm/utils/argparse_utils.py} (commit 00da11e). Where vLLM's versions differ, only
 * names and choices that every one of them accepts are allowed; Airlock's upper bounds are its own.
 */
public final class VllmFlags {
  /** Where every refusal points: the allowlist as a table, and why the rest is refused. */
  public static final String DOCS = "docs/gateway.md#vllm-flags";

  /** GPUs one model may span: more than one appliance holds (the densest servers carry 8 or 16). */
  static final long MAX_PARALLEL = 64;
  /** The embedded engine's floor ({@code ActiveModels.MIN_CTX_SIZE}), so a model gets one rule on either backend. */
  static final long MIN_MODEL_LEN = 16;
  /** 16 Mi tokens: above the longest context an open-weight model offers today (10 M). */
  static final long MAX_TOKENS = 1L << 24;
  /** 64 times vLLM's largest default (1024): a typo, not a tuning, beyond it. */
  static final long MAX_NUM_SEQS = 1L << 16;
  /** GiB of host memory per GPU for swap or weight offload: more than the appliance's servers have. */
  static final long MAX_HOST_GIB = 1024;
  /** vLLM seeds NumPy with it, and NumPy takes only 0 to 2^32-1. */
  static final long MAX_SEED = (1L << 32) - 1;
  /**
   * vLLM's default is 20, OpenAI's top_logprobs limit; -1 (the whole vocabulary) is refused, since
   * one request could then make the engine return 150,000 numbers per token.
   */
  static final long MAX_LOGPROBS = 1024;

  /** What a flag's value may be. Switched on exhaustively, so a new kind cannot go unchecked. */
  public sealed interface Value {
    /** The allowed values in words, for messages, docs and the console. */
    String describe();
  }

  /** A flag without a value, off unless given (argparse's {@code store_true}). */
  public record Switch() implements Value {
    @Override public String describe() {
      return "no value";
    }
  }

  /**
   * A flag without a value that vLLM also accepts as {@code --no-<name>} (argparse's
   * {@code BooleanOptionalAction}); both spellings set one setting, so only one may be given.
   */
  public record OnOff() implements Value {
    @Override public String describe() {
      return "no value, or its --no- form to turn it off";
    }
  }

  /** A whole number, written in plain decimal digits. */
  public record WholeNumber(long min, long max) implements Value {
    @Override public String describe() {
      return "a whole number from " + min + " to " + max;
    }
  }

  /** A decimal number such as {@code 0.9}, from {@code min} (or above it, when exclusive) to {@code max}. */
  public record Decimal(BigDecimal min, boolean minExclusive, BigDecimal max) implements Value {
    @Override public String describe() {
      return minExclusive
          ? "a decimal number greater than " + min.toPlainString() + " and at most " + max.toPlainString()
          : "a decimal number from " + min.toPlainString() + " to " + max.toPlainString();
    }
  }

  /** One of vLLM's fixed values, spelt exactly. */
  public record Choice(List<String> choices) implements Value {
    public Choice {
      choices = List.copyOf(choices);
    }

    @Override public String describe() {
      return "one of " + String.join(", ", choices);
    }
  }

  /** One allowlisted flag: its full name, what it takes, and what it does. */
  public record Flag(String name, Value value, String description) {
    /** The flag's other spelling, for an {@link OnOff} flag: {@code --no-<name>}. */
    public Optional<String> negation() {
      return value instanceof OnOff ? Optional.of("--no-" + name.substring(2)) : Optional.empty();
    }

    /** Whether vLLM takes a value for it, after {@code =} or as the next argument. */
    public boolean takesValue() {
      return switch (value) {
        case Switch s -> false;
        case OnOff o -> false;
        case WholeNumber n -> true;
        case Decimal d -> true;
        case Choice c -> true;
      };
    }
  }

  /** Why a flag vLLM knows is never passed to it; each one is on no allowlist. */
  enum Refusal {
    CODE("it runs or imports code (shipped with the model, or a module or plugin it names)"),
    ANY_OPTION("it takes JSON or a file that can set engine options the allowlist keeps out"
        + " (trust_remote_code among them)"),
    FILES("it makes vLLM read files or directories other than the model's copy from the vault"),
    ADAPTERS("it loads LoRA adapter weights from outside the vault, which no one has reviewed"),
    NETWORK("it makes vLLM reach or listen on the network beyond the loopback port Airlock assigns"),
    AIRLOCK_SETS("Airlock sets the model, its served name, the loopback address and the access to it itself"),
    PROMPT_LOG("it concerns vLLM's request log, which would hold prompts in plain text; Airlock keeps it off"
        + " and records requests in its encrypted audit log");

    final String reason;

    Refusal(String reason) {
      this.reason = reason;
    }
  }

  private static final List<Flag> ALLOWLIST = List.of(
      new Flag("--tensor-parallel-size", new WholeNumber(1, MAX_PARALLEL),
          "GPUs each layer is split across"),
      new Flag("--pipeline-parallel-size", new WholeNumber(1, MAX_PARALLEL),
          "GPUs the layers are divided between, in stages"),
      new Flag("--data-parallel-size", new WholeNumber(1, MAX_PARALLEL),
          "copies of the model, each on its own GPUs, in one replica"),
      new Flag("--max-model-len", new WholeNumber(MIN_MODEL_LEN, MAX_TOKENS),
          "context length in tokens (prompt and answer); default the model's own"),
      new Flag("--gpu-memory-utilization", new Decimal(BigDecimal.ZERO, true, BigDecimal.ONE),
          "fraction of each GPU's memory vLLM may take; default 0.9"),
      new Flag("--dtype", new Choice(List.of("auto", "half", "float16", "bfloat16", "float", "float32")),
          "data type of weights and activations"),
      new Flag("--quantization", new Choice(List.of("awq", "awq_marlin", "bitsandbytes", "compressed-tensors",
          "experts_int8", "fp8", "gguf", "gptq", "gptq_marlin", "modelopt", "modelopt_fp4", "moe_wna16",
          "mxfp4", "quark")),
          "how the weights are quantized; default read from the model's config"),
      new Flag("--kv-cache-dtype", new Choice(List.of("auto", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2")),
          "data type of the KV cache; auto is the model's"),
      new Flag("--block-size", new Choice(List.of("1", "8", "16", "32", "64", "128", "256")),
          "tokens per KV cache block (CUDA supports up to 32)"),
      new Flag("--max-num-seqs", new WholeNumber(1, MAX_NUM_SEQS),
          "sequences scheduled at once"),
      new Flag("--max-num-batched-tokens", new WholeNumber(1, MAX_TOKENS),
          "tokens processed in one scheduler step"),
      new Flag("--enable-prefix-caching", new OnOff(),
          "reuse the KV cache of a shared prompt prefix"),
      new Flag("--enable-chunked-prefill", new OnOff(),
          "split long prompts into chunks batched with decoding"),
      new Flag("--enforce-eager", new OnOff(),
          "run without CUDA graphs: less memory, slower"),
      new Flag("--disable-custom-all-reduce", new OnOff(),
          "use NCCL instead of vLLM's own all-reduce between GPUs"),
      new Flag("--disable-sliding-window", new OnOff(),
          "ignore the model's sliding window and cap the context at it"),
      new Flag("--swap-space", new Decimal(BigDecimal.ZERO, false, BigDecimal.valueOf(MAX_HOST_GIB)),
          "GiB of host memory per GPU for swapped-out KV cache"),
      new Flag("--cpu-offload-gb", new Decimal(BigDecimal.ZERO, false, BigDecimal.valueOf(MAX_HOST_GIB)),
          "GiB of weights per GPU kept in host memory"),
      new Flag("--seed", new WholeNumber(0, MAX_SEED),
          "random seed of the engine"),
      new Flag("--max-logprobs", new WholeNumber(0, MAX_LOGPROBS),
          "most logprobs a request may ask for; default 20"),
      new Flag("--disable-log-stats", new Switch(),
          "no periodic throughput lines in the backend log"));

  /** Every spelling {@link #check} accepts ({@code --no-} forms included), to its flag. */
  private static final Map<String, Flag> BY_SPELLING = spellings();

  /** vLLM flags refused for a reason worth telling, under their full names. */
  private static final Map<String, Refusal> REFUSED = refused();

  /** vLLM's single-dash short forms, to the full name they stand for. */
  private static final Map<String, String> SHORT_FORMS = Map.ofEntries(
      Map.entry("-tp", "--tensor-parallel-size"), Map.entry("-pp", "--pipeline-parallel-size"),
      Map.entry("-dp", "--data-parallel-size"), Map.entry("-q", "--quantization"),
      Map.entry("-O", "--optimization-level"), Map.entry("-cc", "--compilation-config"),
      Map.entry("-ac", "--attention-config"), Map.entry("-dcp", "--decode-context-parallel-size"),
      Map.entry("-pcp", "--prefill-context-parallel-size"), Map.entry("-ep", "--enable-expert-parallel"),
      Map.entry("-dpn", "--data-parallel-rank"), Map.entry("-dpr", "--data-parallel-start-rank"),
      Map.entry("-dpl", "--data-parallel-size-local"), Map.entry("-dpa", "--data-parallel-address"),
      Map.entry("-dpp", "--data-parallel-rpc-port"), Map.entry("-dpb", "--data-parallel-backend"),
      Map.entry("-dph", "--data-parallel-hybrid-lb"), Map.entry("-dpe", "--data-parallel-external-lb"),
      Map.entry("-n", "--nnodes"), Map.entry("-r", "--node-rank"), Map.entry("-h", "--help"));

  /** argparse's test for a negative number, which it takes as a value rather than a flag. */
  private static final Pattern NEGATIVE_NUMBER = Pattern.compile("^-\\d+$|^-\\d*\\.\\d+$");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
  private static final Pattern PLAIN_DECIMAL = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,12})?");

  private VllmFlags() {}

  /** The allowlist, in the order of the docs' table: name, value, description. */
  public static List<Flag> allowlist() {
    return ALLOWLIST;
  }

  /**
   * Checks an activation's {@code extraArgs} and returns them as Airlock passes them to vLLM: full
   * flag names with dashes, each value its own element, numbers in plain digits.
   *
   * @throws IllegalArgumentException naming the first flag as it was written and what is wrong with it
   */
  public static List<String> check(List<String> args) {
    Objects.requireNonNull(args, "args");
    List<String> canonical = new ArrayList<>();
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = argAt(args, i);
      int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
      String written = eq >= 0 ? arg.substring(0, eq) : arg;
      Flag flag = flagNamed(written);
      String spelling = normalize(written);
      String first = given.putIfAbsent(flag.name(), written);
      if (first != null) {
        throw refuse(first.equals(written) ? "'" + written + "' is given twice; give each flag once"
            : "'" + written + "' repeats " + flag.name() + ", already given as '" + first + "'; give each flag once");
      }
      canonical.add(spelling);
      switch (flag.value()) {
        case Switch s -> {
          if (eq >= 0) {
            throw refuse("'" + arg + "': " + flag.name() + " takes no value; give " + flag.name()
                + " alone to turn it on, leave it out to keep it off");
          }
        }
        case OnOff o -> {
          if (eq >= 0) {
            throw refuse("'" + arg + "': " + spelling + " takes no value; give " + flag.name()
                + " to turn it on or " + flag.negation().orElseThrow() + " to turn it off");
          }
        }
        case WholeNumber n -> canonical.add(wholeNumber(written, valueOf(args, i, eq, flag), n));
        case Decimal d -> canonical.add(decimal(written, valueOf(args, i, eq, flag), d));
        case Choice c -> canonical.add(choice(written, valueOf(args, i, eq, flag), c));
      }
      if (eq < 0 && flag.takesValue()) {
        i++; // the value was the next argument
      }
    }
    return List.copyOf(canonical);
  }

  /** The allowlisted flag {@code written} names, or the refusal that says why it is none. */
  private static Flag flagNamed(String written) {
    if (written.equals("--")) {
      throw refuse("'--' would make vLLM read every argument after it as a positional argument;"
          + " Airlock passes the model itself");
    }
    if (!written.startsWith("-") || written.equals("-") || NEGATIVE_NUMBER.matcher(written).matches()) {
      throw refuse("'" + written + "' is not a flag: vLLM would read it as a positional argument"
          + " (Airlock passes the model itself); values follow the flag they belong to");
    }
    if (!written.startsWith("--")) {
      throw refuse(shortForm(written));
    }
    String name = normalize(written);
    int dot = name.indexOf('.');
    if (dot >= 0) {
      String base = name.substring(0, dot);
      Refusal why = REFUSED.get(base);
      throw refuse(why != null
          ? "'" + written + "' sets a field of the JSON flag " + base + ", which is not allowed: " + why.reason
          : "'" + written + "' is vLLM's form for a field of a JSON flag; no allowlisted flag takes JSON");
    }
    Flag flag = BY_SPELLING.get(name);
    if (flag != null) {
      return flag;
    }
    String as = name.equals(written) ? "" : " (vLLM reads it as " + name + ")";
    Refusal why = REFUSED.get(name);
    if (why != null) {
      throw refuse("'" + written + "'" + as + " is not allowed: " + why.reason);
    }
    TreeSet<String> expansions = new TreeSet<>();
    for (String known : BY_SPELLING.keySet()) {
      if (known.startsWith(name)) expansions.add(known);
    }
    for (String known : REFUSED.keySet()) {
      if (known.startsWith(name)) expansions.add(known);
    }
    if (expansions.size() == 1) {
      String full = expansions.first();
      Refusal refused = REFUSED.get(full);
      throw refuse("'" + written + "' abbreviates " + full + ", as vLLM would read it"
          + (refused != null ? ", which is not allowed: " + refused.reason
              : "; Airlock takes only full flag names, so write " + full));
    }
    if (expansions.size() > 1) {
      throw refuse("'" + written + "' abbreviates several vLLM flags (" + String.join(", ", expansions)
          + "); Airlock takes only full flag names");
    }
    throw refuse("'" + written + "'" + as + " is not on Airlock's allowlist of vLLM flags");
  }

  private static String shortForm(String written) {
    String longest = null;
    for (String s : SHORT_FORMS.keySet()) {
      if (written.startsWith(s) && (longest == null || s.length() > longest.length())) longest = s;
    }
    if (longest == null) {
      return "'" + written + "' is a single-dash flag; Airlock takes only the full --names on its allowlist";
    }
    String full = SHORT_FORMS.get(longest);
    String form = longest.equals(written) ? "is" : "starts with " + longest + ", which is";
    return "'" + written + "' " + form + " vLLM's short form of " + full
        + (BY_SPELLING.containsKey(full) ? "; Airlock takes only full flag names, so write " + full
            : ", which is not on the allowlist");
  }

  /** The value of the flag at {@code i}: after its {@code =}, or else the next argument. */
  private static String valueOf(List<String> args, int i, int eq, Flag flag) {
    return eq >= 0 ? attached(args.get(i), eq, flag) : following(args, i, flag);
  }

  /** The value written after {@code =}: never a flag in disguise. */
  private static String attached(String arg, int eq, Flag flag) {
    String value = arg.substring(eq + 1);
    if (value.startsWith("-") && !NEGATIVE_NUMBER.matcher(value).matches()) {
      throw refuse("'" + arg + "' hides a flag in a value: a value never starts with '-'; "
          + flag.name() + " takes " + flag.value().describe());
    }
    return value;
  }

  /** The argument after the flag at {@code i}, which argparse takes as its value unless it is a flag. */
  private static String following(List<String> args, int i, Flag flag) {
    String written = args.get(i);
    if (i + 1 >= args.size()) {
      throw refuse("'" + written + "' needs a value: " + flag.value().describe());
    }
    String next = argAt(args, i + 1);
    if (next.startsWith("-") && !NEGATIVE_NUMBER.matcher(next).matches()) {
      throw refuse("'" + written + "' needs a value: " + flag.value().describe() + "; found the flag '"
          + next + "' instead");
    }
    return next;
  }

  private static String argAt(List<String> args, int i) {
    String arg = args.get(i);
    if (arg == null) {
      throw refuse("extraArgs[" + i + "] is null");
    }
    return arg;
  }

  private static String wholeNumber(String written, String value, WholeNumber n) {
    if (DIGITS.matcher(value).matches()) {
      long v = Long.parseLong(value);
      if (v >= n.min() && v <= n.max()) return Long.toString(v);
    }
    throw badValue(written, value, n);
  }

  private static String decimal(String written, String value, Decimal d) {
    if (PLAIN_DECIMAL.matcher(value).matches()) {
      BigDecimal v = new BigDecimal(value);
      int low = v.compareTo(d.min());
      if ((d.minExclusive() ? low > 0 : low >= 0) && v.compareTo(d.max()) <= 0) {
        return v.stripTrailingZeros().toPlainString();
      }
    }
    throw badValue(written, value, d);
  }

  private static String choice(String written, String value, Choice c) {
    if (c.choices().contains(value)) return value;
    throw badValue(written, value, c);
  }

  private static IllegalArgumentException badValue(String written, String value, Value allowed) {
    return refuse("'" + written + "' does not take '" + value + "': it takes " + allowed.describe());
  }

  /** vLLM's spelling of a flag name: underscores become dashes, up to the first dot (argparse_utils.py). */
  static String normalize(String written) {
    int dot = written.indexOf('.');
    String head = dot < 0 ? written : written.substring(0, dot);
    return "--" + head.substring(2).replace('_', '-') + (dot < 0 ? "" : written.substring(dot));
  }

  private static IllegalArgumentException refuse(String what) {
    return new IllegalArgumentException("extraArgs: " + what + "; see " + DOCS);
  }

  private static Map<String, Flag> spellings() {
    Map<String, Flag> m = new LinkedHashMap<>();
    for (Flag f : ALLOWLIST) {
      m.put(f.name(), f);
      f.negation().ifPresent(no -> m.put(no, f));
    }
    return Map.copyOf(m);
  }

  private static Map<String, Refusal> refused() {
    Map<String, Refusal> m = new HashMap<>();
    for (String f : List.of("--trust-remote-code", "--worker-cls", "--worker-extension-cls", "--scheduler-cls",
        "--distributed-executor-backend", "--logits-processors", "--logits-processor-pattern",
        "--io-processor-plugin", "--reasoning-parser-plugin", "--tool-parser-plugin", "--middleware",
        "--kv-transfer-config", "--ec-transfer-config")) {
      m.put(f, Refusal.CODE);
    }
    for (String f : List.of("--config", "--hf-overrides", "--model-loader-extra-config", "--compilation-config",
        "--additional-config", "--override-generation-config", "--speculative-config",
        "--structured-outputs-config", "--attention-config", "--pooler-config", "--override-pooler-config",
        "--mm-processor-kwargs", "--media-io-kwargs", "--eplb-config")) {
      m.put(f, Refusal.ANY_OPTION);
    }
    for (String f : List.of("--tokenizer", "--hf-config-path", "--chat-template", "--download-dir", "--load-format",
        "--generation-config", "--allowed-local-media-path", "--ignore-patterns", "--pt-load-map-location",
        "--safetensors-load-strategy", "--profiler-config", "--ssl-keyfile", "--ssl-certfile", "--ssl-ca-certs")) {
      m.put(f, Refusal.FILES);
    }
    for (String f : List.of("--lora-modules", "--enable-lora", "--no-enable-lora", "--default-mm-loras",
        "--qlora-adapter-name-or-path")) {
      m.put(f, Refusal.ADAPTERS);
    }
    for (String f : List.of("--allowed-media-domains", "--hf-token", "--otlp-traces-endpoint", "--kv-events-config",
        "--data-parallel-address", "--data-parallel-rpc-port", "--master-addr", "--master-port", "--headless",
        "--nnodes", "--node-rank", "--weight-transfer-config", "--revision", "--code-revision",
        "--tokenizer-revision")) {
      m.put(f, Refusal.NETWORK);
    }
    for (String f : List.of("--model", "--served-model-name", "--host", "--port", "--uds", "--api-key",
        "--root-path", "--allowed-origins", "--allow-credentials", "--allowed-methods", "--allowed-headers",
        "--ssl-cert-reqs")) {
      m.put(f, Refusal.AIRLOCK_SETS);
    }
    for (String f : List.of("--enable-log-requests", "--no-enable-log-requests", "--disable-log-requests",
        "--no-disable-log-requests", "--enable-log-outputs", "--max-log-len")) {
      m.put(f, Refusal.PROMPT_LOG);
    }
    return Map.copyOf(m);
  }
}
