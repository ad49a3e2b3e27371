package dev.airlock.license;

import org.spdx.library.SpdxModelFactory;

/** Starts SPDX Java Tools once per process, strictly offline. */
final class SpdxTools {
  private static volatile boolean started;

  private SpdxTools() {}

  static void start() {
    if (started) return;
    synchronized (SpdxTools.class) {
      if (started) return;
      // Never let SPDX tools reach for the network: the license list bundled in its jar is the one
      // Airlock uses. Without this the library fetches spdx.org, which on an air gap can hang.
      if (System.getProperty("org.spdx.useJARLicenseInfoOnly") == null) {
        System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
      }
      SpdxModelFactory.init();
      started = true;
    }
  }
}
