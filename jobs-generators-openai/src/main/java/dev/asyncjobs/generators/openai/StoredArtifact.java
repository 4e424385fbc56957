package dev.asyncjobs.generators.openai;

import java.util.Objects;

/**
 * Where an {@link ArtifactStore} put a file.
 *
 * @param location where to find it: a URL or a {@code file:} URI
 * @param contentType its media type, e.g. {@code image/png}
 * @param sizeBytes its length
 * @param sha256 hex SHA-256 of its bytes, to check a copy
 */
public record StoredArtifact(String location, String contentType, long sizeBytes, String sha256) {
  /**
   * Checks nullness.
   *
   * @param location where to find it: a URL or a {@code file:} URI
   * @param contentType its media type, e.g. {@code image/png}
   * @param sizeBytes its length
   * @param sha256 hex SHA-256 of its bytes, to check a copy
   */
  public StoredArtifact {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(sha256, "sha256");
  }
}
