package dev.airlock.server.auth;

import io.micronaut.context.ApplicationContext;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code airlock admin bootstrap [--username NAME] [--dpo NAME]... [--auditor NAME]...}: makes the
 * first console accounts in the appliance's database and prints a one-time password for each,
 * which must be changed at first sign-in. The ADMIN ({@code --username}, default {@code admin}) is
 * made only while there is none; DPOs and AUDITORs only while no one can act as a DPO, since after
 * that an ADMIN proposes them and a DPO confirms. Whoever runs this is on the appliance's own shell,
 * which already holds every key; there is never a default password. Runs with the server's
 * configuration (AIRLOCK_DATA_DIR, AIRLOCK_DATABASE_URL, ...) but does not serve.
 */
public final class Bootstrap {
  static final String USAGE = "usage: airlock admin bootstrap [--username NAME] [--dpo NAME]... [--auditor NAME]...\n"
      + "  makes the first console administrator (unless --dpo or --auditor alone are given: then only those),\n"
      + "  and, while no DPO exists, the first DPOs and security auditors";

  private Bootstrap() {}

  public static boolean handles(String[] args) {
    return args.length >= 1 && args[0].equals("admin");
  }

  /** Reads the options; empty when they are not right. */
  static Optional<Users.FirstAccounts> parse(String[] args) {
    if (args.length < 2 || !args[1].equals("bootstrap") || args.length % 2 != 0) return Optional.empty();
    Optional<String> admin = Optional.empty();
    List<String> dpos = new ArrayList<>();
    List<String> auditors = new ArrayList<>();
    for (int i = 2; i < args.length; i += 2) {
      switch (args[i]) {
        case "--username" -> {
          if (admin.isPresent()) return Optional.empty();
          admin = Optional.of(args[i + 1]);
        }
        case "--dpo" -> dpos.add(args[i + 1]);
        case "--auditor" -> auditors.add(args[i + 1]);
        default -> {
          return Optional.empty();
        }
      }
    }
    if (admin.isEmpty() && dpos.isEmpty() && auditors.isEmpty()) admin = Optional.of("admin");
    return Optional.of(new Users.FirstAccounts(admin, dpos, auditors));
  }

  /** Returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Optional<Users.FirstAccounts> accounts = parse(args);
    if (accounts.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    try (ApplicationContext ctx = ApplicationContext.builder().deduceEnvironment(false).start()) {
      List<Users.Created> made = ctx.getBean(Users.class).bootstrap(accounts.get(), "airlock-admin-bootstrap");
      out.println(made.size() == 1 ? "Account created." : made.size() + " accounts created.");
      for (Users.Created c : made) {
        out.println("  username:           " + c.user().username() + "  ("
            + String.join(", ", Users.roleNames(c.user().roles())) + ")");
        out.println("  one-time password:  " + c.oneTimePassword());
      }
      out.println("Hand each password to its own person. Sign in at http://<appliance>:8080/console and choose"
          + " your own password; these work once and are not shown again.");
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("airlock admin bootstrap: " + rootMessage(e));
      if (rootMessage(e).contains("already in use") || rootMessage(e).contains("locked")) {
        err.println("The database is in use by a running server: stop it, run bootstrap, then start it again.");
      }
      return 1;
    } catch (RuntimeException e) {
      err.println("airlock admin bootstrap: " + rootMessage(e));
      err.println("If a server is running on this data directory, stop it first.");
      return 1;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }

}
