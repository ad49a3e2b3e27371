package dev.airlock.installer;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The appliance's data directory, as the server finds it. */
final class DataDirOption {
  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:AIRLOCK_DATA_DIR:-./data}",
      description = "The appliance's data directory (default: $AIRLOCK_DATA_DIR or ./data). The"
          + " server must be stopped.")
  Path dataDir;
}
