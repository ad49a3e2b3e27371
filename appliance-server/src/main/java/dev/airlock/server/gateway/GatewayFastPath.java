package dev.airlock.server.gateway;

import io.micronaut.http.sse.Event;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;

/**
 * Serves {@code POST /v1/chat/completions}, {@code /v1/completions} and {@code /v1/embeddings} on
 * an HTTP/1.1 connection's Netty pipeline, ahead of Micronaut's routing, filters and response
 * encoding, which took about a third of the request path's CPU in the gateway benchmark. It calls
 * the same {@link Gateway} as {@link GatewayController} and writes the same status, headers and
 * bytes. It takes only plain requests: HTTP/1.1, exactly one of those paths, a Content-Length within
 * the server's buffer limit, no {@code Expect}, no transfer or content encoding. Everything else
 * (every other route, chunked or compressed bodies, a body beyond the limit) passes to Micronaut
 * untouched, so each edge case keeps the one behaviour Micronaut gives it.
 *
 * <p>Answers leave in the order the requests came, as HTTP/1.1 requires of a client that pipelines:
 * a request this handler takes waits until Micronaut has written its answers to the requests
 * before it, and while this handler serves one, whatever arrives next is held (and the socket not
 * read further) until its answer is written. A client that goes away cancels the backend request,
 * as through Micronaut: the socket is read while a request is served, so its closing is seen.
 *
 * <p>One instance per connection; everything runs on the connection's event loop except the
 * events of a stream, which Netty hands to that loop in order.
 */
final class GatewayFastPath extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayFastPath.class);
  static final Set<String> ROUTES = Set.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/rerank",
      "/v1/score");
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

  private enum State { IDLE, TAKING, WAITING, SERVING }

  /** {@link Gateway#infer}: the answer to one inference request. */
  @FunctionalInterface
  interface Inference {
    CompletableFuture<GatewayAnswer> infer(String route, GatewayRequest request, byte[] body);
  }

  private final Inference gateway;
  private final long maxBody;
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  /** Messages that arrived while this handler's request was waiting or being served, in order. */
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  /** Micronaut asked for more input while it was held back. */
  private boolean readHeld;
  /** Requests passed to Micronaut whose answer has not been written completely yet. */
  private int micronautOpen;
  private Taken taken;
  private BaseSubscriber<Event<String>> stream;

  GatewayFastPath(Inference gateway, long maxBody) {
    this.gateway = gateway;
    this.maxBody = maxBody;
  }

  /**
   * A request this handler took, its body filling in. The body grows as its bytes arrive, so that a
   * client that announces a large body and sends nothing holds no more memory than it sent.
   */
  private static final class Taken {
    private static final int FIRST = 64 * 1024;
    final String route;
    final HttpHeaders headers;
    final boolean keepAlive;
    final int length;
    byte[] body;
    int filled;

    Taken(String route, HttpRequest request, int length) {
      this.route = route;
      this.headers = request.headers();
      this.keepAlive = HttpUtil.isKeepAlive(request);
      this.length = length;
      this.body = new byte[Math.min(length, FIRST)];
    }

    void add(ByteBuf b) {
      int n = Math.min(b.readableBytes(), length - filled);
      if (filled + n > body.length) body = Arrays.copyOf(body, (int) Math.min(length, Math.max(2L * body.length, filled + n)));
      b.readBytes(body, filled, n);
      filled += n;
    }
  }

  /** The route this handler serves the request on, or null to leave it to Micronaut. */
  String takes(HttpRequest request) {
    if (request.method() != HttpMethod.POST || request.protocolVersion() != HttpVersion.HTTP_1_1
        || !request.decoderResult().isSuccess() || !ROUTES.contains(request.uri())) {
      return null;
    }
    HttpHeaders h = request.headers();
    if (h.contains(HttpHeaderNames.EXPECT) || h.contains(HttpHeaderNames.TRANSFER_ENCODING)
        || h.contains(HttpHeaderNames.CONTENT_ENCODING)) {
      return null;
    }
    String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length == null || h.getAll(HttpHeaderNames.CONTENT_LENGTH).size() != 1) return null;
    try {
      long n = Long.parseLong(length.trim());
      return n >= 0 && n <= maxBody && n <= Integer.MAX_VALUE - 8 ? request.uri() : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (blocked() || !held.isEmpty()) {
      held.add(msg);
    } else {
      accept(msg);
    }
  }

  /** This handler's request is complete and waiting or being served: the next message must wait. */
  private boolean blocked() {
    return state == State.WAITING || state == State.SERVING;
  }

  /** Takes the message or passes it to Micronaut; true when it went to Micronaut. */
  private boolean accept(Object msg) {
    if (state == State.TAKING && msg instanceof HttpContent content) {
      fill(content);
      return false;
    }
    if (msg instanceof HttpRequest request) {
      String route = takes(request);
      if (route != null) {
        taken = new Taken(route, request, Integer.parseInt(request.headers().get(HttpHeaderNames.CONTENT_LENGTH).trim()));
        state = State.TAKING;
        ReferenceCountUtil.release(msg);
        return false;
      }
      micronautOpen++;
    }
    ctx.fireChannelRead(msg);
    return true;
  }

  private void fill(HttpContent content) {
    try {
      taken.add(content.content());
    } finally {
      content.release();
    }
    if (content instanceof LastHttpContent) {
      state = State.WAITING;
      serveWhenFirst();
    }
  }

  /** Serves the taken request once every answer Micronaut owes on this connection is written. */
  private void serveWhenFirst() {
    if (state != State.WAITING || micronautOpen > 0) return;
    state = State.SERVING;
    Taken t = taken;
    taken = null;
    CompletableFuture<GatewayAnswer> answered;
    try {
      answered = gateway.infer(t.route, t.headers::get, t.filled == t.body.length ? t.body : Arrays.copyOf(t.body, t.filled));
    } catch (RuntimeException e) {
      answered = CompletableFuture.failedFuture(e);
    }
    answered.whenComplete((answer, failure) -> {
      if (ctx.executor().inEventLoop()) {
        answer(t, answer, failure);
      } else {
        ctx.executor().execute(() -> answer(t, answer, failure));
      }
    });
  }

  private void answer(Taken t, GatewayAnswer answer, Throwable failure) {
    if (failure != null) {
      // Gateway.infer answers every refusal and failure itself; this is a defect, not a request's fate.
      LOG.error("gateway answered with a failure instead of an answer", failure);
      ctx.close();
      return;
    }
    if (!answer.streamed()) {
      HttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
          Unpooled.wrappedBuffer(answer.body()));
      HttpHeaders h = response.headers();
      h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
      headers(h, answer, t.keepAlive);
      ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> served(t.keepAlive));
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = head.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_EVENT_STREAM);
    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    headers(h, answer, t.keepAlive);
    ctx.writeAndFlush(head);
    // A connection already gone cancels on subscribing; one that goes later, in channelInactive.
    stream = new Relay(t.keepAlive);
    answer.events().subscribe(stream);
  }

  private static void headers(HttpHeaders h, GatewayAnswer answer, boolean keepAlive) {
    answer.headers().forEach(h::set);
    h.set(HttpHeaderNames.DATE, HttpDate.now());
    if (!keepAlive) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
  }

  /** Writes a streamed answer's events as they come, the end once the gateway ends the stream. */
  private final class Relay extends BaseSubscriber<Event<String>> {
    private final boolean keepAlive;

    Relay(boolean keepAlive) {
      this.keepAlive = keepAlive;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      if (!ctx.channel().isActive()) {
        cancel();
        return;
      }
      requestUnbounded();
    }

    @Override
    protected void hookOnNext(Event<String> event) {
      ctx.writeAndFlush(new DefaultHttpContent(sse(event.getData())));
    }

    @Override
    protected void hookOnComplete() {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f -> served(keepAlive));
    }

    @Override
    protected void hookOnError(Throwable failure) {
      LOG.error("a streamed answer failed; closing the connection", failure);
      ctx.close();
    }
  }

  /** One server-sent event, as Micronaut's {@code TextStreamCodec} writes it: each line prefixed with "data: ". */
  static ByteBuf sse(String data) {
    byte[] body = data.getBytes(StandardCharsets.UTF_8);
    ByteBuf out = Unpooled.buffer(body.length + 16);
    int start = 0;
    while (start < body.length) {
      int end = start;
      while (end < body.length && body[end] != '\n') end++;
      out.writeBytes(DATA).writeBytes(body, start, Math.min(end + 1, body.length) - start);
      start = end + 1;
    }
    return out.writeByte('\n').writeByte('\n');
  }

  /** This handler's answer is written: go on with whatever was held back. */
  private void served(boolean keepAlive) {
    state = State.IDLE;
    stream = null;
    if (!keepAlive) {
      ctx.close();
      return;
    }
    resume();
  }

  private void resume() {
    boolean passed = false;
    while (!blocked() && !held.isEmpty()) {
      passed |= accept(held.poll());
    }
    if (passed) ctx.fireChannelReadComplete();
    if (readHeld && held.isEmpty()) {
      readHeld = false;
      ctx.read();
    }
  }

  /**
   * Reading goes on while a request is served, so that a client that goes away is noticed (and its
   * backend request cancelled); it pauses once anything is held, so a pipelining client cannot make
   * the server buffer more than one read's worth.
   */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!held.isEmpty()) {
      readHeld = true;
    } else {
      ctx.read();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !interim && micronautOpen > 0) {
      micronautOpen--;
      if (micronautOpen == 0 && state == State.WAITING) ctx.executor().execute(this::serveWhenFirst);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    discard();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discard();
  }

  private void discard() {
    Object msg;
    while ((msg = held.poll()) != null) ReferenceCountUtil.release(msg);
    BaseSubscriber<Event<String>> s = stream;
    if (s != null) s.dispose();
  }
}
