package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code airlock bundle import FILE --server URL}: what the CLI sends and how it reports the
 * answer, against a stand-in for {@code POST /admin/bundles} (the installer cannot depend on the
 * server; the real round trip is the server's BundleUploadTest).
 */
class BundleUploadCommandTest {
  private static final String TOKEN = "operator-secret";

  @TempDir Path tmp;
  private HttpServer server;
  private Path bundle;
  /** What the stand-in saw of each request: method, path, headers, SHA-256 of the body. */
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile int status;
  private volatile String answer;

  record Seen(String method, String path, String contentType, String authorization, String contentLength,
              String bodySha256, long bodyBytes) {}

  @BeforeEach
  void start() throws IOException {
    byte[] content = new byte[5 << 20];
    new Random(3).nextBytes(content);
    bundle = Files.write(tmp.resolve("model.tar"), content);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      var h = exchange.getRequestHeaders();
      MessageDigest sha = sha256();
      long n = 0;
      try (InputStream in = exchange.getRequestBody()) {
        byte[] buf = new byte[64 << 10];
        for (int r; (r = in.read(buf)) > 0; n += r) sha.update(buf, 0, r);
      }
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), h.getFirst("Content-Type"),
          h.getFirst("Authorization"), h.getFirst("Content-Length"), HexFormat.of().formatHex(sha.digest()), n));
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void answers(int status, String json) {
    this.status = status;
    this.answer = json;
  }

  private static final String IMPORTED = """
      {"outcome":"imported","message":"Imported qwen-tiny 1.0","model":"qwen-tiny","version":"1.0",
       "versionId":"v-1","state":"IMPORTED","bundleId":"b-1","files":3,"newBlobs":3,"bytesCopied":3145800,
       "transferSigner":"org-transfer","publisherSignature":{"status":"ABSENT","detail":"the model directory carries no model.sig"}}""";

  @Test
  void streamsTheFileWithTheTokenAndPrintsTheImport() throws Exception {
    answers(201, IMPORTED);

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url(), "--token", TOKEN);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(seen).hasSize(1);
    Seen s = seen.getFirst();
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.path()).isEqualTo("/admin/bundles");
    assertThat(s.contentType()).isEqualTo("application/x-tar");
    assertThat(s.authorization()).isEqualTo("Bearer " + TOKEN);
    assertThat(s.contentLength()).as("sent with its length, not buffered or chunked").isEqualTo(String.valueOf(Files.size(bundle)));
    assertThat(s.bodyBytes()).isEqualTo(Files.size(bundle));
    assertThat(s.bodySha256()).isEqualTo(HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(bundle))));
    assertThat(r.out()).contains("Imported qwen-tiny 1.0 into " + url())
        .contains("  state:      IMPORTED")
        .contains("  files:      3 (3 new blobs, 3145800 bytes copied)")
        .contains("  signed by:  transfer key 'org-transfer'")
        .contains("  publisher signature: ABSENT (the model directory carries no model.sig)");
  }

  @Test
  void printsTheServersWordsWhenTheBundleWasAlreadyThere() {
    answers(200, IMPORTED.replace("\"outcome\":\"imported\"", "\"outcome\":\"already_present\"")
        .replace("\"message\":\"Imported qwen-tiny 1.0\"",
            "\"message\":\"Already in the vault: qwen-tiny 1.0 (bundle b-1); nothing changed\""));

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url(), "--token", TOKEN);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Already in the vault: qwen-tiny 1.0 (bundle b-1); nothing changed");
  }

  @Test
  void aRefusalExitsOneWithTheServersReason() {
    answers(422, """
        {"error":{"message":"'model/w.safetensors' has SHA-256 aa but the signed manifest says bb: the file was altered or damaged. Ask for a fresh copy.",
        "type":"invalid_request_error","param":null,"code":"bundle_content_mismatch"}}""");

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url(), "--token", TOKEN);

    assertThat(r.exit()).isEqualTo(VaultExits.REFUSED);
    assertThat(r.err()).contains("airlock bundle import: REFUSED (content mismatch): 'model/w.safetensors' has SHA-256 aa"
        + " but the signed manifest says bb: the file was altered or damaged. Ask for a fresh copy.");
  }

  @Test
  void aRejectedTokenCannotRunAndSaysWhatToCheck() {
    answers(401, """
        {"error":{"message":"The operator token is not valid.","type":"invalid_request_error","param":null,"code":"unauthorized"}}""");

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url(), "--token", "wrong");

    assertThat(r.exit()).isEqualTo(VaultExits.CANNOT_RUN);
    assertThat(r.err()).contains(url() + "admin/bundles answered HTTP 401: The operator token is not valid.")
        .contains("check the operator token (AIRLOCK_TOKEN or --token)");
  }

  @Test
  void anUnreachableServerNamesTheUrlAndWhatToCheck() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String down = "http://127.0.0.1:" + closed;

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", down, "--token", TOKEN);

    assertThat(r.exit()).isEqualTo(VaultExits.CANNOT_RUN);
    assertThat(r.err()).contains("cannot reach the server at " + down + "/admin/bundles")
        .contains("check the URL and port, that the server is running");
  }

  @Test
  void serverAndDataDirExcludeEachOther() {
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url(), "--token", TOKEN,
        "--data-dir", tmp.resolve("data").toString());

    assertThat(r.exit()).isEqualTo(VaultExits.USAGE);
    assertThat(r.err()).contains("--server and --data-dir exclude each other");
    assertThat(seen).isEmpty();
  }

  @Test
  void aTokenWithoutServerIsAUsageError() {
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--token", TOKEN);

    assertThat(r.exit()).isEqualTo(VaultExits.USAGE);
    assertThat(r.err()).contains("--token is for --server URL");
  }

  @Test
  void withoutATokenTheUploadDoesNotStartAndPointsAtAirlockToken() {
    assumeTrue(System.getenv("AIRLOCK_TOKEN") == null, "AIRLOCK_TOKEN is set in this environment");

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(), "--server", url());

    assertThat(r.exit()).isEqualTo(VaultExits.USAGE);
    assertThat(r.err()).contains("--server needs the operator token: set AIRLOCK_TOKEN");
    assertThat(seen).isEmpty();
  }
}
