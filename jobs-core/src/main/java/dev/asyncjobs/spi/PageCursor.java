package dev.asyncjobs.spi;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * The position after the last job of a page: its {@code createdAt} and id. Keyset paging on
 * {@code (createdAt, id)} neither skips nor repeats a job while new jobs are inserted. Callers see
 * it only as the opaque string of {@link #encode()}.
 *
 * @param createdAt creation time of the last job returned
 * @param id id of the last job returned
 */
public record PageCursor(Instant createdAt, UUID id) {

  /**
   * Checks nullness.
   *
   * @param createdAt creation time of the last job returned
   * @param id id of the last job returned
   */
  public PageCursor {
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(id, "id");
  }

  /**
   * {@return the cursor of the page that ends with {@code job}}
   *
   * @param job the last job of a page
   */
  public static PageCursor after(Job job) {
    return new PageCursor(job.createdAt(), job.id());
  }

  /** {@return the opaque URL-safe form} */
  public String encode() {
    String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor made by {@link #encode()}.
   *
   * @param cursor the encoded cursor
   * @return the cursor
   * @throws InvalidRequestException with field {@code cursor} when it is not one
   */
  public static PageCursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException("wrong number of parts");
      }
      Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
      return new PageCursor(at, UUID.fromString(parts[2]));
    } catch (RuntimeException e) {
      throw new InvalidRequestException("cursor", "cursor is not one this API returned");
    }
  }
}
