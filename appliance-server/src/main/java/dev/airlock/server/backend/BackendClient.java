package dev.airlock.server.backend;

import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's only way out: HTTP to backend replicas the supervisor knows, on the OpenAI routes
 * the gateway forwards (and the health routes it polls). Any other address or path is refused
 * before a connection is opened.
 *
 * <p>Forwarding runs on the HTTP server's own Netty event loops: a request handled on one loop is
 * sent, and its answer read, on that same loop, over a keep-alive connection kept for that loop, so
 * relaying costs no thread hand-off. A request is sent at most twice, and the second time only
 * in the one case where the backend cannot have answered it: it went out on a kept-alive connection
 * that the backend closed without sending a single byte back (a server closes idle connections
 * when it likes; HTTP clients such as Go's and OkHttp's resend in exactly this case). It is then
 * sent once more on a new connection to the same replica; a replica that is dying refuses that
 * connection and the request fails. Once any byte of an answer has arrived nothing is ever resent,
 * and a request is never moved to another replica. No proxy is ever used and redirects are not
 * followed (a 3xx is relayed as it is). Health polls, which are few and blocking, use the JDK client.
 */
@Singleton
public class BackendClient {
  /** The routes ever forwarded to a backend. vLLM's other routes (its admin and tokenizer APIs) are never reachable. */
  public static final Set<String> FORWARDED_ROUTES = Set.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
      "/v1/rerank", "/v1/score");
  /** Routes the supervisor polls; GET only. */
  static final Set<String> HEALTH_ROUTES = Set.of("/health", "/v1/models");
  /** Connecting to a loopback or LAN backend takes microseconds; longer means it is not there. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  /**
   * An idle connection older than this is closed rather than reused: vLLM (uvicorn) closes idle
   * connections after 5 s, and a request written into a connection the server is closing would
   * fail (it is never replayed), so reuse stays well inside that window.
   */
  static final long MAX_IDLE_NANOS = Duration.ofSeconds(2).toNanos();
  /** Idle connections kept per replica and event loop; more in flight are closed when done. */
  static final int MAX_IDLE_PER_LOOP = 256;
  /** The largest non-streamed answer held in memory, as for request bodies (micronaut max-request-buffer-size). */
  static final int MAX_WHOLE_ANSWER_BYTES = 64 * 1024 * 1024;

  private final HttpClient health = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER)
      .proxy(java.net.ProxySelector.of(null))
      .build();
  private final BackendRegistry registry;
  private final EventLoopGroup loops;
  private final Bootstrap bootstrap;
  /** Per event loop: idle connections by replica base; each map is touched only by its own loop. */
  private final Map<EventExecutor, Map<URI, ArrayDeque<Idle>>> idle = new ConcurrentHashMap<>();
  private final EventLoopGroup owned;

  /** In the server: forwards on the HTTP server's event loops. */
  @Inject
  public BackendClient(BackendRegistry registry, EventLoopGroupRegistry groups, EventLoopGroupFactory factory) {
    this(registry, groups.getDefaultEventLoopGroup(),
        factory.channelClass(NettyChannelType.CLIENT_SOCKET, groups.getEventLoopGroupConfiguration("default").orElse(null))
            .asSubclass(SocketChannel.class), null);
  }

  /** Standalone (tests, tools): forwards on one event loop of its own. */
  public BackendClient(BackendRegistry registry) {
    this(registry, new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("backend-client", true), NioIoHandler.newFactory()));
  }

  private BackendClient(BackendRegistry registry, EventLoopGroup group) {
    this(registry, group, NioSocketChannel.class, group);
  }

  private BackendClient(BackendRegistry registry, EventLoopGroup loops, Class<? extends SocketChannel> channelClass,
                        EventLoopGroup owned) {
    this.registry = registry;
    this.loops = loops;
    this.owned = owned;
    this.bootstrap = new Bootstrap()
        .channel(channelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new ExchangeHandler());
          }
        });
  }

  /** A backend's answer to a non-streamed request, read whole. */
  public record Answer(int status, byte[] body) {}

  /**
   * What a streamed exchange reports, in order: {@code head} once, {@code content} per piece of
   * body as it arrives, then {@code end} or {@code failed} (exactly one of them, once). Called on an
   * event loop: implementations must not block.
   */
  public interface StreamHandler {
    void head(int status);

    void content(byte[] bytes);

    void end();

    void failed(Throwable cause);
  }

  /** A request in flight; cancelling closes its connection, which aborts it at the backend. */
  public interface Exchange {
    void cancel();
  }

  /**
   * Sends a request body to a replica and returns the whole answer, for non-streamed requests. The
   * future completes on the event loop the request was sent from (the caller's, if it runs on one).
   *
   * @throws IllegalArgumentException if the replica is not a configured backend or the route is not forwarded
   */
  public CompletableFuture<Answer> forwardWhole(Replica replica, String route, byte[] body) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    forward(replica, route, body, new StreamHandler() {
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      private int status;
      private boolean tooLarge;

      @Override
      public void head(int s) {
        status = s;
      }

      @Override
      public void content(byte[] piece) {
        if (bytes.size() + piece.length > MAX_WHOLE_ANSWER_BYTES) {
          tooLarge = true;
          return;
        }
        bytes.writeBytes(piece);
      }

      @Override
      public void end() {
        if (tooLarge) {
          answer.completeExceptionally(new IOException("the backend's answer is larger than "
              + MAX_WHOLE_ANSWER_BYTES + " bytes; ask for fewer tokens or stream the answer"));
        } else {
          answer.complete(new Answer(status, bytes.toByteArray()));
        }
      }

      @Override
      public void failed(Throwable cause) {
        answer.completeExceptionally(cause);
      }
    });
    return answer;
  }

  /**
   * Sends a request body to a replica and reports the answer as it streams in.
   *
   * @throws IllegalArgumentException if the replica is not a configured backend or the route is not forwarded
   */
  public Exchange forward(Replica replica, String route, byte[] body, StreamHandler handler) {
    if (!FORWARDED_ROUTES.contains(route)) {
      throw new IllegalArgumentException("route " + route + " is never forwarded to a backend");
    }
    URI base = replica.base();
    checked(base, route);
    if (!"http".equals(base.getScheme()) || base.getHost() == null || base.getPort() < 0) {
      throw new IllegalArgumentException("a backend is http://host:port; found " + base);
    }
    EventLoop loop = currentLoop();
    Call call = new Call(loop, base, route, body, handler);
    if (loop.inEventLoop()) {
      call.start();
    } else {
      loop.execute(call::start);
    }
    return call;
  }

  /**
   * The event loop running this thread, if it is one of the client's (then {@link #forward} on it
   * costs no hand-off), otherwise the next one: where a request continues after waiting.
   */
  public EventLoop loop() {
    return currentLoop();
  }

  /** True when the replica answers its health route with 2xx. */
  public boolean healthy(URI base) {
    try {
      HttpRequest request = HttpRequest.newBuilder(checked(base, "/health")).timeout(HEALTH_TIMEOUT).GET().build();
      int status = health.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status == 404) {
        // Some OpenAI-compatible servers have no /health; a model listing proves the same.
        HttpRequest models = HttpRequest.newBuilder(checked(base, "/v1/models")).timeout(HEALTH_TIMEOUT).GET().build();
        status = health.send(models, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
      }
      return status / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops the event loop of a standalone client; the server's loops belong to the server. */
  @jakarta.annotation.PreDestroy
  public void close() {
    if (owned != null) owned.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  private URI checked(URI base, String route) {
    if (!registry.isConfigured(base)) {
      throw new IllegalArgumentException("refusing to contact " + base + ": it is not a configured backend");
    }
    return base.resolve(route);
  }

  /** The event loop running this thread, if it is one of ours (no hand-off); otherwise the next one. */
  private EventLoop currentLoop() {
    for (EventExecutor e : loops) {
      if (e.inEventLoop()) return (EventLoop) e;
    }
    return loops.next();
  }

  private record Idle(Channel channel, long since) {}

  private Map<URI, ArrayDeque<Idle>> idleOn(EventLoop loop) {
    return idle.computeIfAbsent(loop, l -> new HashMap<>());
  }

  /** One request to one replica; all of its state is touched only on its event loop. */
  private final class Call implements Exchange {
    private final EventLoop loop;
    private final URI base;
    private final String route;
    private final byte[] body;
    private final StreamHandler handler;
    private Channel channel;
    private boolean cancelled;
    private boolean done;
    private boolean keepAlive;
    /** The connection came from the idle pool (so the backend may have closed it in the meantime). */
    private boolean reused;
    /** Some of the answer has arrived: from here on, a failure fails the request. */
    private boolean answered;
    private boolean resent;

    Call(EventLoop loop, URI base, String route, byte[] body, StreamHandler handler) {
      this.loop = loop;
      this.base = base;
      this.route = route;
      this.body = body;
      this.handler = handler;
    }

    void start() {
      if (cancelled) {
        fail(new IOException("cancelled before it was sent"));
        return;
      }
      ArrayDeque<Idle> pool = idleOn(loop).get(base);
      long now = System.nanoTime();
      while (pool != null && !pool.isEmpty()) {
        Idle i = pool.pollLast();
        if (i.channel().isActive() && now - i.since() < MAX_IDLE_NANOS) {
          reused = true;
          send(i.channel());
          return;
        }
        i.channel().close();
      }
      connect();
    }

    private void connect() {
      reused = false;
      bootstrap.clone(loop).connect(base.getHost(), base.getPort()).addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          fail(new IOException("cannot connect to the backend " + base + ": " + f.cause().getMessage(), f.cause()));
        } else if (cancelled) {
          f.channel().close();
          fail(new IOException("cancelled before it was sent"));
        } else {
          send(f.channel());
        }
      });
    }

    private void send(Channel ch) {
      channel = ch;
      ch.pipeline().get(ExchangeHandler.class).call = this;
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, route,
          Unpooled.wrappedBuffer(body));
      request.headers()
          .set(HttpHeaderNames.HOST, base.getHost() + ":" + base.getPort())
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .set(HttpHeaderNames.CONTENT_LENGTH, body.length);
      ch.writeAndFlush(request).addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          f.channel().close();
          connectionFailed(f.channel(), new IOException("cannot send the request to the backend " + base + ": "
              + f.cause().getMessage(), f.cause()));
        }
      });
    }

    /**
     * The connection failed or closed: resent once on a new connection if the backend closed a
     * reused connection without answering, otherwise the request fails.
     */
    void connectionFailed(Channel ch, Throwable cause) {
      if (ch != channel || done) return;
      ExchangeHandler h = ch.pipeline().get(ExchangeHandler.class);
      if (h != null && h.call == this) h.call = null;
      if (reused && !answered && !resent && !cancelled) {
        resent = true;
        channel = null;
        connect();
        return;
      }
      fail(cause);
    }

    void head(HttpResponse response) {
      answered = true;
      keepAlive = HttpUtil.isKeepAlive(response);
      if (!done) handler.head(response.status().code());
    }

    void content(HttpContent content) {
      ByteBuf buf = content.content();
      if (!done && buf.isReadable()) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        handler.content(bytes);
      }
      if (content instanceof LastHttpContent) {
        Channel ch = channel;
        ch.pipeline().get(ExchangeHandler.class).call = null;
        if (!done) {
          done = true;
          handler.end();
        }
        release(ch);
      }
    }

    private void release(Channel ch) {
      if (!keepAlive || cancelled || !ch.isActive()) {
        ch.close();
        return;
      }
      ArrayDeque<Idle> pool = idleOn(loop).computeIfAbsent(base, b -> new ArrayDeque<>());
      if (pool.size() >= MAX_IDLE_PER_LOOP) {
        ch.close();
      } else {
        pool.addLast(new Idle(ch, System.nanoTime()));
      }
    }

    void fail(Throwable cause) {
      if (done) return;
      done = true;
      handler.failed(cause);
    }

    @Override
    public void cancel() {
      if (loop.inEventLoop()) {
        cancelNow();
      } else {
        loop.execute(this::cancelNow);
      }
    }

    private void cancelNow() {
      cancelled = true;
      if (channel != null && !done) channel.close();
    }
  }

  /** Routes a connection's response parts to the call that is using it; a connection that dies fails that call. */
  private static final class ExchangeHandler extends SimpleChannelInboundHandler<HttpObject> {
    Call call;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      Call c = call;
      if (c == null) {
        // Bytes on an idle connection: not an answer to anything of ours. Drop the connection.
        ctx.close();
        return;
      }
      if (msg.decoderResult().isFailure()) {
        c.fail(new IOException("the backend sent a malformed HTTP answer: " + msg.decoderResult().cause().getMessage()));
        call = null;
        ctx.close();
        return;
      }
      if (msg instanceof HttpResponse response) c.head(response);
      if (msg instanceof HttpContent content) c.content(content);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Call c = call;
      call = null;
      if (c != null) c.connectionFailed(ctx.channel(), new IOException("the backend closed the connection before the answer was complete"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Call c = call;
      call = null;
      if (c != null) c.connectionFailed(ctx.channel(), new IOException("the connection to the backend failed: " + cause.getMessage(), cause));
      ctx.close();
    }
  }
}
