package dev.asyncjobs.generators.openai;

import dev.asyncjobs.JobConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Keeps files under a local directory as {@code <dir>/<jobId>/<fileName>}. Each file is written to
 * a temporary name and moved into place, so a reader never sees half a file. The location is a
 * {@code file:} URI, or, with {@link #withPublicBaseUrl(String)}, the URL under which the host
 * serves the directory.
 */
public final class LocalDirectoryArtifactStore implements ArtifactStore {
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Path directory;
  private final @Nullable String publicBaseUrl;

  private LocalDirectoryArtifactStore(Path directory, @Nullable String publicBaseUrl) {
    this.directory = directory;
    this.publicBaseUrl = publicBaseUrl;
  }

  /**
   * A store under {@code directory}, created when missing.
   *
   * @param directory the directory files are kept under
   * @return the store
   * @throws JobConfigurationException the directory cannot be created or is not writable
   */
  public static LocalDirectoryArtifactStore of(Path directory) {
    Objects.requireNonNull(directory, "directory");
    Path dir = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new JobConfigurationException("artifact directory '" + dir + "' cannot be created: " + e, e);
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new JobConfigurationException("artifact directory '" + dir + "' is not a writable directory");
    }
    return new LocalDirectoryArtifactStore(dir, null);
  }

  /**
   * The same store, reporting locations as {@code <baseUrl>/<jobId>/<fileName>} (for a directory
   * the host serves over HTTP).
   *
   * @param baseUrl an absolute http(s) URL under which the host serves the directory
   * @return the new store
   * @throws JobConfigurationException the base URL is not an absolute http(s) URL
   */
  public LocalDirectoryArtifactStore withPublicBaseUrl(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new JobConfigurationException("artifact public base URL is not a URL: '" + baseUrl + "'", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new JobConfigurationException("artifact public base URL must be http(s), was '" + baseUrl + "'");
    }
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return new LocalDirectoryArtifactStore(directory, base);
  }

  /** {@return the directory files are kept under} */
  public Path directory() {
    return directory;
  }

  @Override
  public StoredArtifact store(UUID jobId, String fileName, String contentType, byte[] content) {
    if (!SAFE_NAME.matcher(fileName).matches()) {
      throw new ArtifactStoreException(
          "artifact file name must be 1-100 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit, was '"
              + fileName + "'", null);
    }
    Path jobDir = directory.resolve(jobId.toString());
    Path target = jobDir.resolve(fileName);
    try {
      Files.createDirectories(jobDir);
      Path temp = Files.createTempFile(jobDir, "." + fileName, ".part");
      try {
        Files.write(temp, content);
        move(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new ArtifactStoreException("could not write artifact " + target + ": " + e, e);
    }
    String location =
        publicBaseUrl == null ? target.toUri().toString() : publicBaseUrl + "/" + jobId + "/" + fileName;
    return new StoredArtifact(location, contentType, content.length, sha256(content));
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "LocalDirectoryArtifactStore[" + directory + (publicBaseUrl == null ? "" : " as " + publicBaseUrl) + "]";
  }
}
