package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.sse.Event;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/**
 * The pipeline handler on its own, with a stand-in for Micronaut's handler behind it: what it takes
 * and what it leaves to Micronaut, answers in request order across the two, holding input while it
 * serves, a stream cancelled by a client that goes away, and {@code Connection: close}.
 */
class GatewayFastPathTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final byte[] BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
      .getBytes(StandardCharsets.UTF_8);

  /** Records what reaches Micronaut's place in the pipeline, and the reads asked of the socket. */
  static final class Behind extends ChannelDuplexHandler {
    final List<Object> received = new ArrayList<>();
    ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      received.add(msg);
    }

    List<String> requests() {
      return received.stream().filter(m -> m instanceof HttpRequest).map(m -> ((HttpRequest) m).uri()).toList();
    }

    /** Micronaut answering its oldest open request. */
    void answer(String text) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      ctx.writeAndFlush(r);
    }
  }

  /** The gateway's side: each call recorded, answered when the test says. */
  static final class Calls implements GatewayFastPath.Inference {
    final List<String> routes = new ArrayList<>();
    final List<byte[]> bodies = new ArrayList<>();
    final List<GatewayRequest> requests = new ArrayList<>();
    final List<CompletableFuture<GatewayAnswer>> answers = new ArrayList<>();

    @Override
    public CompletableFuture<GatewayAnswer> infer(String route, GatewayRequest request, byte[] body) {
      routes.add(route);
      bodies.add(body);
      requests.add(request);
      CompletableFuture<GatewayAnswer> f = new CompletableFuture<>();
      answers.add(f);
      return f;
    }
  }

  final Calls calls = new Calls();
  final Behind behind = new Behind();
  final EmbeddedChannel channel = new EmbeddedChannel(new GatewayFastPath(calls, 1024), behind);

  private static HttpRequest post(String uri, byte[] body) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.AUTHORIZATION, "Bearer alk_test");
    return r;
  }

  private void send(HttpRequest head, byte[] body) {
    channel.writeInbound(head);
    int half = body.length / 2;
    channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, half)));
    channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body, half, body.length - half)));
  }

  private void sendGet(String uri) {
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
  }

  /** Becomes true when a read reaches the socket's end of the pipeline. */
  private AtomicBoolean readsOfTheSocket() {
    AtomicBoolean asked = new AtomicBoolean();
    channel.pipeline().addFirst(new ChannelDuplexHandler() {
      @Override
      public void read(ChannelHandlerContext ctx) {
        asked.set(true);
      }
    });
    return asked;
  }

  private static GatewayAnswer ok(String json) {
    return GatewayAnswer.json(200, json.getBytes(StandardCharsets.UTF_8)).header("x-request-id", "req_1");
  }

  private List<String> written() {
    List<String> out = new ArrayList<>();
    Object m;
    while ((m = channel.readOutbound()) != null) {
      if (m instanceof HttpResponse r) out.add("head " + r.status().code());
      if (m instanceof HttpContent c && c.content().isReadable()) out.add(c.content().toString(StandardCharsets.UTF_8));
      if (m instanceof LastHttpContent) out.add("end");
      io.netty.util.ReferenceCountUtil.release(m);
    }
    return out;
  }

  @Test
  void takesAPlainInferenceRequestWithItsWholeBodyAndHeaders() {
    send(post(CHAT, BODY), BODY);
    assertThat(calls.routes).containsExactly(CHAT);
    assertThat(calls.bodies.getFirst()).isEqualTo(BODY);
    assertThat(calls.requests.getFirst().header("Authorization")).isEqualTo("Bearer alk_test");
    assertThat(behind.received).isEmpty();
    calls.answers.getFirst().complete(ok("{\"a\":1}").header("x-airlock-overhead-ms", "0.100"));
    channel.runPendingTasks();
    Object out = channel.readOutbound();
    assertThat(out).isInstanceOf(FullHttpResponse.class);
    FullHttpResponse r = (FullHttpResponse) out;
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.headers().getInt("content-length")).isEqualTo(7);
    assertThat(r.headers().get("x-request-id")).isEqualTo("req_1");
    assertThat(r.headers().get("x-airlock-overhead-ms")).isEqualTo("0.100");
    assertThat(r.headers().get("date")).endsWith(" GMT");
    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    r.release();
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void leavesEverythingButPlainInferenceRequestsToMicronaut() {
    GatewayFastPath handler = new GatewayFastPath(calls, 1024);
    HttpRequest chunked = post(CHAT, BODY);
    chunked.headers().remove(HttpHeaderNames.CONTENT_LENGTH).set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    HttpRequest expect = post(CHAT, BODY);
    expect.headers().set(HttpHeaderNames.EXPECT, "100-continue");
    HttpRequest gzip = post(CHAT, BODY);
    gzip.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    HttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, CHAT);
    http10.headers().set(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
    HttpRequest tooLarge = post(CHAT, new byte[1025]);
    HttpRequest twoLengths = post(CHAT, BODY);
    twoLengths.headers().add(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
    for (HttpRequest r : List.of(chunked, expect, gzip, http10, tooLarge, twoLengths, post(CHAT + "?x=1", BODY),
        post("/v1/models", BODY), post("/v1/chat/complete", BODY),
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, CHAT))) {
      assertThat(handler.takes(r)).as(r.method() + " " + r.uri() + " " + r.headers().names()).isNull();
    }
    for (String route : List.of(CHAT, "/v1/completions", "/v1/embeddings")) {
      assertThat(handler.takes(post(route, BODY))).isEqualTo(route);
    }
    assertThat(handler.takes(post(CHAT, new byte[1024]))).isEqualTo(CHAT);

    send(chunked, BODY);
    assertThat(behind.requests()).containsExactly(CHAT);
    assertThat(behind.received).hasSize(3);
    assertThat(calls.routes).isEmpty();
  }

  @Test
  void aRequestAfterOneMicronautServesWaitsForThatAnswer() {
    sendGet("/v1/models");
    send(post(CHAT, BODY), BODY);
    assertThat(behind.requests()).containsExactly("/v1/models");
    assertThat(calls.routes).as("not before Micronaut's answer is written").isEmpty();
    behind.answer("models");
    channel.runPendingTasks();
    assertThat(calls.routes).containsExactly(CHAT);
    calls.answers.getFirst().complete(ok("chat"));
    channel.runPendingTasks();
    assertThat(written()).containsExactly("head 200", "models", "end", "head 200", "chat", "end");
  }

  @Test
  void whatArrivesWhileItServesIsHeldAndReadingPausesUntilItsAnswerIsWritten() {
    send(post(CHAT, BODY), BODY);
    sendGet("/v1/models");
    send(post("/v1/embeddings", BODY), BODY);
    assertThat(behind.received).as("held while the first is served").isEmpty();
    AtomicBoolean readAsked = readsOfTheSocket();
    behind.ctx.read();
    assertThat(readAsked).as("a read asked for while serving is held back").isFalse();

    calls.answers.getFirst().complete(ok("chat"));
    channel.runPendingTasks();
    assertThat(behind.requests()).containsExactly("/v1/models");
    assertThat(calls.routes).as("the embeddings request waits for Micronaut's answer").containsExactly(CHAT);
    assertThat(readAsked).as("the held read is issued once nothing is held").isTrue();
    behind.answer("models");
    channel.runPendingTasks();
    assertThat(calls.routes).containsExactly(CHAT, "/v1/embeddings");
    calls.answers.get(1).complete(ok("embeddings"));
    channel.runPendingTasks();
    assertThat(written()).containsExactly("head 200", "chat", "end", "head 200", "models", "end", "head 200", "embeddings", "end");
  }

  @Test
  void theSocketIsReadWhileARequestIsServedSoThatAClientGoingAwayIsSeen() {
    send(post(CHAT, BODY), BODY);
    AtomicBoolean readAsked = readsOfTheSocket();
    behind.ctx.read();
    assertThat(readAsked).isTrue();
  }

  @Test
  void aStreamIsWrittenEventByEventAndTheConnectionStaysOpen() {
    send(post(CHAT, BODY), BODY);
    Sinks.Many<Event<String>> events = Sinks.many().unicast().onBackpressureBuffer();
    calls.answers.getFirst().complete(GatewayAnswer.stream(events.asFlux()).header("cache-control", "no-cache"));
    channel.runPendingTasks();
    HttpResponse head = channel.readOutbound();
    assertThat(head.headers().get("content-type")).isEqualTo("text/event-stream");
    assertThat(head.headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(head.headers().get("cache-control")).isEqualTo("no-cache");
    events.tryEmitNext(Event.of("{\"x\":1}"));
    events.tryEmitNext(Event.of("two\nlines"));
    events.tryEmitNext(Event.of("[DONE]"));
    events.tryEmitComplete();
    channel.runPendingTasks();
    assertThat(written()).containsExactly("data: {\"x\":1}\n\n", "data: two\ndata: lines\n\n", "data: [DONE]\n\n", "end");
    assertThat(channel.isActive()).isTrue();
    send(post(CHAT, BODY), BODY);
    assertThat(calls.routes).as("the next request on the connection").hasSize(2);
  }

  @Test
  void aClientThatGoesAwayCancelsTheStream() {
    send(post(CHAT, BODY), BODY);
    AtomicBoolean cancelled = new AtomicBoolean();
    Sinks.Many<Event<String>> events = Sinks.many().unicast().onBackpressureBuffer();
    calls.answers.getFirst().complete(GatewayAnswer.stream(events.asFlux().doOnCancel(() -> cancelled.set(true))));
    channel.runPendingTasks();
    events.tryEmitNext(Event.of("{\"x\":1}"));
    assertThat(cancelled).isFalse();
    channel.close();
    assertThat(cancelled).isTrue();
  }

  @Test
  void aStreamWhoseClientIsAlreadyGoneIsCancelledAtOnce() {
    send(post(CHAT, BODY), BODY);
    channel.close();
    AtomicBoolean cancelled = new AtomicBoolean();
    Sinks.Many<Event<String>> events = Sinks.many().unicast().onBackpressureBuffer();
    calls.answers.getFirst().complete(GatewayAnswer.stream(events.asFlux().doOnCancel(() -> cancelled.set(true))));
    channel.runPendingTasks();
    assertThat(cancelled).isTrue();
  }

  @Test
  void connectionCloseIsHonoured() {
    HttpRequest r = post(CHAT, BODY);
    r.headers().set(HttpHeaderNames.CONNECTION, "close");
    send(r, BODY);
    calls.answers.getFirst().complete(ok("{}"));
    channel.runPendingTasks();
    FullHttpResponse out = channel.readOutbound();
    assertThat(out.headers().get("connection")).isEqualTo("close");
    out.release();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aLargeBodyArrivingInPiecesReachesTheGatewayWhole() {
    EmbeddedChannel big = new EmbeddedChannel(new GatewayFastPath(calls, 1 << 20), new Behind());
    byte[] body = new byte[300_001];
    for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + i / 7);
    big.writeInbound(post(CHAT, body));
    int piece = 7 * 1024;
    for (int from = 0; from < body.length; from += piece) {
      int n = Math.min(piece, body.length - from);
      big.writeInbound(from + n < body.length ? new DefaultHttpContent(Unpooled.copiedBuffer(body, from, n))
          : new DefaultLastHttpContent(Unpooled.copiedBuffer(body, from, n)));
    }
    assertThat(calls.bodies).hasSize(1);
    assertThat(calls.bodies.getFirst()).isEqualTo(body);
  }

  @Test
  void anEmptyBodyStillReachesTheGatewayWhichRefusesIt() {
    HttpRequest r = post(CHAT, new byte[0]);
    channel.writeInbound(r);
    channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(calls.bodies).hasSize(1);
    assertThat(calls.bodies.getFirst()).isEmpty();
  }

  @Test
  void serverSentEventsAreEncodedAsMicronautEncodesThem() {
    ByteBuf one = GatewayFastPath.sse("{\"a\":1}");
    ByteBuf two = GatewayFastPath.sse("a\nb\n");
    assertThat(one.toString(StandardCharsets.UTF_8)).isEqualTo("data: {\"a\":1}\n\n");
    assertThat(two.toString(StandardCharsets.UTF_8)).isEqualTo("data: a\ndata: b\n\n\n");
    one.release();
    two.release();
  }

  @Test
  void heldMessagesAreReleasedWhenTheConnectionCloses() {
    send(post(CHAT, BODY), BODY);
    HttpContent held = new DefaultHttpContent(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/admin/bundles"));
    channel.writeInbound(held);
    assertThat(held.refCnt()).isEqualTo(1);
    channel.close();
    assertThat(held.refCnt()).isZero();
    assertThat(behind.received).isEmpty();
  }
}
