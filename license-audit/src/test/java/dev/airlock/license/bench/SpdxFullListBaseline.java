package dev.airlock.license.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.spdx.library.ListedLicenses;
import org.spdx.library.SpdxModelFactory;
import org.spdx.utility.compare.LicenseCompareHelper;

/**
 * The baseline: SPDX Java Tools matching one license text (Apache-2.0) against the whole SPDX
 * list, which is what identifying a LICENSE file costs without candidate selection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dorg.spdx.useJARLicenseInfoOnly=true")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SpdxFullListBaseline {
  private String apacheText;

  @Setup(Level.Trial)
  public void setUp() throws IOException, URISyntaxException {
    SpdxModelFactory.init();
    ListedLicenses.getListedLicenses();
    apacheText = Files.readString(Path.of(SpdxFullListBaseline.class.getResource("/dev/airlock/license/catalog/texts/Apache-2.0.LICENSE").toURI()));
  }

  @Benchmark
  public String[] matchApacheTextAgainstTheWholeList() throws Exception {
    return LicenseCompareHelper.matchingStandardLicenseIds(apacheText);
  }
}
