package dev.airlock.server.backend;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the operator sees of the running backends (the console's Backends page and
 * {@code GET /admin/backends}): per active model, each replica's address, process, health, load,
 * restarts and the last lines of its log. Read-only: it changes nothing the supervisor does.
 */
@Singleton
public class BackendStatus {
  /** Log lines shown per replica unless the caller asks for another number. */
  public static final int DEFAULT_LOG_LINES = 40;
  /** The most log lines a caller may ask for per replica (the supervisor reads at most its last 64 KiB anyway). */
  public static final int MAX_LOG_LINES = 500;

  /** One active model's backend. */
  public record ModelStatus(String modelId, String kind, Optional<String> catalogVersionId, List<ReplicaStatus> replicas) {
    public ModelStatus {
      replicas = List.copyOf(replicas);
    }

    public long healthyReplicas() {
      return replicas.stream().filter(ReplicaStatus::healthy).count();
    }
  }

  /**
   * One replica. {@code recentLog} is the process's own output, oldest first: untrusted text that
   * must be shown escaped. {@code logProblem} says why the log could not be read, if it could not.
   */
  public record ReplicaStatus(int index, String address, OptionalLong pid, boolean healthy, int inFlight, int restarts,
                              List<String> recentLog, Optional<String> logProblem) {
    public ReplicaStatus {
      recentLog = List.copyOf(recentLog);
    }

    /** The recent lines as one text, one line per line. */
    public String recentLogText() {
      return String.join("\n", recentLog);
    }
  }

  private final ActiveModels models;
  private final BackendSupervisor supervisor;

  public BackendStatus(ActiveModels models, BackendSupervisor supervisor) {
    this.models = models;
    this.supervisor = supervisor;
  }

  /**
   * Every active model's backend, sorted by model id, with up to {@code logLines} lines of each
   * replica's log.
   *
   * @throws IllegalArgumentException {@code logLines} is not 0 to {@value #MAX_LOG_LINES}
   */
  public List<ModelStatus> report(int logLines) {
    if (logLines < 0 || logLines > MAX_LOG_LINES) {
      throw new IllegalArgumentException("lines must be 0 to " + MAX_LOG_LINES + " (log lines per replica); found "
          + logLines);
    }
    var running = supervisor.replicas();
    List<ModelStatus> out = new ArrayList<>();
    for (ServedModel m : models.active()) {
      List<ReplicaStatus> replicas = new ArrayList<>();
      for (Replica r : running.getOrDefault(m.id(), List.of())) {
        List<String> log = List.of();
        Optional<String> problem = Optional.empty();
        if (!(m.backend() instanceof BackendSpec.External)) {
          try {
            log = supervisor.recentLog(r, logLines);
          } catch (IOException e) {
            problem = Optional.of("cannot read " + supervisor.logFile(r) + ": " + e.getMessage());
          }
        }
        replicas.add(new ReplicaStatus(r.index(), r.base().getAuthority(), r.pid(), r.healthy(), r.inFlight(),
            r.restarts(), log, problem));
      }
      out.add(new ModelStatus(m.id(), BackendSpec.kind(m.backend()), m.catalogVersionId(), replicas));
    }
    out.sort(java.util.Comparator.comparing(ModelStatus::modelId));
    return out;
  }
}
