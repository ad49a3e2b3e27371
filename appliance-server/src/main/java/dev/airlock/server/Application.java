package dev.airlock.server;

import io.micronaut.runtime.Micronaut;

/** Starts the appliance server: {@code java -jar airlock-server.jar}. */
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    // SPDX tools fetch the license list over the network unless told not to; Airlock never does.
    System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
    Micronaut.build(args).banner(false).mainClass(Application.class).start();
  }
}
