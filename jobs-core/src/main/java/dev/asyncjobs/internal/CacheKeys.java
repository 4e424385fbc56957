package dev.asyncjobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.asyncjobs.ResultCache;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key identical requests of a caching type share: SHA-256 of the type, the cache's version,
 * the owner (unless results are shareable across owners) and the payload as canonical JSON (object
 * members in key order at every depth), so that {@code {"a":1,"b":2}} and {@code {"b":2,"a":1}}
 * are the same request.
 */
public final class CacheKeys {
  private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private CacheKeys() {}

  /**
   * {@return the key, 64 hex digits}
   *
   * @param type the job type
   * @param cache the type's cache settings
   * @param ownerId the owner
   * @param payload the payload, parsed
   */
  public static String of(String type, ResultCache cache, String ownerId, JsonNode payload) {
    String canonical;
    try {
      // As a map, so that ORDER_MAP_ENTRIES_BY_KEYS sorts every object's members.
      canonical = CANONICAL.writeValueAsString(CANONICAL.treeToValue(payload, Object.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a validated payload could not be written again", e);
    }
    String owner = cache.shareableAcrossOwners() ? "" : ownerId;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {type, cache.version(), owner, canonical}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII)); // lengths keep the parts apart
        sha.update((byte) ':');
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
