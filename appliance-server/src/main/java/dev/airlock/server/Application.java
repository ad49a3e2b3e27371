package dev.airlock.server;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the appliance server: {@code java -jar airlock-server.jar}; {@code ... admin bootstrap}
 * makes the first administrator, {@code ... demo} runs the end-to-end demo.
 */
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    // SPDX tools fetch the license list over the network unless told not to; Airlock never does.
    System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
    if (dev.airlock.server.auth.Bootstrap.handles(args)) {
      System.exit(dev.airlock.server.auth.Bootstrap.run(args, System.out, System.err));
    }
    if (dev.airlock.server.demo.Demo.handles(args)) {
      System.exit(dev.airlock.server.demo.Demo.main(args, System.out, System.err));
    }
    if (args.length == 1 && args[0].equals(CdsTraining.COMMAND)) {
      System.exit(CdsTraining.run(System.err));
    }
    if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    Micronaut.build(args).banner(false).mainClass(Application.class).start();
  }

  static final String USAGE = """
      usage: airlock-server.jar                     serve (console, admin API, /v1) on 127.0.0.1:8080
             airlock-server.jar admin bootstrap [--username NAME] [--dpo NAME]... [--auditor NAME]...
                                                    make the first console accounts (first ADMIN; DPOs and
                                                    AUDITORs while no DPO exists)
             airlock-server.jar demo [--port N] [--data-dir DIR]    the end-to-end demo
      Settings come from environment variables: AIRLOCK_DATA_DIR (default ./data), AIRLOCK_DATABASE_URL,
      MICRONAUT_SERVER_PORT, MICRONAUT_SERVER_HOST, AIRLOCK_GATEWAY_OPERATOR_TOKEN, AIRLOCK_LOG_FORMAT=json,
      AIRLOCK_LOG_LEVEL; see README.md.
      """;
}
