package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local-directory artifact store. */
class LocalDirectoryArtifactStoreTest {
  @TempDir Path dir;
  private final UUID job = UUID.fromString("0190b6a2-1c5e-7000-8000-000000000001");

  @Test
  void writesUnderTheJobAndReplacesOnRetry() throws Exception {
    LocalDirectoryArtifactStore store = LocalDirectoryArtifactStore.of(dir.resolve("art"));

    StoredArtifact first = store.store(job, "image-1.png", "image/png", "one".getBytes(StandardCharsets.UTF_8));
    StoredArtifact again = store.store(job, "image-1.png", "image/png", "two!".getBytes(StandardCharsets.UTF_8));

    Path file = dir.resolve("art").resolve(job.toString()).resolve("image-1.png");
    assertThat(Path.of(URI.create(again.location()))).isEqualTo(file);
    assertThat(Files.readString(file)).isEqualTo("two!");
    assertThat(again.sizeBytes()).isEqualTo(4);
    assertThat(again.sha256()).isNotEqualTo(first.sha256()).hasSize(64);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file); // no temporary files left behind
    }
  }

  @Test
  void reportsPublicUrlsWhenServed() {
    StoredArtifact a = LocalDirectoryArtifactStore.of(dir).withPublicBaseUrl("https://files.example.com/jobs")
        .store(job, "image-1.webp", "image/webp", new byte[] {1});

    assertThat(a.location()).isEqualTo("https://files.example.com/jobs/" + job + "/image-1.webp");
  }

  @Test
  void refusesNamesThatCouldEscapeTheDirectory() {
    LocalDirectoryArtifactStore store = LocalDirectoryArtifactStore.of(dir);

    for (String bad : new String[] {"../x.png", ".hidden", "a/b.png", "", "x".repeat(101)}) {
      assertThatThrownBy(() -> store.store(job, bad, "image/png", new byte[] {1}))
          .as(bad)
          .isInstanceOf(ArtifactStoreException.class)
          .hasMessageContaining("artifact file name must be");
    }
    assertThat(dir.resolve(job.toString())).doesNotExist();
  }

  @Test
  void refusesADirectoryItCannotUse() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");

    assertThatThrownBy(() -> LocalDirectoryArtifactStore.of(file))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("plain-file");
    assertThatThrownBy(() -> LocalDirectoryArtifactStore.of(dir).withPublicBaseUrl("ftp://x"))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessage("artifact public base URL must be http(s), was 'ftp://x'");
  }
}
