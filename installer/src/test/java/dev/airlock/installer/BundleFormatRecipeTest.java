package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/bundle-format.md tells others how to make a bundle without Airlock. This runs that recipe,
 * as printed, with python3, openssl and GNU tar, and checks that Airlock accepts the result.
 */
class BundleFormatRecipeTest {
  @TempDir Path work;

  @Test
  void aBundleMadeByTheDocumentedRecipeVerifies() throws Exception {
    assumeTrue(onPath("python3") && onPath("openssl") && onPath("tar"),
        "python3, openssl and tar are needed to run the documented recipe: skipped");
    Path doc = Path.of("..", "docs", "bundle-format.md");
    String recipe = Files.readString(doc).split("## 5\\. Making a bundle without Airlock")[1]
        .split("```sh\n")[1].split("```")[0]
        .replace("airlock bundle verify", "true");
    Files.createDirectories(work.resolve("m/sub"));
    Files.writeString(work.resolve("m/config.json"), "{\"model_type\":\"llama\"}");
    Files.write(work.resolve("m/sub/weights.bin"), new byte[70_000]);
    sh("openssl ecparam -name prime256v1 -genkey -noout -out transfer.pem"
        + " && openssl pkey -in transfer.pem -pubout -out transfer-public.pem");
    sh(recipe);

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "verify",
        work.resolve("my-model-1.0.tar").toString(), "--trust-key",
        work.resolve("transfer-public.pem").toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("model:     my-model 1.0").contains("files:     2");
  }

  private void sh(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-euc", script).directory(work.toFile())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }
}
