package dev.airlock.audit.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transparency-dev proof vector (test resources, see merkle/README.md), wantErr cases included. */
class ProofVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> vectors(String kind) throws IOException, URISyntaxException {
    Path root = Path.of(ProofVectorsTest.class.getResource("/merkle/" + kind).toURI());
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.toString().endsWith(".json")).sorted().forEach(p ->
          out.add(Arguments.of(root.relativize(p).toString(), p)));
    }
    return out.stream();
  }

  static Stream<Arguments> inclusionVectors() throws Exception {
    return vectors("inclusion");
  }

  static Stream<Arguments> consistencyVectors() throws Exception {
    return vectors("consistency");
  }

  @Test
  void allVectorsArePresent() throws Exception {
    assertThat(inclusionVectors().count()).isEqualTo(98);
    assertThat(consistencyVectors().count()).isEqualTo(98);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inclusionVectors")
  void inclusionProofMatchesRfc9162Vectors(String name, Path file) throws IOException {
    JsonNode v = JSON.readTree(file.toFile());
    assertOutcome(name, v, () -> ProofVerifier.verifyInclusion(v.get("leafIdx").asLong(), v.get("treeSize").asLong(),
        b64(v.get("leafHash")), hashes(v.get("proof")), b64(v.get("root"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consistencyVectors")
  void consistencyProofMatchesRfc9162Vectors(String name, Path file) throws IOException {
    JsonNode v = JSON.readTree(file.toFile());
    assertOutcome(name, v, () -> ProofVerifier.verifyConsistency(v.get("size1").asLong(), v.get("size2").asLong(),
        b64(v.get("root1")), b64(v.get("root2")), hashes(v.get("proof"))));
  }

  interface Verification {
    void run() throws ProofException;
  }

  /** A wantErr vector must be rejected with a ProofException; any other must verify. */
  private static void assertOutcome(String name, JsonNode v, Verification verification) {
    if (v.get("wantErr").asBoolean()) {
      assertThatThrownBy(verification::run).as(name + ": " + v.get("desc").asText()).isInstanceOf(ProofException.class);
    } else {
      assertThatCode(verification::run).as(name).doesNotThrowAnyException();
    }
  }

  private static byte[] b64(JsonNode n) {
    return n == null || n.isNull() ? new byte[0] : Base64.getDecoder().decode(n.asText());
  }

  private static List<byte[]> hashes(JsonNode n) {
    List<byte[]> out = new ArrayList<>();
    if (n != null && !n.isNull()) {
      n.forEach(h -> out.add(b64(h)));
    }
    return out;
  }
}
