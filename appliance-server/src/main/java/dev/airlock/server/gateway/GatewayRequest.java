package dev.airlock.server.gateway;

/** What the gateway reads of an HTTP request besides its body: a header by name (case-insensitive), or null. */
@FunctionalInterface
public interface GatewayRequest {
  String header(String name);
}
