package dev.asyncjobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Walks a payload's strings: collects them for moderation and refuses text no store can keep
 * (NUL characters, which PostgreSQL's jsonb rejects, and unpaired UTF-16 surrogates).
 */
public final class PayloadTexts {
  private PayloadTexts() {}

  /** Every string value in the payload, in document order; checks field names too. */
  public static List<String> collect(JsonNode payload) {
    List<String> out = new ArrayList<>();
    walk(payload, "payload", out);
    return out;
  }

  private static void walk(JsonNode node, String path, List<String> out) {
    if (node.isTextual()) {
      String text = node.textValue();
      check(text, path);
      out.add(text);
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = path + "." + e.getKey();
        check(e.getKey(), child);
        walk(e.getValue(), child, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private static void check(String text, String path) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        throw new InvalidPayloadException(path, path + " contains a NUL character (\\u0000), which is not allowed");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new InvalidPayloadException(path, path + " contains an unpaired UTF-16 surrogate at index " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new InvalidPayloadException(path, path + " contains an unpaired UTF-16 surrogate at index " + i);
      }
    }
  }
}
