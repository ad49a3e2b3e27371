package dev.airlock.server.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact command line and environment a supervised vLLM replica gets: bound to loopback, served
 * under the model's id, telemetry off, hubs offline, and an environment built from an allowlist so
 * that no token or credential of the server's own environment reaches it.
 */
public final class VllmLaunch {
  /** Set for every vLLM process: no usage stats, no tracking, no model hub, no remote downloads. */
  public static final Map<String, String> OFFLINE_ENV = orderedOf(
      "VLLM_NO_USAGE_STATS", "1",
      "VLLM_DO_NOT_TRACK", "1",
      "DO_NOT_TRACK", "1",
      "HF_HUB_OFFLINE", "1",
      "TRANSFORMERS_OFFLINE", "1");

  /** The only variables copied from the server's environment: what a Python process needs to find itself and the GPUs. */
  static final Set<String> INHERITED_ENV = Set.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ",
      "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "NVIDIA_VISIBLE_DEVICES", "VIRTUAL_ENV");

  private VllmLaunch() {}

  /** {@code executable} is the installation's ({@code airlock.gateway.vllm-executable}), never a model's. */
  public static List<String> command(String executable, ServedModel model, BackendSpec.Vllm spec, int port) {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable);
    cmd.add("serve");
    cmd.add(model.servedFrom());
    cmd.add("--served-model-name");
    cmd.add(model.id());
    cmd.add("--host");
    cmd.add("127.0.0.1");
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    cmd.addAll(spec.extraArgs());
    return cmd;
  }

  public static Map<String, String> environment(Map<String, String> serverEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : INHERITED_ENV) {
      String value = serverEnv.get(name);
      if (value != null) env.put(name, value);
    }
    env.putAll(OFFLINE_ENV);
    return env;
  }

  private static Map<String, String> orderedOf(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return java.util.Collections.unmodifiableMap(m);
  }
}
