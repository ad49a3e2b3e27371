package dev.airlock.server.gateway;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/**
 * Puts {@link GatewayFastPath} on every HTTP/1.1 connection, just before Micronaut's own handler;
 * {@code airlock.gateway.fast-path: false} leaves the inference routes to Micronaut alone.
 */
@Singleton
@Requires(property = "airlock.gateway.fast-path", notEquals = "false")
final class GatewayPipeline implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
  static final String HANDLER = "airlock-gateway";

  private final Provider<Gateway> gateway;
  private final long maxBody;

  GatewayPipeline(Provider<Gateway> gateway, HttpServerConfiguration server) {
    this.gateway = gateway;
    this.maxBody = server.getMaxRequestBufferSize();
  }

  @Override
  public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
    event.getBean().register(new NettyServerCustomizer() {
      @Override
      public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        return role == ChannelRole.CONNECTION ? new OnConnection(channel) : this;
      }
    });
    return event.getBean();
  }

  private final class OnConnection implements NettyServerCustomizer {
    private final Channel channel;

    OnConnection(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void onStreamPipelineBuilt() {
      ChannelPipeline p = channel.pipeline();
      // HTTP/1.1 only: an HTTP/2 connection has no HTTP/1 codec (and Micronaut serves its streams itself).
      if (p.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
          && p.get(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND) != null && p.get(HANDLER) == null) {
        p.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, HANDLER, new GatewayFastPath(gateway.get()::infer, maxBody));
      }
    }
  }
}
