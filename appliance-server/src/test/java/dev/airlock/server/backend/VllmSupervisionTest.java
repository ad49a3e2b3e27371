package dev.airlock.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.gateway.TestAppliance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a supervised vLLM is started with, proven by the stand-in that records it and refuses anything less. */
class VllmSupervisionTest {
  @TempDir Path dir;

  @Test
  void startsVllmOnLoopbackWithTheVersionsServableDirectoryItsFlagsAndTelemetryOff() throws Exception {
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(), Map.of())) {
      Path weights = Files.createDirectories(dir.resolve("vault/models/llama-3.1-8b"));
      String versionId = appliance.activateVllm("llama-3.1-8b", weights, 1,
          List.of("--tensor-parallel-size", "2", "--quantization", "awq", "--max-model-len", "8192",
              "--gpu-memory-utilization", "0.85"));
      appliance.awaitHealthy("llama-3.1-8b", 1);
      Replica replica = appliance.supervisor().replicas().get("llama-3.1-8b").get(0);
      int port = replica.base().getPort();

      JsonNode launch = appliance.standIn.launch(port);
      List<String> argv = new ArrayList<>();
      launch.get("argv").forEach(a -> argv.add(a.asText()));
      // The directory the server laid out from the vault's blobs, never a path an operator gave.
      Path served = appliance.bean(ServableLayout.class).directory(versionId);
      assertThat(argv).containsExactly("serve", served.toString(), "--served-model-name", "llama-3.1-8b",
          "--host", "127.0.0.1", "--port", Integer.toString(port), "--tensor-parallel-size", "2", "--quantization", "awq",
          "--max-model-len", "8192", "--gpu-memory-utilization", "0.85");
      Map<String, String> env = StandIn.env(launch);
      assertThat(env).containsEntry("VLLM_NO_USAGE_STATS", "1").containsEntry("VLLM_DO_NOT_TRACK", "1")
          .containsEntry("DO_NOT_TRACK", "1").containsEntry("HF_HUB_OFFLINE", "1").containsEntry("TRANSFORMERS_OFFLINE", "1");
      // Nothing but the allowlisted variables (the JVM may add a few of its own when it starts).
      assertThat(env.keySet()).allMatch(k -> VllmLaunch.INHERITED_ENV.contains(k) || VllmLaunch.OFFLINE_ENV.containsKey(k)
          || k.startsWith("JAVA_") || k.equals("PWD") || k.equals("SHLVL") || k.equals("_"), "allowlisted");
      assertThat(argv).doesNotContain("--trust-remote-code");
    }
  }

  @Test
  void theStandInRefusesToStartWithoutTheOfflineAndTelemetryVariables() throws Exception {
    StandIn standIn = StandIn.install(dir);
    ProcessBuilder pb = new ProcessBuilder(standIn.executable().toString(), "serve", "/m", "--port",
        Integer.toString(TestAppliance.freePort()));
    pb.environment().clear();
    pb.environment().put("HF_TOKEN", "hf_should_never_be_here");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(VllmStandIn.EXIT_REFUSED);
    assertThat(output).contains("vllm stand-in refuses to start")
        .contains("VLLM_NO_USAGE_STATS must be 1").contains("HF_HUB_OFFLINE must be 1")
        .contains("a credential is in the environment: HF_TOKEN");
  }

  @Test
  void noTokenOrCredentialOfTheServersEnvironmentReachesVllm() {
    Map<String, String> server = Map.of("PATH", "/usr/bin", "HOME", "/root", "HF_TOKEN", "hf_x",
        "HUGGING_FACE_HUB_TOKEN", "hf_y", "OPENAI_API_KEY", "sk-z", "AWS_SECRET_ACCESS_KEY", "aws",
        "AIRLOCK_GATEWAY_OPERATOR_TOKEN", "op", "CUDA_VISIBLE_DEVICES", "0,1", "VLLM_NO_USAGE_STATS", "0");
    Map<String, String> env = VllmLaunch.environment(server);
    assertThat(env).containsOnlyKeys("PATH", "HOME", "CUDA_VISIBLE_DEVICES", "VLLM_NO_USAGE_STATS", "VLLM_DO_NOT_TRACK",
        "DO_NOT_TRACK", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE");
    assertThat(env).containsEntry("VLLM_NO_USAGE_STATS", "1");
  }
}
