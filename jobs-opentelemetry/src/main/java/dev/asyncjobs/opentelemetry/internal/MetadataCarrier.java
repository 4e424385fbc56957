package dev.asyncjobs.opentelemetry.internal;

import dev.asyncjobs.JobManager;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's metadata as the carrier of a propagator's fields ({@code traceparent}, {@code
 * tracestate}, ...). A propagator writes header-like fields; the manager accepts only metadata that
 * fits its rules (lower-case keys, short printable values, a few entries) and refuses the whole
 * create otherwise. Tracing must never cost a create, so a field that does not fit is left out
 * (logged once per field name) and the rest is stored. Keys are stored in lower case and looked up
 * so, as header names are case-insensitive.
 */
public final class MetadataCarrier {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.opentelemetry.JobTracing");
  /** The manager's rule for metadata keys (see {@code JobRequest.Builder#metadata}). */
  private static final Pattern KEY = Pattern.compile("[a-z0-9._-]{1,64}");

  /** Reads a propagator's fields from a job's metadata. */
  public static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key.toLowerCase(Locale.ROOT));
    }
  };

  private final TextMapPropagator propagator;
  /** The field names already warned about: a misfit is logged once, not at every create. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** A carrier for {@code propagator}'s fields. */
  public MetadataCarrier(TextMapPropagator propagator) {
    this.propagator = propagator;
  }

  /** {@return whether {@code metadata} holds a field of the propagator already} (a context the caller set). */
  public boolean carriesContext(Map<String, String> metadata) {
    for (String field : propagator.fields()) {
      if (metadata.containsKey(field.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The fields that {@code context} propagates, as metadata entries that fit beside {@code
   * existing}; empty when the propagator writes nothing (no span, a no-op propagator) or fails.
   */
  public Map<String, String> fields(Context context, Map<String, String> existing) {
    Map<String, String> out = new LinkedHashMap<>();
    TextMapSetter<Map<String, String>> setter = (carrier, key, value) -> {
      if (carrier != null) {
        put(carrier, existing, key, value);
      }
    };
    try {
      propagator.inject(context, out, setter);
    } catch (RuntimeException e) {
      LOG.warn("the propagator {} failed to inject the trace context; the job is created without it", propagator, e);
      return Map.of();
    }
    return out;
  }

  /** Extracts the context stored in {@code metadata} (on the root context); the root when none or unreadable. */
  public Context extract(Map<String, String> metadata) {
    try {
      return propagator.extract(Context.root(), metadata, GETTER);
    } catch (RuntimeException e) {
      // W3C's propagator ignores a malformed traceparent by itself; a custom one might throw.
      LOG.debug("the propagator {} could not read a job's trace context; the attempt starts a new trace", propagator, e);
      return Context.root();
    }
  }

  private void put(Map<String, String> out, Map<String, String> existing, String field, String value) {
    String key = field.toLowerCase(Locale.ROOT);
    String misfit = null;
    if (!KEY.matcher(key).matches()) {
      misfit = "its name is not a metadata key (1-64 of a-z, 0-9, '.', '_', '-')";
    } else if (value.length() > JobManager.MAX_METADATA_VALUE_LENGTH || !isPrintable(value)) {
      misfit = "its value is not at most " + JobManager.MAX_METADATA_VALUE_LENGTH + " printable characters (was "
          + value.length() + ")";
    } else if (!existing.containsKey(key) && !out.containsKey(key)
        && existing.size() + out.size() >= JobManager.MAX_METADATA_ENTRIES) {
      misfit = "the request has " + existing.size() + " metadata entries already, of at most "
          + JobManager.MAX_METADATA_ENTRIES;
    }
    if (misfit == null) {
      out.put(key, value);
    } else if (warned.add(key)) {
      LOG.warn("trace context field {} is not stored with jobs: {} (logged once)", field, misfit);
    }
  }

  private static boolean isPrintable(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
