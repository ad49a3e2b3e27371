package dev.airlock.installer;

import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import a bundle into the vault of a data directory (the server must be stopped),"
        + " or upload it to a running server with --server URL --token TOKEN.",
        "Every signature and every byte is checked while the bundle is copied (by the server, for an"
            + " upload); nothing becomes visible unless all of it checked out. Importing the same"
            + " bundle again changes nothing."})
final class BundleImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.tar", description = "The bundle.")
  Path bundle;

  @Mixin DataDirOption data;

  @Option(names = "--server", paramLabel = "URL",
      description = "Upload to the running server at URL (e.g. https://airlock.internal:8080) instead of"
          + " importing into --data-dir. The file is streamed, never loaded into memory.")
  URI server;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:AIRLOCK_TOKEN}",
      description = "The server's operator token, for --server (default: $AIRLOCK_TOKEN; prefer the"
          + " variable, which keeps the token out of shell history).")
  String token;

  @Option(names = "--importer", paramLabel = "NAME", defaultValue = "${sys:user.name}",
      description = "Who imports, recorded in the model's provenance (default: the OS user).")
  String importer;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    var parsed = spec.commandLine().getParseResult();
    if (server != null && parsed.hasMatchedOption("--data-dir")) {
      return usage("--server and --data-dir exclude each other: upload to a running server, or"
          + " import into a stopped server's data directory");
    }
    if (server != null && parsed.hasMatchedOption("--importer")) {
      return usage("--importer applies to a local import; the server records who imported from its"
          + " own credentials");
    }
    if (server == null && parsed.hasMatchedOption("--token")) {
      return usage("--token is for --server URL");
    }
    if (!Files.isRegularFile(bundle)) {
      err.println("airlock bundle import: no such file: " + bundle);
      return VaultExits.CANNOT_RUN;
    }
    if (server != null) return upload();
    try (Vault vault = Vault.openEmbedded(data.dataDir, Vault.Options.defaults())) {
      ImportResult r = vault.importBundle(bundle, importer, TransferProgress.forCommand(err));
      ModelVersion v = r.version();
      try {
        leaveAuditRecords(r);
      } catch (IOException e) {
        err.println("airlock bundle import: " + v.modelName() + " " + v.version() + " is in the vault, but the record"
            + " of its import could not be left for the audit log (" + e.getMessage() + "). Free space or fix the"
            + " permissions of " + data.dataDir + ", then import the bundle again: that records it (as already present)");
        return VaultExits.CANNOT_RUN;
      }
      var out = spec.commandLine().getOut();
      out.println(switch (r.outcome()) {
        case IMPORTED -> "Imported " + v.modelName() + " " + v.version() + " into " + data.dataDir;
        case ALREADY_PRESENT -> "Already in the vault: " + v.modelName() + " " + v.version()
            + " (bundle " + v.provenance().bundleId() + "); nothing changed";
      });
      out.println("  state:      " + v.state());
      out.println("  files:      " + r.files() + " (" + r.newBlobs() + " new blobs, "
          + r.bytes() + " bytes copied)");
      out.println("  signed by:  transfer key '" + v.provenance().transferSignerName() + "'");
      var ps = v.provenance().publisherSignature();
      out.println("  publisher signature: " + ps.status() + " (" + ps.detail() + ")");
      return 0;
    } catch (BundleRejectedException e) {
      err.println("airlock bundle import: REFUSED (" + BundleOutput.problem(e) + "): " + e.getMessage());
      try {
        Map<String, Object> refused = new LinkedHashMap<>();
        refused.put("code", e.code());
        refused.put("reason", e.getMessage());
        OfflineAudit.leave(data.dataDir, "admin.bundle.refused", "ok", importer, refused);
      } catch (IOException notLeft) {
        err.println("airlock bundle import: the refusal could not be left for the audit log either: "
            + notLeft.getMessage());
      }
      return VaultExits.REFUSED;
    } catch (IOException | UncheckedIOException | IllegalStateException | FlywayException e) {
      err.println("airlock bundle import: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }

  /** What the server records for an import through it, left for its audit log (see {@link OfflineAudit}). */
  private void leaveAuditRecords(ImportResult r) throws IOException {
    Optional<Map<String, Object>> lifecycle = r.eventAuditDetails();
    if (lifecycle.isPresent()) OfflineAudit.leave(data.dataDir, "model.lifecycle", "ok", importer, lifecycle.get());
    OfflineAudit.leave(data.dataDir, "admin.bundle.import", "ok", importer, r.auditDetails());
  }

  private int usage(String message) {
    spec.commandLine().getErr().println("airlock bundle import: " + message);
    return VaultExits.USAGE;
  }

  /** Streams the bundle to the server, which verifies it again, and prints its answer. */
  private int upload() {
    var err = spec.commandLine().getErr();
    var out = spec.commandLine().getOut();
    if (token == null || token.isBlank()) {
      return usage("--server needs the operator token: set AIRLOCK_TOKEN (keeps it out of shell"
          + " history) or pass --token TOKEN");
    }
    if (!"http".equalsIgnoreCase(server.getScheme()) && !"https".equalsIgnoreCase(server.getScheme())
        || server.getHost() == null) {
      return usage("--server must be an http:// or https:// URL with a host, not '" + server + "'");
    }
    URI endpoint = BundleUpload.endpoint(server);
    BundleUpload.Answer a;
    try (TransferProgress progress = TransferProgress.forCommand(err)) {
      a = BundleUpload.send(server, token.trim(), bundle, progress);
    } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
      err.println("airlock bundle import: cannot reach the server at " + endpoint + " (" + describe(e)
          + "): check the URL and port, that the server is running, and that this machine may reach it");
      return VaultExits.CANNOT_RUN;
    } catch (IOException e) {
      err.println("airlock bundle import: the upload to " + endpoint + " failed (" + describe(e)
          + "); the server keeps nothing of an incomplete upload: check the connection and send it again");
      return VaultExits.CANNOT_RUN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("airlock bundle import: interrupted; the server keeps nothing of an incomplete upload");
      return VaultExits.CANNOT_RUN;
    }
    var b = a.body();
    if (a.status() == 200 || a.status() == 201) {
      out.println(a.status() == 201
          ? "Imported " + b.path("model").asText() + " " + b.path("version").asText() + " into " + server
          : b.path("message").asText());
      out.println("  state:      " + b.path("state").asText());
      out.println("  files:      " + b.path("files").asInt() + " (" + b.path("newBlobs").asInt()
          + " new blobs, " + b.path("bytesCopied").asLong() + " bytes copied)");
      out.println("  signed by:  transfer key '" + b.path("transferSigner").asText() + "'");
      out.println("  publisher signature: " + b.at("/publisherSignature/status").asText() + " ("
          + b.at("/publisherSignature/detail").asText() + ")");
      return 0;
    }
    String message = b.at("/error/message").asText(b.path("error_text").asText("(no message)"));
    String code = b.at("/error/code").asText("");
    if (a.status() == 422 || a.status() == 507) {
      err.println("airlock bundle import: REFUSED (" + code.replaceFirst("^bundle_", "").replace('_', ' ')
          + "): " + message);
      return VaultExits.REFUSED;
    }
    String hint = switch (a.status()) {
      case 401, 403 -> ": check the operator token (AIRLOCK_TOKEN or --token)";
      case 404 -> ": is " + server + " an Airlock server of this version?";
      default -> "";
    };
    err.println("airlock bundle import: " + endpoint + " answered HTTP " + a.status() + ": " + message + hint);
    return VaultExits.CANNOT_RUN;
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
