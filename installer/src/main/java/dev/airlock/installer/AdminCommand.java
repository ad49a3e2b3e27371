package dev.airlock.installer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Listed so that help shows it: console users live in the server's database, so the launcher runs
 * {@code ./airlock admin bootstrap} with the server jar, and a running server's users are managed
 * in the console or over {@code /admin/users}.
 */
@Command(name = "admin", description = "Make the first console accounts: ./airlock admin bootstrap [--username NAME]"
    + " [--dpo NAME]... [--auditor NAME]...")
final class AdminCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(
        "Console users live in the server's database: run './airlock admin bootstrap' (or 'java -jar"
            + " appliance-server/target/airlock-server.jar admin bootstrap') with the server stopped;"
            + " later users are added in the console (Users) or with POST /admin/users, DPOs and AUDITORs"
            + " confirmed by a DPO.");
    return 2;
  }
}
