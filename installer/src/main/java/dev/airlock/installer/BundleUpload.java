package dev.airlock.installer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * Streams a bundle file to a running server's {@code POST /admin/bundles} with the JDK's HTTP
 * client: the file is read in chunks as the socket takes them, never held in memory, and every
 * chunk handed to the connection advances the progress display.
 */
final class BundleUpload {
  static final String PATH = "/admin/bundles";
  static final String TAR = "application/x-tar";
  /** Connecting should be quick on the appliance's own network; the upload itself has no limit. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The server's answer: its status and JSON body (an empty object when it sent none). */
  record Answer(int status, JsonNode body) {}

  private BundleUpload() {}

  static URI endpoint(URI server) {
    String base = server.toString().replaceAll("/+$", "");
    return URI.create(base + PATH);
  }

  static Answer send(URI server, String token, Path bundle, TransferProgress progress)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher file = HttpRequest.BodyPublishers.ofFile(bundle);
    HttpRequest request = HttpRequest.newBuilder(endpoint(server))
        .header("Content-Type", TAR)
        .header("Authorization", "Bearer " + token)
        .POST(counted(file, progress))
        .build();
    HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .version(HttpClient.Version.HTTP_1_1).build();
    progress.start("Uploading", file.contentLength());
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } finally {
      progress.finish();
    }
    String body = response.body();
    JsonNode json;
    try {
      json = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      json = JSON.createObjectNode().put("error_text", body);
    }
    return new Answer(response.statusCode(), json);
  }

  /** The file's bytes as the client sends them, counted for the progress display. */
  private static HttpRequest.BodyPublisher counted(HttpRequest.BodyPublisher file, TransferProgress progress) {
    return new HttpRequest.BodyPublisher() {
      @Override
      public long contentLength() {
        return file.contentLength();
      }

      @Override
      public void subscribe(Flow.Subscriber<? super ByteBuffer> downstream) {
        file.subscribe(new Flow.Subscriber<ByteBuffer>() {
          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            downstream.onSubscribe(subscription);
          }

          @Override
          public void onNext(ByteBuffer item) {
            progress.advance(item.remaining());
            downstream.onNext(item);
          }

          @Override
          public void onError(Throwable throwable) {
            downstream.onError(throwable);
          }

          @Override
          public void onComplete() {
            downstream.onComplete();
          }
        });
      }
    };
  }
}
