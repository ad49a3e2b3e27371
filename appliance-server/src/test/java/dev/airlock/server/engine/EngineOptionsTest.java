package dev.airlock.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineOptionsTest {
  private static final List<String> REQUIRED = List.of("--model", "/vault/m.gguf", "--port", "8123", "--served-model-name", "chat");

  private static List<String> with(String... more) {
    List<String> args = new java.util.ArrayList<>(REQUIRED);
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void parsesEveryOptionAndDefaultsTheRest() {
    EngineOptions o = EngineOptions.parse(with("--threads", "3", "--ctx-size", "4096", "--embeddings", "--host", "::1"));

    assertThat(o).isEqualTo(new EngineOptions(Path.of("/vault/m.gguf"), "::1", 8123, "chat", 3, 4096, true));
    EngineOptions defaults = EngineOptions.parse(REQUIRED);
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.ctxSize()).isEqualTo(EngineOptions.DEFAULT_CTX_SIZE);
    assertThat(defaults.threads()).isEqualTo(EngineOptions.defaultThreads());
    assertThat(defaults.embeddings()).isFalse();
  }

  @Test
  void rejectsNumbersOutOfRangeOrNotNumbers() {
    assertThatThrownBy(() -> EngineOptions.parse(with("--threads", "0")))
        .hasMessage("--threads must be a whole number from 1 to 1024, got '0'");
    assertThatThrownBy(() -> EngineOptions.parse(List.of("--model", "m.gguf", "--port", "http", "--served-model-name", "x")))
        .hasMessage("--port must be a whole number from 1 to 65535, got 'http'");
    assertThatThrownBy(() -> EngineOptions.parse(with("--ctx-size", "8")))
        .hasMessage("--ctx-size must be a whole number from 16 to 1048576, got '8'");
  }

  @Test
  void rejectsUnknownOptionsMissingValuesAndHostNames() {
    assertThatThrownBy(() -> EngineOptions.parse(with("--gpu-layers", "99"))).hasMessage("unknown option '--gpu-layers'");
    assertThatThrownBy(() -> EngineOptions.parse(with("--threads"))).hasMessage("--threads needs a value");
    // A name would need a lookup, and could resolve anywhere: only loopback literals are accepted.
    assertThatThrownBy(() -> EngineOptions.parse(with("--host", "localhost")))
        .hasMessageStartingWith("--host must be a loopback address (127.0.0.1 or ::1), got 'localhost'");
    assertThatThrownBy(() -> EngineOptions.parse(with("--host", "10.0.0.5")))
        .hasMessageStartingWith("--host must be a loopback address");
  }
}
