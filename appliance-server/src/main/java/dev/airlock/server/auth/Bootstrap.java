package dev.airlock.server.auth;

import io.micronaut.context.ApplicationContext;
import java.io.PrintStream;


/**
 * {@code airlock admin bootstrap [--username NAME]}: makes the first console ADMIN in the
 * appliance's database and prints a one-time password, which must be changed at first sign-in.
 * Refused once any ADMIN exists. There is never a default password. Runs with the server's
 * configuration (AIRLOCK_DATA_DIR, AIRLOCK_DATABASE_URL, ...) but does not serve.
 */
public final class Bootstrap {
  private Bootstrap() {}

  public static boolean handles(String[] args) {
    return args.length >= 1 && args[0].equals("admin");
  }

  /** Returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2 || !args[1].equals("bootstrap") || args.length == 3 || args.length > 4
        || (args.length == 4 && !args[2].equals("--username"))) {
      err.println("usage: airlock admin bootstrap [--username NAME]   (makes the first console administrator)");
      return 2;
    }
    String username = args.length == 4 ? args[3] : "admin";
    try (ApplicationContext ctx = ApplicationContext.builder().deduceEnvironment(false).start()) {
      Users.Created c = ctx.getBean(Users.class).bootstrap(username, "airlock-admin-bootstrap");
      out.println("First administrator created.");
      out.println("  username:           " + c.user().username());
      out.println("  one-time password:  " + c.oneTimePassword());
      out.println("Sign in at http://<appliance>:8080/console and choose your own password;"
          + " this one works once and is not shown again.");
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
