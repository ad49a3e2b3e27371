package dev.airlock.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * vLLM engine flags are checked by allowlist, read as vLLM's FlexibleArgumentParser and argparse
 * read them: every spelling vLLM accepts for a refused flag is refused, with a message naming the
 * argument as written, what is wrong, and where the allowlist is.
 */
class VllmFlagsTest {
  private static final String SEE = "; see docs/gateway.md#vllm-flags";
  private static final String CODE =
      "it runs or imports code (shipped with the model, or a module or plugin it names)";
  private static final String ANY_OPTION = "it takes JSON or a file that can set engine options the allowlist"
      + " keeps out (trust_remote_code among them)";
  private static final String DTYPES = "one of auto, half, float16, bfloat16, float, float32";

  private static void refused(List<String> args, String message) {
    assertThatThrownBy(() -> VllmFlags.check(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("extraArgs: " + message + SEE);
  }

  @Test
  void returnsAllowlistedFlagsAsVllmsCanonicalArgv() {
    List<String> args = List.of("--tensor-parallel-size", "2", "--max_model_len=8192",
        "--gpu-memory-utilization", "0.90", "--dtype=bfloat16", "--enforce_eager", "--no-enable-prefix-caching",
        "--seed", "007", "--kv_cache_dtype", "fp8_e4m3", "--swap-space=0", "--disable-log-stats");

    assertThat(VllmFlags.check(args)).containsExactly("--tensor-parallel-size", "2", "--max-model-len", "8192",
        "--gpu-memory-utilization", "0.9", "--dtype", "bfloat16", "--enforce-eager", "--no-enable-prefix-caching",
        "--seed", "7", "--kv-cache-dtype", "fp8_e4m3", "--swap-space", "0", "--disable-log-stats");
  }

  @Test
  void noArgsIsNoArgs() {
    assertThat(VllmFlags.check(List.of())).isEmpty();
  }

  @Test
  void underscoresAreDashesInTheNameOnlyNeverInTheValue() {
    assertThat(VllmFlags.check(List.of("--kv_cache_dtype=fp8_e5m2", "--no_enable_chunked_prefill")))
        .containsExactly("--kv-cache-dtype", "fp8_e5m2", "--no-enable-chunked-prefill");
    refused(List.of("--quantization", "compressed_tensors"), "'--quantization' does not take 'compressed_tensors':"
        + " it takes one of awq, awq_marlin, bitsandbytes, compressed-tensors, experts_int8, fp8, gguf, gptq,"
        + " gptq_marlin, modelopt, modelopt_fp4, moe_wna16, mxfp4, quark");
  }

  @Test
  void refusesTrustRemoteCodeInEverySpellingVllmAccepts() {
    refused(List.of("--trust-remote-code"), "'--trust-remote-code' is not allowed: " + CODE);
    refused(List.of("--trust_remote_code"),
        "'--trust_remote_code' (vLLM reads it as --trust-remote-code) is not allowed: " + CODE);
    refused(List.of("--trust-remote"),
        "'--trust-remote' abbreviates --trust-remote-code, as vLLM would read it, which is not allowed: " + CODE);
    refused(List.of("--trust_remote_c"),
        "'--trust_remote_c' abbreviates --trust-remote-code, as vLLM would read it, which is not allowed: " + CODE);
  }

  @Test
  void refusesAnAbbreviationOfAnAllowlistedFlagNamingTheFullName() {
    refused(List.of("--tensor-parallel", "2"), "'--tensor-parallel' abbreviates --tensor-parallel-size, as vLLM"
        + " would read it; Airlock takes only full flag names, so write --tensor-parallel-size");
    refused(List.of("--tensor_parallel=2"), "'--tensor_parallel' abbreviates --tensor-parallel-size, as vLLM"
        + " would read it; Airlock takes only full flag names, so write --tensor-parallel-size");
    refused(List.of("--no-enforce", "--seed", "1"), "'--no-enforce' abbreviates --no-enforce-eager, as vLLM"
        + " would read it; Airlock takes only full flag names, so write --no-enforce-eager");
    refused(List.of("--max-num", "8"), "'--max-num' abbreviates several vLLM flags (--max-num-batched-tokens,"
        + " --max-num-seqs); Airlock takes only full flag names");
  }

  @Test
  void refusesFlagsThatSetAnyOptionWhateverTheirSpelling() {
    refused(List.of("--hf_overrides={\"trust_remote_code\":true}"),
        "'--hf_overrides' (vLLM reads it as --hf-overrides) is not allowed: " + ANY_OPTION);
    refused(List.of("--hf-overrides", "{\"trust_remote_code\":true}"), "'--hf-overrides' is not allowed: " + ANY_OPTION);
    refused(List.of("--hf-overrides.trust_remote_code", "true"), "'--hf-overrides.trust_remote_code' sets a field of"
        + " the JSON flag --hf-overrides, which is not allowed: " + ANY_OPTION);
    refused(List.of("--hf_overrides.trust_remote_code=true"), "'--hf_overrides.trust_remote_code' sets a field of"
        + " the JSON flag --hf-overrides, which is not allowed: " + ANY_OPTION);
    refused(List.of("--config", "x.yaml"), "'--config' is not allowed: " + ANY_OPTION);
    refused(List.of("--config=x.yaml"), "'--config' is not allowed: " + ANY_OPTION);
    refused(List.of("--model-loader-extra-config", "{}"), "'--model-loader-extra-config' is not allowed: " + ANY_OPTION);
    refused(List.of("--seed.x", "1"), "'--seed.x' is vLLM's form for a field of a JSON flag;"
        + " no allowlisted flag takes JSON");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      --tokenizer                 | it makes vLLM read files or directories other than the model's copy from the vault
      --chat-template             | it makes vLLM read files or directories other than the model's copy from the vault
      --download-dir              | it makes vLLM read files or directories other than the model's copy from the vault
      --load-format               | it makes vLLM read files or directories other than the model's copy from the vault
      --allowed-local-media-path  | it makes vLLM read files or directories other than the model's copy from the vault
      --lora-modules              | it loads LoRA adapter weights from outside the vault, which no one has reviewed
      --enable-lora               | it loads LoRA adapter weights from outside the vault, which no one has reviewed
      --allowed-media-domains     | it makes vLLM reach or listen on the network beyond the loopback port Airlock assigns
      --otlp-traces-endpoint      | it makes vLLM reach or listen on the network beyond the loopback port Airlock assigns
      --model                     | Airlock sets the model, its served name, the loopback address and the access to it itself
      --host                      | Airlock sets the model, its served name, the loopback address and the access to it itself
      --port                      | Airlock sets the model, its served name, the loopback address and the access to it itself
      --served-model-name         | Airlock sets the model, its served name, the loopback address and the access to it itself
      --api-key                   | Airlock sets the model, its served name, the loopback address and the access to it itself
      --worker-extension-cls      | it runs or imports code (shipped with the model, or a module or plugin it names)
      --tool-parser-plugin        | it runs or imports code (shipped with the model, or a module or plugin it names)
      --enable-log-requests       | it concerns vLLM's request log, which would hold prompts in plain text; Airlock keeps it off and records requests in its encrypted audit log
      --disable-log-requests      | it concerns vLLM's request log, which would hold prompts in plain text; Airlock keeps it off and records requests in its encrypted audit log
      """)
  void refusesEachFlagThatReachesBeyondTheModelWithItsReason(String flag, String reason) {
    refused(List.of(flag, "x"), "'" + flag + "' is not allowed: " + reason);
    String underscored = "--" + flag.substring(2).replace('-', '_');
    if (!underscored.equals(flag)) {
      refused(List.of(underscored + "=x"), "'" + underscored + "' (vLLM reads it as " + flag + ") is not allowed: "
          + reason);
    }
  }

  @Test
  void refusesSingleDashShortFormsNamingTheFullFlag() {
    refused(List.of("-tp", "2"), "'-tp' is vLLM's short form of --tensor-parallel-size; Airlock takes only full"
        + " flag names, so write --tensor-parallel-size");
    refused(List.of("-tp2"), "'-tp2' starts with -tp, which is vLLM's short form of --tensor-parallel-size;"
        + " Airlock takes only full flag names, so write --tensor-parallel-size");
    refused(List.of("-q", "awq"), "'-q' is vLLM's short form of --quantization; Airlock takes only full flag names,"
        + " so write --quantization");
    refused(List.of("-O3"), "'-O3' starts with -O, which is vLLM's short form of --optimization-level, which is not"
        + " on the allowlist");
    refused(List.of("-cc", "{}"), "'-cc' is vLLM's short form of --compilation-config, which is not on the allowlist");
    refused(List.of("-x"), "'-x' is a single-dash flag; Airlock takes only the full --names on its allowlist");
  }

  @Test
  void refusesARepeatedFlagInAnyOfItsSpellings() {
    refused(List.of("--seed", "1", "--seed=2"), "'--seed' is given twice; give each flag once");
    refused(List.of("--max_model_len", "4096", "--max-model-len", "8192"), "'--max-model-len' repeats"
        + " --max-model-len, already given as '--max_model_len'; give each flag once");
    refused(List.of("--enforce-eager", "--no-enforce-eager"), "'--no-enforce-eager' repeats --enforce-eager,"
        + " already given as '--enforce-eager'; give each flag once");
  }

  @Test
  void refusesFlagsHiddenInValues() {
    refused(List.of("--dtype=--trust-remote-code"), "'--dtype=--trust-remote-code' hides a flag in a value:"
        + " a value never starts with '-'; --dtype takes " + DTYPES);
    refused(List.of("--dtype", "--trust-remote-code"), "'--dtype' needs a value: " + DTYPES
        + "; found the flag '--trust-remote-code' instead");
    refused(List.of("--dtype", "--config", "x.yaml"), "'--dtype' needs a value: " + DTYPES
        + "; found the flag '--config' instead");
    refused(List.of("--max-model-len", "-tp"), "'--max-model-len' needs a value: a whole number from 16 to 16777216;"
        + " found the flag '-tp' instead");
  }

  @Test
  void refusesAFlagWithoutItsValue() {
    refused(List.of("--max-model-len"), "'--max-model-len' needs a value: a whole number from 16 to 16777216");
    refused(List.of("--enforce-eager", "--dtype"), "'--dtype' needs a value: " + DTYPES);
  }

  @Test
  void refusesAValueForAFlagThatTakesNone() {
    refused(List.of("--disable-log-stats=true"), "'--disable-log-stats=true': --disable-log-stats takes no value;"
        + " give --disable-log-stats alone to turn it on, leave it out to keep it off");
    refused(List.of("--no_enforce_eager=1"), "'--no_enforce_eager=1': --no-enforce-eager takes no value;"
        + " give --enforce-eager to turn it on or --no-enforce-eager to turn it off");
    refused(List.of("--enforce-eager", "true"), "'true' is not a flag: vLLM would read it as a positional argument"
        + " (Airlock passes the model itself); values follow the flag they belong to");
  }

  @Test
  void refusesPositionalArguments() {
    refused(List.of("/srv/other-model"), "'/srv/other-model' is not a flag: vLLM would read it as a positional"
        + " argument (Airlock passes the model itself); values follow the flag they belong to");
    refused(List.of("--seed", "1", "2"), "'2' is not a flag: vLLM would read it as a positional argument"
        + " (Airlock passes the model itself); values follow the flag they belong to");
    refused(List.of("--", "--seed", "1"), "'--' would make vLLM read every argument after it as a positional"
        + " argument; Airlock passes the model itself");
    refused(List.of(""), "'' is not a flag: vLLM would read it as a positional argument"
        + " (Airlock passes the model itself); values follow the flag they belong to");
  }

  @Test
  void refusesUnknownFlagsAndOtherCases() {
    refused(List.of("--foo_bar", "1"), "'--foo_bar' (vLLM reads it as --foo-bar) is not on Airlock's allowlist"
        + " of vLLM flags");
    refused(List.of("--DTYPE", "auto"), "'--DTYPE' is not on Airlock's allowlist of vLLM flags");
    refused(Arrays.asList("--seed", null), "extraArgs[1] is null");
  }

  @Test
  void checksRangesAndChoices() {
    assertThat(VllmFlags.check(List.of("--gpu-memory-utilization", "1"))).containsExactly("--gpu-memory-utilization", "1");
    assertThat(VllmFlags.check(List.of("--gpu-memory-utilization=0.05"))).containsExactly("--gpu-memory-utilization", "0.05");
    assertThat(VllmFlags.check(List.of("--block-size", "16", "--quantization", "awq", "--max-num-seqs", "256",
        "--cpu-offload-gb", "2.5", "--max-logprobs", "0", "--seed", "4294967295")))
        .containsExactly("--block-size", "16", "--quantization", "awq", "--max-num-seqs", "256",
            "--cpu-offload-gb", "2.5", "--max-logprobs", "0", "--seed", "4294967295");

    String utilization = "it takes a decimal number greater than 0 and at most 1";
    refused(List.of("--gpu-memory-utilization", "0"), "'--gpu-memory-utilization' does not take '0': " + utilization);
    refused(List.of("--gpu-memory-utilization", "1.01"), "'--gpu-memory-utilization' does not take '1.01': " + utilization);
    refused(List.of("--gpu-memory-utilization", "1e-1"), "'--gpu-memory-utilization' does not take '1e-1': " + utilization);
    refused(List.of("--gpu-memory-utilization", "nan"), "'--gpu-memory-utilization' does not take 'nan': " + utilization);
    refused(List.of("--swap-space", "-1"), "'--swap-space' does not take '-1': it takes a decimal number from 0 to 1024");
    refused(List.of("--max-model-len", "32k"), "'--max-model-len' does not take '32k': it takes a whole number"
        + " from 16 to 16777216");
    refused(List.of("--max-model-len", " 8192"), "'--max-model-len' does not take ' 8192': it takes a whole number"
        + " from 16 to 16777216");
    refused(List.of("--max-model-len", "15"), "'--max-model-len' does not take '15': it takes a whole number"
        + " from 16 to 16777216");
    refused(List.of("--tensor-parallel-size", "0"), "'--tensor-parallel-size' does not take '0': it takes a whole"
        + " number from 1 to 64");
    refused(List.of("--tensor-parallel-size", "99999999999999999999"), "'--tensor-parallel-size' does not take"
        + " '99999999999999999999': it takes a whole number from 1 to 64");
    refused(List.of("--seed", "-1"), "'--seed' does not take '-1': it takes a whole number from 0 to 4294967295");
    refused(List.of("--seed", "None"), "'--seed' does not take 'None': it takes a whole number from 0 to 4294967295");
    refused(List.of("--max-logprobs", "-1"), "'--max-logprobs' does not take '-1': it takes a whole number"
        + " from 0 to 1024");
    refused(List.of("--dtype", "fp4"), "'--dtype' does not take 'fp4': it takes " + DTYPES);
    refused(List.of("--dtype="), "'--dtype' does not take '': it takes " + DTYPES);
    refused(List.of("--kv-cache-dtype", "FP8"), "'--kv-cache-dtype' does not take 'FP8': it takes one of auto,"
        + " bfloat16, fp8, fp8_e4m3, fp8_e5m2");
    refused(List.of("--block-size", "48"), "'--block-size' does not take '48': it takes one of 1, 8, 16, 32, 64,"
        + " 128, 256");
  }

  @Test
  void listsTheAllowlistWithEachFlagsValuesAndPurpose() {
    List<VllmFlags.Flag> flags = VllmFlags.allowlist();
    Set<String> names = new HashSet<>();
    for (VllmFlags.Flag f : flags) {
      assertThat(f.name()).matches("--[a-z0-9]+(-[a-z0-9]+)*");
      assertThat(names.add(f.name())).as("listed once: " + f.name()).isTrue();
      assertThat(f.description()).isNotBlank();
      assertThat(f.value().describe()).isNotBlank();
      assertThat(f.negation().isPresent()).as(f.name()).isEqualTo(f.value() instanceof VllmFlags.OnOff);
    }
    assertThat(names).contains("--tensor-parallel-size", "--pipeline-parallel-size", "--data-parallel-size",
        "--max-model-len", "--gpu-memory-utilization", "--dtype", "--quantization", "--kv-cache-dtype",
        "--max-num-seqs", "--max-num-batched-tokens", "--enable-prefix-caching", "--enforce-eager", "--block-size",
        "--swap-space", "--cpu-offload-gb", "--enable-chunked-prefill", "--seed", "--max-logprobs",
        "--disable-log-stats");
    VllmFlags.Flag eager = flags.stream().filter(f -> f.name().equals("--enforce-eager")).findFirst().orElseThrow();
    assertThat(eager.negation()).contains("--no-enforce-eager");
    assertThat(eager.takesValue()).isFalse();
  }

  @Test
  void everyAllowlistedFlagHasItsRowInTheDocs() throws Exception {
    String doc = Files.readString(Path.of("../docs/gateway.md"));
    int start = doc.indexOf("\n## vLLM flags\n");
    assertThat(start).as("docs/gateway.md has a '## vLLM flags' section").isNotNegative();
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    for (VllmFlags.Flag f : VllmFlags.allowlist()) {
      assertThat(section).as("the row of " + f.name())
          .contains("| `" + f.name() + "` | " + f.value().describe() + " | " + f.description() + " |");
    }
    assertThat(section.lines().filter(l -> l.startsWith("| `--")).count())
        .as("no row for a flag that is not on the allowlist").isEqualTo(VllmFlags.allowlist().size());
  }
}
