package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class BrowserTest {
  @TempDir Path dir;

  @Test
  void withoutChromiumBrowserTestsAreSkippedWithHowToInstallIt() {
    assertThatThrownBy(() -> Browser.requireInstalled(dir.resolve("chromium"), dir.resolve("chromedriver"), false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("apt-get install chromium chromium-driver");
  }

  @Test
  void withoutChromiumOnCiBrowserTestsFail() {
    assertThatThrownBy(() -> Browser.requireInstalled(dir.resolve("chromium"), dir.resolve("chromedriver"), true))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("apt-get install chromium chromium-driver").hasMessageContaining("CI=true");
  }

  @Test
  void theRepositoryRootIsFoundFromTheModuleDirectory() {
    assertThatCode(Browser::repositoryRoot).doesNotThrowAnyException();
    org.assertj.core.api.Assertions.assertThat(Browser.repositoryRoot().resolve("appliance-server/pom.xml")).exists();
  }
}
